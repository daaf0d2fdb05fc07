import { MAX_LABEL_LENGTH, MAX_NAME_LENGTH, parseName, type WireName } from '../name.js';

/**
 * Owner names are on every line of a zone file, so the common spelling — printable ASCII, no
 * escapes — is converted here in one pass without intermediate arrays. Anything else (escapes,
 * non-ASCII, empty or long labels, a name too long) goes to parseName, which also words the errors.
 * The result is byte-for-byte what parseName returns.
 */
export function parseOwnerName(text: string, origin: WireName): WireName {
  const n = text.length;
  if (n === 0 || n > MAX_NAME_LENGTH || (n === 1 && (text === '@' || text === '.'))) return parseName(text, origin);
  const absolute = text.charCodeAt(n - 1) === 0x2e;
  const end = absolute ? n - 1 : n;
  // check the characters and label lengths first
  let labelLen = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (labelLen === 0) return parseName(text, origin);
      labelLen = 0;
    } else if (c < 0x21 || c > 0x7e || c === 0x5c) {
      return parseName(text, origin);
    } else if (++labelLen > MAX_LABEL_LENGTH) {
      return parseName(text, origin);
    }
  }
  if (labelLen === 0) return parseName(text, origin);
  // "a.b" takes end + 1 octets: a length octet per label, the dots become the other length octets
  const size = end + 1 + (absolute ? 1 : origin.length);
  if (size > MAX_NAME_LENGTH) return parseName(text, origin);
  const out = new Uint8Array(size);
  let lenAt = 0;
  let p = 1;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      out[lenAt] = p - lenAt - 1;
      lenAt = p++;
    } else {
      out[p++] = c;
    }
  }
  out[lenAt] = p - lenAt - 1;
  if (absolute) out[p] = 0;
  else out.set(origin, p);
  return out;
}

