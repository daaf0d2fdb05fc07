import type { ChangeInput } from '../admin/transactions.js';
import { NameError, nameToText, parseName, type WireName } from '../../zones/name.js';
import { rdataFromText, RdataError, rdataToText } from '../../zones/rdata/index.js';
import { typeFromText } from '../../zones/rrtype.js';
import { lexOneEntry } from '../../zones/zonefile/lexer.js';
import { parseTtl } from '../../zones/zonefile/ttl.js';
import { CommandError, UsageError } from './program.js';

/**
 * knotc's record arguments as a zone file reads them: names relative to the zone unless they end
 * in a dot, `@` for the apex, the rdata in presentation format (its words joined by spaces, so
 * a TXT string with spaces is quoted inside the shell quotes: '"two words"'). They go to the API
 * absolute, the only form it takes.
 */

/** ZONE as an absolute name (wire form and text). */
export function zoneName(zone: string): { wire: WireName; text: string } {
  try {
    const wire = parseName(zone.endsWith('.') ? zone : `${zone}.`);
    return { wire, text: nameToText(wire) };
  } catch (err) {
    if (err instanceof NameError) throw new UsageError(`ZONE "${zone}" is not a domain name: ${err.message}`);
    throw err;
  }
}

/** An owner relative to the zone (or absolute, or `@`) → its absolute text. */
export function ownerName(owner: string, zone: WireName): string {
  try {
    return nameToText(parseName(owner, zone));
  } catch (err) {
    if (err instanceof NameError) throw new UsageError(`OWNER "${owner}" is not a domain name: ${err.message}`);
    throw err;
  }
}

/** A TYPE argument: a mnemonic or TYPEnnn, as the API takes it. */
export function typeArg(text: string): string {
  if (typeFromText(text) === undefined) throw new UsageError(`TYPE "${text}" is not an RR type (a mnemonic such as AAAA, or TYPEnnn)`);
  return text.toUpperCase();
}

/** `OWNER [TTL] [IN] TYPE RDATA...` of `zone set` → one set change. */
export function setChange(zone: WireName, args: readonly string[]): ChangeInput {
  const [owner, ...rest] = args;
  if (owner === undefined) throw new UsageError('zone set needs an OWNER, a TYPE and the RDATA');
  let ttl: number | undefined;
  if (rest[0] !== undefined && typeFromText(rest[0]) === undefined && /^[0-9]/.test(rest[0])) {
    const parsed = parseTtl(rest.shift()!);
    if (!parsed.ok) throw new UsageError(parsed.message);
    ttl = parsed.ttl;
  }
  if (rest[0]?.toUpperCase() === 'IN') rest.shift();
  const [typeText, ...rdata] = rest;
  if (typeText === undefined) throw new UsageError('zone set needs a TYPE and the RDATA after the OWNER');
  const type = typeArg(typeText);
  if (rdata.length === 0) throw new UsageError(`zone set needs the RDATA of the ${type} record`);
  const change: ChangeInput = { action: 'set', name: ownerName(owner, zone), type, content: absoluteRdata(type, rdata, zone) };
  if (ttl !== undefined) change.ttl = ttl;
  return change;
}

/** `OWNER [TYPE [RDATA...]]` of `zone unset` → one unset change. */
export function unsetChange(zone: WireName, args: readonly string[]): ChangeInput {
  const [owner, typeText, ...rdata] = args;
  if (owner === undefined) throw new UsageError('zone unset needs an OWNER');
  const change: ChangeInput = { action: 'unset', name: ownerName(owner, zone) };
  if (typeText === undefined) return change;
  change.type = typeArg(typeText);
  if (rdata.length > 0) change.content = absoluteRdata(change.type, rdata, zone);
  return change;
}

/** The rdata words read with the zone as origin, printed back with absolute names. */
function absoluteRdata(type: string, words: readonly string[], zone: WireName): string {
  const text = words.join(' ');
  if (/[\r\n]/.test(text)) throw new UsageError('RDATA must be one line (the rdata of one record)');
  const { tokens, errors } = lexOneEntry(text, 1);
  const code = typeFromText(type)!;
  try {
    if (errors.length > 0) throw new RdataError(errors[0]!.message);
    return rdataToText(code, rdataFromText(code, tokens, { origin: zone }));
  } catch (err) {
    if (err instanceof RdataError || err instanceof NameError) throw new CommandError(`${type} RDATA "${text}" is not valid: ${err.message}`);
    throw err;
  }
}
