/**
 * Domain names in two forms:
 *  - wire form: length-prefixed labels ending with the root label, case preserved (RFC 1035 §3.1);
 *  - canonical key: labels lowercased, in reverse order, each followed by a 0x00 terminator, so that
 *    byte order of keys equals DNSSEC canonical order (RFC 4034 §6.1). `www.Example.com.` →
 *    `com\0example\0www\0`; the root is the empty key. Bytes 0x00 and 0x01 inside a label are escaped
 *    as 0x01 0x01 and 0x01 0x02, which keeps the order intact.
 */

export type WireName = Uint8Array;

export const MAX_NAME_LENGTH = 255;
export const MAX_LABEL_LENGTH = 63;

export class NameError extends Error {
  override name = 'NameError';
  constructor(message: string, readonly code = 'MESHDNS_ERR_NAME') {
    super(message);
  }
}

export const ROOT: WireName = Uint8Array.of(0);

const lowerTable = new Uint8Array(256);
for (let i = 0; i < 256; i++) lowerTable[i] = i >= 0x41 && i <= 0x5a ? i + 0x20 : i;
export const LOWER = lowerTable;

/**
 * Parses a name in presentation format. A name without a trailing dot is relative to `origin`;
 * `@` is the origin. Escapes `\X` and `\DDD` are honoured (RFC 1035 §5.1).
 */
export function parseName(text: string, origin?: WireName): WireName {
  if (text === '@') {
    if (!origin) throw new NameError(`"@" used without an origin`);
    return origin;
  }
  if (text === '.') return ROOT;
  if (text.length === 0) throw new NameError('empty name');
  const labels: number[][] = [];
  let label: number[] = [];
  let absolute = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      const d1 = text.charCodeAt(i + 1);
      if (Number.isNaN(d1)) throw new NameError(`name "${text}" ends with a lone backslash`);
      if (isDigit(d1)) {
        const digits = text.slice(i + 1, i + 4);
        if (!/^[0-9]{3}$/.test(digits)) throw new NameError(`name "${text}" has a bad \\DDD escape`);
        const v = Number(digits);
        if (v > 255) throw new NameError(`name "${text}" has \\${digits}, above 255`);
        label.push(v);
        i += 3;
      } else {
        label.push(utf8Byte(text, i + 1));
        i += 1;
      }
      continue;
    }
    if (c === 0x2e /* . */) {
      if (label.length === 0) throw new NameError(`name "${text}" has an empty label`);
      labels.push(label);
      label = [];
      if (i === text.length - 1) absolute = true;
      continue;
    }
    if (c > 0x7e || c < 0x21) {
      if (c > 0x7f) {
        for (const b of Buffer.from(text[i]!, 'utf8')) label.push(b);
        continue;
      }
      throw new NameError(`name "${text}" contains a character that must be escaped (code ${c})`);
    }
    label.push(c);
  }
  if (label.length > 0) labels.push(label);
  let size = 1;
  for (const l of labels) {
    if (l.length > MAX_LABEL_LENGTH) {
      throw new NameError(`name "${text}" has a label of ${l.length} octets, above ${MAX_LABEL_LENGTH}`);
    }
    size += l.length + 1;
  }
  const originPart = absolute ? ROOT : origin;
  if (!originPart) throw new NameError(`relative name "${text}" used without an origin`);
  size += originPart.length - 1;
  if (size > MAX_NAME_LENGTH) throw new NameError(`name "${text}" is ${size} octets long, above ${MAX_NAME_LENGTH}`);
  const out = new Uint8Array(size);
  let p = 0;
  for (const l of labels) {
    out[p++] = l.length;
    for (const b of l) out[p++] = b;
  }
  out.set(originPart, p);
  return out;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function utf8Byte(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c > 0x7f) throw new NameError(`name "${text}" escapes a non-ASCII character; use \\DDD`);
  return c;
}

/**
 * How each octet of a label is printed. RFC 1035 §5.1 names the characters that must be escaped
 * (`. \ " ( ) ; @ $` and blanks); Knot's zscanner (kzonecheck, knotc) also refuses any other
 * punctuation in a name unless escaped, so we print as Knot's knot_dname_to_str does: letters,
 * digits and `- _ * /` as they are, other printable punctuation as `\c`, `#` (which zscanner reads
 * as the start of RFC 3597 data) and everything else as `\DDD`. BIND reads all of it back.
 */
const LABEL_OCTET: readonly string[] = Array.from({ length: 256 }, (_, b) => {
  const c = String.fromCharCode(b);
  if (/[A-Za-z0-9\-_*\/]/.test(c)) return c;
  if (b > 0x20 && b < 0x7f && b !== 0x23) return `\\${c}`;
  return `\\${String(b).padStart(3, '0')}`;
});

/** Presentation format with a trailing dot; special characters escaped as Knot prints them. */
export function nameToText(name: WireName, offset = 0): string {
  let out = '';
  let p = offset;
  for (;;) {
    const len = name[p];
    if (len === undefined) throw new NameError('truncated wire name');
    if (len === 0) break;
    for (let i = 1; i <= len; i++) out += LABEL_OCTET[name[p + i]!]!;
    out += '.';
    p += len + 1;
  }
  return out === '' ? '.' : out;
}

/** Length in octets of the uncompressed wire name starting at `offset`. */
export function wireNameLength(name: Uint8Array, offset = 0): number {
  let p = offset;
  for (;;) {
    const len = name[p];
    if (len === undefined) throw new NameError('truncated wire name');
    if (len === 0) return p - offset + 1;
    if (len > MAX_LABEL_LENGTH) throw new NameError('compressed or invalid label in uncompressed name');
    p += len + 1;
  }
}

export function labelCount(name: WireName): number {
  let n = 0;
  let p = 0;
  while (name[p]! !== 0) {
    n++;
    p += name[p]! + 1;
  }
  return n;
}

/** Canonical key of a wire name (see the file comment). */
export function nameToKey(name: WireName, offset = 0): Buffer {
  const starts: number[] = [];
  let p = offset;
  let escapes = 0;
  for (;;) {
    const len = name[p]!;
    if (len === 0) break;
    starts.push(p);
    for (let i = 1; i <= len; i++) if (name[p + i]! <= 1) escapes++;
    p += len + 1;
  }
  const size = p - offset + escapes; // label bytes plus one terminator per label (replacing length octets)
  const key = Buffer.allocUnsafe(size);
  writeKeyLabels(name, starts, key);
  return key;
}

/**
 * Writes the canonical key of a name into `out` from 0, given where its labels start (in wire
 * order; `out` needs up to twice the name's length); returns the key's length.
 */
export function writeKeyLabels(name: Uint8Array, starts: readonly number[], out: Uint8Array): number {
  let k = 0;
  for (let s = starts.length - 1; s >= 0; s--) {
    const start = starts[s]!;
    const len = name[start]!;
    for (let i = 1; i <= len; i++) {
      const b = name[start + i]!;
      if (b <= 1) {
        out[k++] = 1;
        out[k++] = b + 1;
      } else {
        out[k++] = LOWER[b]!;
      }
    }
    out[k++] = 0;
  }
  return k;
}

/** Inverse of nameToKey: a lowercased wire name. */
export function keyToName(key: Uint8Array): WireName {
  const labels: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < key.length; i++) {
    if (key[i] === 0) {
      labels.push(unescapeLabel(key.subarray(start, i)));
      start = i + 1;
    }
  }
  let size = 1;
  for (const l of labels) size += l.length + 1;
  const out = new Uint8Array(size);
  let p = 0;
  for (let i = labels.length - 1; i >= 0; i--) {
    const l = labels[i]!;
    out[p++] = l.length;
    out.set(l, p);
    p += l.length;
  }
  out[p] = 0;
  return out;
}

function unescapeLabel(bytes: Uint8Array): Uint8Array {
  if (!bytes.includes(1)) return bytes;
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 1) {
      out.push(bytes[i + 1]! - 1);
      i++;
    } else out.push(bytes[i]!);
  }
  return Uint8Array.from(out);
}

/** Key of the parent name (one label less); undefined for the root. */
export function parentKey(key: Uint8Array): Uint8Array | undefined {
  if (key.length === 0) return undefined;
  // the last byte is the terminator of the leftmost label; find the terminator before it
  // (a 0x00 byte is always a terminator: escapes never produce one)
  for (let i = key.length - 2; i >= 0; i--) if (key[i] === 0) return key.subarray(0, i + 1);
  return key.subarray(0, 0);
}

/** Number of labels encoded in a canonical key. */
export function keyLabelCount(key: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < key.length; i++) if (key[i] === 0) n++;
  return n;
}

/** True when `key` is `ancestor` or below it. */
export function keyIsSubdomain(key: Uint8Array, ancestor: Uint8Array): boolean {
  if (ancestor.length > key.length) return false;
  for (let i = 0; i < ancestor.length; i++) if (key[i] !== ancestor[i]) return false;
  return true;
}

export function keyToText(key: Uint8Array): string {
  return nameToText(keyToName(key));
}

export function nameEquals(a: WireName, b: WireName): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (LOWER[a[i]!] !== LOWER[b[i]!]) return false;
  return true;
}

/** True when the name at `offset` in `name` is `apex` or below it (labels compared without case). */
export function isInZone(name: Uint8Array, apex: WireName, offset = 0): boolean {
  const end = offset + wireNameLength(name, offset);
  let p = offset;
  while (end - p > apex.length) p += name[p]! + 1;
  if (end - p !== apex.length) return false;
  for (let i = 0; i < apex.length; i++) if (LOWER[name[p + i]!] !== LOWER[apex[i]!]) return false;
  return true;
}

/** Lowercased copy of a wire name (RFC 4034 §6.2 canonical form for owner names). */
export function lowerName(name: WireName): WireName {
  const out = new Uint8Array(name.length);
  for (let i = 0; i < name.length; i++) out[i] = LOWER[name[i]!]!;
  // length octets are < 0x41 so lowering them is a no-op
  return out;
}

/** Wire name with `label` prepended (for `*.` wildcards and synthesised names). */
export function prependLabel(label: Uint8Array, name: WireName): WireName {
  if (label.length > MAX_LABEL_LENGTH) throw new NameError('label too long');
  if (label.length + 1 + name.length > MAX_NAME_LENGTH) throw new NameError('name too long');
  const out = new Uint8Array(label.length + 1 + name.length);
  out[0] = label.length;
  out.set(label, 1);
  out.set(name, label.length + 1);
  return out;
}

export const WILDCARD_LABEL = Uint8Array.of(0x2a);
