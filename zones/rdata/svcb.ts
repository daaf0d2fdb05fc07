/**
 * SVCB and HTTPS (RFC 9460): `priority target key[=value]...`. Parameters are parsed here into wire
 * order (sorted by key, duplicates refused); the value formats are in svcb-params.ts.
 *
 * The zone-file lexer ends an unquoted token at `"`, so `alpn="h2,h3"` arrives as the token `alpn=`
 * followed by the quoted token `h2,h3`; quoted tokens after a `key=...` token continue its value
 * (Knot prints `alpn=h2,"a b"`), and a single token `alpn="h2,h3"` (other sources) works too.
 */
import { RRType } from '../rrtype.js';
import type { RdataCodec, Token } from './codec.js';
import { expectAtLeast, fail, parseNameField, parseU16, q, Reader, Writer } from './fields.js';
import { keyFromText, keyToText, paramFromText, paramToText, walkSvcParams, Key } from './svcb-params.js';
import { unescapeText } from './text-string.js';

interface RawParam {
  key: number;
  keyText: string;
  /** The value with char-string escapes decoded; undefined when written without `=`. */
  value: Uint8Array | undefined;
  valueText: string;
}

/** Splits the parameter tokens into keys and (char-string decoded) values. */
function splitParams(tokens: readonly Token[], typeName: string): RawParam[] {
  const params: RawParam[] = [];
  for (let i = 2; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.quoted) fail(`${typeName} parameter ${q(t.value)} is quoted; write key="value"`);
    const eq = t.value.indexOf('=');
    const keyText = eq < 0 ? t.value : t.value.slice(0, eq);
    const key = keyFromText(keyText, typeName);
    let valueText: string | undefined;
    if (eq >= 0) {
      valueText = t.value.slice(eq + 1);
      if (tokens[i + 1]?.quoted) {
        // `key="v"`, or Knot's `alpn=h2,"a b"`: quoted parts continue the value
        while (tokens[i + 1]?.quoted) valueText += tokens[++i]!.value;
      } else if (valueText.startsWith('"')) {
        // one token holding the quotes; a quoted value with spaces may have been split on them
        while (!closesQuote(valueText) && i + 1 < tokens.length) valueText += ' ' + tokens[++i]!.value;
        if (!closesQuote(valueText)) fail(`${typeName} ${keyText} value ${q(valueText)} has no closing quote`);
        valueText = valueText.slice(1, -1);
      }
    }
    const value = valueText === undefined ? undefined : unescapeText(valueText, `${typeName} ${keyText} value`);
    params.push({ key, keyText, value, valueText: valueText ?? '' });
  }
  return params;
}

function closesQuote(s: string): boolean {
  if (s.length < 2 || !s.endsWith('"')) return false;
  let backslashes = 0;
  for (let i = s.length - 2; i >= 1 && s[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 0;
}

function svcb(type: number, typeName: string): RdataCodec {
  return {
    type,
    fromText(tokens, ctx) {
      expectAtLeast(tokens, typeName, ['priority', 'target']);
      const priority = parseU16(tokens[0]!.value, `${typeName} priority`);
      const target = parseNameField(tokens[1]!.value, ctx, `${typeName} target`);
      const params = splitParams(tokens, typeName).sort((a, b) => a.key - b.key);
      const present = new Set<number>();
      for (const p of params) {
        if (present.has(p.key)) fail(`${typeName} parameter ${keyToText(p.key)} appears more than once`);
        present.add(p.key);
      }
      const w = new Writer().u16(priority).bytes(target);
      for (const p of params) {
        const value = paramFromText(p.key, p.value, p.valueText, `${typeName} ${p.keyText}`);
        if (value.length > 0xffff) fail(`${typeName} ${p.keyText} value is ${value.length} octets, above 65535`);
        w.u16(p.key).u16(value.length).bytes(value);
        if (p.key === Key.mandatory) {
          for (let i = 0; i < value.length; i += 2) {
            const k = (value[i]! << 8) | value[i + 1]!;
            // RFC 9460 §8: keys listed as mandatory must be present
            if (!present.has(k)) fail(`${typeName} mandatory lists ${keyToText(k)}, which is not present`);
          }
        }
      }
      // RFC 9460 §7.1.1: no-default-alpn without alpn is not self-consistent
      if (present.has(Key.noDefaultAlpn) && !present.has(Key.alpn)) fail(`${typeName} no-default-alpn needs an alpn parameter`);
      return w.finish(typeName);
    },
    toText(r) {
      const rd = new Reader(r, typeName);
      let s = `${rd.u16('priority')} ${rd.name('target')}`;
      walkSvcParams(r, rd.pos, r.length, typeName, (key, start, end) => {
        s += ' ' + paramToText(key, r, start, end);
      });
      return s;
    },
  };
}

export const SVCB = svcb(RRType.SVCB, 'SVCB');
export const HTTPS = svcb(RRType.HTTPS, 'HTTPS');
