/**
 * The few header fields routing needs, read without calling into the library (RFC 9000 §17):
 * a long header carries its DCID length, a short header's DCID is ours and so of known length.
 */

export function isLongHeader(data: Buffer): boolean {
  return data.length > 0 && (data[0]! & 0x80) !== 0;
}

/** The destination connection ID as a map key, or undefined when the datagram cannot be QUIC. */
export function dcidKey(data: Buffer, shortLength: number): string | undefined {
  if (data.length < 2) return undefined;
  // RFC 9000 §17.2 / §17.3: the fixed bit is 1 in every packet of version 1
  if ((data[0]! & 0x40) === 0 && (data[0]! & 0x80) === 0) return undefined;
  if (isLongHeader(data)) {
    if (data.length < 6) return undefined;
    const length = data[5]!;
    if (length > 20 || data.length < 6 + length) return undefined;
    return data.toString('latin1', 6, 6 + length);
  }
  if (data.length < 1 + shortLength) return undefined;
  return data.toString('latin1', 1, 1 + shortLength);
}

/** A long header's version (0 for a short header or a Version Negotiation packet). */
export function packetVersion(data: Buffer): number {
  return isLongHeader(data) && data.length >= 5 ? data.readUInt32BE(1) : 0;
}

/** A long header's destination and source connection IDs (RFC 9000 §17.2). */
export function longHeaderIds(data: Buffer): { dcid: Buffer; scid: Buffer } | undefined {
  if (!isLongHeader(data) || data.length < 7) return undefined;
  const dlen = data[5]!;
  if (data.length < 7 + dlen) return undefined;
  const slen = data[6 + dlen]!;
  if (dlen > 20 || slen > 20 || data.length < 7 + dlen + slen) return undefined;
  return { dcid: data.subarray(6, 6 + dlen), scid: data.subarray(7 + dlen, 7 + dlen + slen) };
}
