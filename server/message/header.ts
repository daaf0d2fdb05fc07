/** The 12-octet DNS header (RFC 1035 §4.1.1): field offsets and the bits of its flags word. */

export const HEADER_LENGTH = 12;

/** Byte offsets of the header fields (each 16 bits, network order). */
export const Header = { ID: 0, FLAGS: 2, QDCOUNT: 4, ANCOUNT: 6, NSCOUNT: 8, ARCOUNT: 10 } as const;

/** Bits of the 16-bit flags word. */
export const Flag = {
  QR: 0x8000,
  AA: 0x0400,
  TC: 0x0200,
  RD: 0x0100,
  RA: 0x0080,
  /** RFC 4035 §3.2.3 */
  AD: 0x0020,
  /** RFC 4035 §3.2.2 */
  CD: 0x0010,
} as const;

export const OPCODE_SHIFT = 11;
export const OPCODE_MASK = 0x7800;
export const RCODE_MASK = 0x000f;

/** QR and AA seen in the flags word's first octet alone (the message's third octet). */
export const FLAGS_HI_QR = Flag.QR >> 8;
export const FLAGS_HI_AA = Flag.AA >> 8;

/** The opcode of a message whose header is at least 3 octets long. */
export function opcodeOf(msg: Uint8Array): number {
  return (msg[2]! >> 3) & 0x0f;
}

/** The header's 4-bit RCODE (the extended part, if any, lives in OPT). */
export function rcodeOf(msg: Uint8Array): number {
  return msg[3]! & RCODE_MASK;
}
