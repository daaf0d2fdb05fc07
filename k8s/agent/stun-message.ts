import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** STUN (RFC 8489) messages: what a Binding client sends and reads. */

export const MAGIC_COOKIE = 0x2112a442;
const HEADER_LENGTH = 20;
const TRANSACTION_ID_LENGTH = 12;

// RFC 8489 §5: method Binding (0x001) in the three classes a client meets
export const BINDING_REQUEST = 0x0001;
export const BINDING_SUCCESS = 0x0101;
export const BINDING_ERROR = 0x0111;

// RFC 8489 §18.3
export const ATTR_MAPPED_ADDRESS = 0x0001;
export const ATTR_ERROR_CODE = 0x0009;
export const ATTR_XOR_MAPPED_ADDRESS = 0x0020;
export const ATTR_FINGERPRINT = 0x8028;
const FINGERPRINT_XOR = 0x5354554e; // RFC 8489 §14.7: "STUN"

const FAMILY_IPV4 = 0x01;
const FAMILY_IPV6 = 0x02;

export interface MappedAddress {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
}

/** A decoded response, as data: the caller decides what each outcome means. */
export type StunResponse =
  | { readonly kind: 'success'; readonly transactionId: Buffer; readonly mapped: MappedAddress }
  | { readonly kind: 'error'; readonly transactionId: Buffer; readonly code: number; readonly reason: string }
  | { readonly kind: 'invalid'; readonly transactionId?: Buffer; readonly problem: string };

export function newTransactionId(): Buffer {
  return randomBytes(TRANSACTION_ID_LENGTH);
}

/** A Binding request without attributes (RFC 8489 §6.1, §7.1: none are required). */
export function encodeBindingRequest(transactionId: Buffer): Buffer {
  if (transactionId.length !== TRANSACTION_ID_LENGTH) {
    throw new RangeError(`a STUN transaction id has 12 bytes, not ${transactionId.length}`);
  }
  const message = Buffer.alloc(HEADER_LENGTH);
  message.writeUInt16BE(BINDING_REQUEST, 0);
  message.writeUInt16BE(0, 2);
  message.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(message, 8);
  return message;
}

/** Decodes a datagram; anything that is not a well-formed Binding response comes back `invalid`. */
export function decodeResponse(datagram: Buffer): StunResponse {
  // RFC 8489 §6.3: the checks that tell a STUN message from anything else
  if (datagram.length < HEADER_LENGTH) return { kind: 'invalid', problem: `${datagram.length} bytes: shorter than a STUN header` };
  const type = datagram.readUInt16BE(0);
  if ((type & 0xc000) !== 0) return { kind: 'invalid', problem: 'the two leading bits are not zero' };
  if (datagram.readUInt32BE(4) !== MAGIC_COOKIE) return { kind: 'invalid', problem: 'no magic cookie' };
  const length = datagram.readUInt16BE(2);
  if (length % 4 !== 0 || HEADER_LENGTH + length !== datagram.length) {
    return { kind: 'invalid', problem: `message length ${length} does not match the ${datagram.length}-byte datagram` };
  }
  const transactionId = Buffer.from(datagram.subarray(8, HEADER_LENGTH));
  if (type !== BINDING_SUCCESS && type !== BINDING_ERROR) {
    return { kind: 'invalid', transactionId, problem: `message type 0x${type.toString(16).padStart(4, '0')} is not a Binding response` };
  }
  const attributes = readAttributes(datagram);
  if (typeof attributes === 'string') return { kind: 'invalid', transactionId, problem: attributes };
  if (type === BINDING_ERROR) return decodeError(transactionId, attributes.get(ATTR_ERROR_CODE));
  // RFC 8489 §14.1: MAPPED-ADDRESS is only for RFC 3489 servers; XOR-MAPPED-ADDRESS is preferred
  const xored = attributes.get(ATTR_XOR_MAPPED_ADDRESS);
  const plain = attributes.get(ATTR_MAPPED_ADDRESS);
  const mapped = xored ? decodeAddress(xored, transactionId) : plain ? decodeAddress(plain) : 'no (XOR-)MAPPED-ADDRESS';
  if (typeof mapped === 'string') return { kind: 'invalid', transactionId, problem: mapped };
  return { kind: 'success', transactionId, mapped };
}

/** The first value of each attribute type (RFC 8489 §14: later duplicates are ignored), or a problem. */
function readAttributes(datagram: Buffer): Map<number, Buffer> | string {
  const found = new Map<number, Buffer>();
  let offset = HEADER_LENGTH;
  while (offset < datagram.length) {
    if (offset + 4 > datagram.length) return `attribute header cut at byte ${offset}`;
    const type = datagram.readUInt16BE(offset);
    const length = datagram.readUInt16BE(offset + 2);
    const end = offset + 4 + length;
    if (end > datagram.length) return `attribute 0x${type.toString(16)} runs past the message end`;
    if (!found.has(type)) found.set(type, datagram.subarray(offset + 4, end));
    // RFC 8489 §14.7: FINGERPRINT is last, the CRC-32 of the message before it XOR 0x5354554e
    if (type === ATTR_FINGERPRINT) {
      if (length !== 4 || end !== datagram.length) return 'FINGERPRINT is not the last attribute';
      const expected = (crc32(datagram.subarray(0, offset)) ^ FINGERPRINT_XOR) >>> 0;
      if (datagram.readUInt32BE(offset + 4) !== expected) return 'FINGERPRINT does not match the message';
    }
    // RFC 8489 §14: values are padded to a multiple of four bytes
    offset = end + ((4 - (length % 4)) % 4);
  }
  return found;
}

/** MAPPED-ADDRESS (RFC 8489 §14.1), or XOR-MAPPED-ADDRESS (§14.2) when a transaction id is given. */
function decodeAddress(value: Buffer, xorTransactionId?: Buffer): MappedAddress | string {
  if (value.length < 4) return 'address attribute shorter than 4 bytes';
  const family = value.readUInt8(1);
  const wantedLength = family === FAMILY_IPV4 ? 8 : family === FAMILY_IPV6 ? 20 : -1;
  if (wantedLength < 0) return `unknown address family ${family}`;
  if (value.length !== wantedLength) return `address attribute of ${value.length} bytes for family ${family}`;
  let port = value.readUInt16BE(2);
  const raw = Buffer.from(value.subarray(4));
  if (xorTransactionId) {
    port ^= MAGIC_COOKIE >>> 16;
    const key = Buffer.alloc(16);
    key.writeUInt32BE(MAGIC_COOKIE, 0);
    xorTransactionId.copy(key, 4);
    for (let i = 0; i < raw.length; i++) raw[i] = raw[i]! ^ key[i]!;
  }
  if (family === FAMILY_IPV4) return { family: 4, port, address: [...raw].join('.') };
  return { family: 6, port, address: formatIpv6(raw) };
}

function decodeError(transactionId: Buffer, value: Buffer | undefined): StunResponse {
  if (!value || value.length < 4) return { kind: 'invalid', transactionId, problem: 'error response without ERROR-CODE' };
  // RFC 8489 §14.8: class in the low 3 bits of byte 2, number (0-99) in byte 3
  const code = (value.readUInt8(2) & 0x07) * 100 + value.readUInt8(3);
  return { kind: 'error', transactionId, code, reason: value.subarray(4).toString('utf8') };
}

/** RFC 5952 text: lowercase, leading zeros dropped, the longest run (two or more) of zero groups as `::`. */
function formatIpv6(bytes: Buffer): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i));
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) [bestStart, bestLength] = [start, length];
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
