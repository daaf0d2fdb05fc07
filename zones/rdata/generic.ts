/**
 * The generic rdata form of RFC 3597 §5: `\# length hex...`, accepted for any type (known ones are
 * then checked like wire data from a transfer) and printed for types without a codec.
 */
import type { Token } from './codec.js';
import { hexToText, joinTokens, parseHex } from './encoding.js';
import { fail, parseUint, q } from './fields.js';

/** True when the rdata is written in the generic form (an unquoted `\#` first). */
export function isGeneric(tokens: readonly Token[]): boolean {
  const t = tokens[0];
  return t !== undefined && !t.quoted && t.value === '\\#';
}

export function genericFromText(tokens: readonly Token[], typeName: string): Uint8Array {
  const lenText = tokens[1]?.value;
  if (lenText === undefined) fail(`${typeName} \\# needs a length after it`);
  const length = parseUint(lenText, `${typeName} \\# length`, 0xffff);
  if (length === 0) {
    if (tokens.length > 2) fail(`${typeName} \\# length is 0 but data ${q(tokens[2]!.value)} follows`);
    return new Uint8Array(0);
  }
  if (tokens.length < 3) fail(`${typeName} \\# length is ${length} but no hex data follows`);
  const data = parseHex(joinTokens(tokens, 2), `${typeName} \\# data`);
  if (data.length !== length) fail(`${typeName} \\# data is ${data.length} octets, but the length says ${length}`);
  return data;
}

/** `\# 4 0A000001`, `\# 0` when empty (Knot's form). */
export function genericToText(rdata: Uint8Array): string {
  return rdata.length === 0 ? '\\# 0' : `\\# ${rdata.length} ${hexToText(rdata)}`;
}
