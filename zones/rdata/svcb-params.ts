/**
 * SvcParam keys and values (RFC 9460 §7, Appendix A; dohpath RFC 9461; ohttp RFC 9540).
 * Values arrive here with the char-string escapes already decoded. Value lists (alpn, mandatory)
 * then use their own level of escaping: `\,` is a comma inside an item and `\\` a backslash, so the
 * zone text `alpn=h\\,3` names the single protocol `h,3` (RFC 9460 Appendix A.1).
 */
import { ipv4ToText, ipv6ToText, parseIPv4Into, parseIPv6Into } from './address.js';
import { base64ToText, parseBase64 } from './encoding.js';
import { fail, parseU16, q } from './fields.js';
import { escapeText } from './text-string.js';

export const Key = {
  mandatory: 0, alpn: 1, noDefaultAlpn: 2, port: 3, ipv4hint: 4, ech: 5, ipv6hint: 6, dohpath: 7, ohttp: 8,
} as const;

const NAMES = ['mandatory', 'alpn', 'no-default-alpn', 'port', 'ipv4hint', 'ech', 'ipv6hint', 'dohpath', 'ohttp'];
const BY_NAME = new Map(NAMES.map((n, i) => [n, i]));

/** `alpn` → 1, `key65000` → 65000. */
export function keyFromText(text: string, typeName: string): number {
  const known = BY_NAME.get(text.toLowerCase());
  if (known !== undefined) return known;
  if (/^key[0-9]{1,5}$/i.test(text)) {
    const n = Number(text.slice(3));
    if (n > 0xffff) fail(`${typeName} parameter key ${q(text)} is above key65535`);
    return n;
  }
  fail(`${typeName} parameter key ${q(text)} is not known (use keyNNNNN for others)`);
}

export function keyToText(key: number): string {
  return NAMES[key] ?? `key${key}`;
}

const latin1 = new TextDecoder('latin1');

/** Splits a decoded value list at unescaped commas, removing the list-level escapes. */
function splitList(v: Uint8Array, field: string): Uint8Array[] {
  const items: Uint8Array[] = [];
  let cur: number[] = [];
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    if (b === 0x5c) {
      if (i + 1 >= v.length) fail(`${field} ${q(latin1.decode(v))} ends with a lone backslash`);
      cur.push(v[++i]!);
    } else if (b === 0x2c) {
      items.push(Uint8Array.from(cur));
      cur = [];
    } else cur.push(b);
  }
  items.push(Uint8Array.from(cur));
  return items;
}

/** Wire value of one parameter; `value` is undefined for a bare key. */
export function paramFromText(key: number, value: Uint8Array | undefined, raw: string, field: string): Uint8Array {
  const needValue = (): Uint8Array => {
    if (value === undefined || value.length === 0) fail(`${field} needs a value`);
    return value;
  };
  switch (key) {
    case Key.mandatory: {
      const keys = splitList(needValue(), field).map((k) => keyFromText(latin1.decode(k), field));
      keys.sort((a, b) => a - b);
      const out = new Uint8Array(keys.length * 2);
      keys.forEach((k, i) => {
        if (k === Key.mandatory) fail(`${field} ${q(raw)} must not list mandatory itself`);
        if (i > 0 && keys[i - 1] === k) fail(`${field} ${q(raw)} lists ${keyToText(k)} twice`);
        out[i * 2] = k >> 8;
        out[i * 2 + 1] = k & 0xff;
      });
      return out;
    }
    case Key.alpn: {
      const ids = splitList(needValue(), field);
      let size = 0;
      for (const id of ids) {
        if (id.length === 0) fail(`${field} ${q(raw)} has an empty protocol id`);
        if (id.length > 255) fail(`${field} ${q(raw)} has a protocol id longer than 255 octets`);
        size += 1 + id.length;
      }
      const out = new Uint8Array(size);
      let p = 0;
      for (const id of ids) {
        out[p++] = id.length;
        out.set(id, p);
        p += id.length;
      }
      return out;
    }
    case Key.noDefaultAlpn:
    case Key.ohttp:
      if (value !== undefined && value.length > 0) fail(`${field} takes no value, got ${q(raw)}`);
      return new Uint8Array(0);
    case Key.port:
      return u16Bytes(parseU16(latin1.decode(needValue()), field));
    case Key.ipv4hint:
    case Key.ipv6hint: {
      const size = key === Key.ipv4hint ? 4 : 16;
      const addrs = latin1.decode(needValue()).split(',');
      const out = new Uint8Array(addrs.length * size);
      addrs.forEach((a, i) => (size === 4 ? parseIPv4Into : parseIPv6Into)(a, out, i * size, field));
      return out;
    }
    case Key.ech:
      if (value === undefined) fail(`${field} needs a value`);
      return value.length === 0 ? value : parseBase64(latin1.decode(value), field);
    default:
      return value ?? new Uint8Array(0);
  }
}

function u16Bytes(v: number): Uint8Array {
  return Uint8Array.of(v >> 8, v & 0xff);
}

/**
 * Walks SvcParams from `pos` to `end`, checking the wire rules (RFC 9460 §2.2: keys strictly
 * increasing, values of the expected format) and calling `visit` for each parameter.
 */
export function walkSvcParams(r: Uint8Array, pos: number, end: number, typeName: string, visit?: (key: number, start: number, end: number) => void): void {
  let p = pos;
  let last = -1;
  while (p < end) {
    if (p + 4 > end) fail(`${typeName} rdata is truncated: parameter header at offset ${p}`);
    const key = (r[p]! << 8) | r[p + 1]!;
    const len = (r[p + 2]! << 8) | r[p + 3]!;
    const start = p + 4;
    const stop = start + len;
    if (key <= last) fail(`${typeName} parameter ${keyToText(key)} is not after ${keyToText(last)}: keys must be strictly increasing`);
    if (stop > end) fail(`${typeName} parameter ${keyToText(key)} says ${len} octets, only ${end - start} left`);
    checkValue(key, r, start, stop, `${typeName} ${keyToText(key)}`);
    visit?.(key, start, stop);
    last = key;
    p = stop;
  }
}

function checkValue(key: number, r: Uint8Array, start: number, end: number, field: string): void {
  const len = end - start;
  const bad = (why: string): never => fail(`${field} value is malformed: ${why}`);
  switch (key) {
    case Key.mandatory:
      if (len === 0 || len % 2 !== 0) bad(`${len} octets is not a non-empty list of keys`);
      for (let i = start, prev = -1; i < end; i += 2) {
        const k = (r[i]! << 8) | r[i + 1]!;
        if (k === Key.mandatory) bad('lists mandatory itself');
        if (k <= prev) bad('keys are not strictly increasing');
        prev = k;
      }
      return;
    case Key.alpn:
      if (len === 0) bad('empty');
      for (let i = start; i < end; ) {
        const n = r[i]!;
        if (n === 0) bad('empty protocol id');
        i += 1 + n;
        if (i > end) bad('protocol id overruns the value');
      }
      return;
    case Key.noDefaultAlpn:
    case Key.ohttp:
      if (len !== 0) bad(`${len} octets where none are allowed`);
      return;
    case Key.port:
      if (len !== 2) bad(`${len} octets, must be 2`);
      return;
    case Key.ipv4hint:
      if (len === 0 || len % 4 !== 0) bad(`${len} octets is not a non-empty list of IPv4 addresses`);
      return;
    case Key.ipv6hint:
      if (len === 0 || len % 16 !== 0) bad(`${len} octets is not a non-empty list of IPv6 addresses`);
      return;
    default:
      return;
  }
}

/** Escaped for a zone file; quoted when empty or when it holds characters that split tokens. */
function valueText(bytes: Uint8Array, alwaysQuote: boolean): string {
  const s = escapeText(bytes, 0, bytes.length, false);
  let quote = alwaysQuote || s.length === 0;
  for (let i = 0; !quote && i < s.length; i++) {
    const c = s.charCodeAt(i);
    quote = c === 0x20 || c === 0x3b || c === 0x28 || c === 0x29;
  }
  return quote ? `"${s}"` : s;
}

/** Adds the list-level escapes of one value-list item. */
function listItem(r: Uint8Array, start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i++) {
    const b = r[i]!;
    if (b === 0x2c || b === 0x5c) out.push(0x5c);
    out.push(b);
  }
  return out;
}

/** One parameter as `key` or `key=value`; the value was checked by walkSvcParams. */
export function paramToText(key: number, r: Uint8Array, start: number, end: number): string {
  const name = keyToText(key);
  switch (key) {
    case Key.mandatory: {
      const keys: string[] = [];
      for (let i = start; i < end; i += 2) keys.push(keyToText((r[i]! << 8) | r[i + 1]!));
      return `${name}=${keys.join(',')}`;
    }
    case Key.alpn: {
      const bytes: number[] = [];
      for (let i = start; i < end; i += 1 + r[i]!) {
        if (bytes.length > 0) bytes.push(0x2c);
        bytes.push(...listItem(r, i + 1, i + 1 + r[i]!));
      }
      return `${name}=${valueText(Uint8Array.from(bytes), false)}`;
    }
    case Key.noDefaultAlpn:
    case Key.ohttp:
      return name;
    case Key.port:
      return `${name}=${(r[start]! << 8) | r[start + 1]!}`;
    case Key.ipv4hint:
    case Key.ipv6hint: {
      const addrs: string[] = [];
      const size = key === Key.ipv4hint ? 4 : 16;
      for (let i = start; i < end; i += size) addrs.push(size === 4 ? ipv4ToText(r, i) : ipv6ToText(r, i));
      return `${name}=${addrs.join(',')}`;
    }
    case Key.ech:
      return end > start ? `${name}=${base64ToText(r.subarray(start, end))}` : `${name}=""`;
    case Key.dohpath:
      return `${name}=${valueText(r.subarray(start, end), false)}`;
    default:
      // Knot and BIND quote the values of keys they do not know; an empty one is a bare key
      return end > start ? `${name}=${valueText(r.subarray(start, end), true)}` : name;
  }
}
