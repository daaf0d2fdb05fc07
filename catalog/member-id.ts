import { lowerName, type WireName } from '../zones/name.js';

const MASK = (1n << 64n) - 1n;

function rotl(x: bigint, b: bigint): bigint {
  return ((x << b) | (x >> (64n - b))) & MASK;
}

/** SipHash-2-4 (Aumasson & Bernstein) of `data` with a 128-bit key given as two little-endian words. */
export function siphash24(data: Uint8Array, k0 = 0n, k1 = 0n): bigint {
  let v0 = 0x736f6d6570736575n ^ k0;
  let v1 = 0x646f72616e646f6dn ^ k1;
  let v2 = 0x6c7967656e657261n ^ k0;
  let v3 = 0x7465646279746573n ^ k1;
  const round = (): void => {
    v0 = (v0 + v1) & MASK; v1 = rotl(v1, 13n); v1 ^= v0; v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & MASK; v3 = rotl(v3, 16n); v3 ^= v2;
    v0 = (v0 + v3) & MASK; v3 = rotl(v3, 21n); v3 ^= v0;
    v2 = (v2 + v1) & MASK; v1 = rotl(v1, 17n); v1 ^= v2; v2 = rotl(v2, 32n);
  };
  const whole = data.length - (data.length % 8);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < whole; i += 8) {
    const m = view.getBigUint64(i, true);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  let last = BigInt(data.length & 0xff) << 56n;
  for (let i = whole; i < data.length; i++) last |= BigInt(data[i]!) << BigInt(8 * (i - whole));
  v3 ^= last;
  round();
  round();
  v0 ^= last;
  v2 ^= 0xffn;
  round();
  round();
  round();
  round();
  return (v0 ^ v1 ^ v2 ^ v3) & MASK;
}

/**
 * The unique id of a member in a catalog we produce (RFC 9432 §4.1): Knot's `catalog_member_owner`
 * — SipHash-2-4 with a zero key over the member's wire name and a big-endian 64-bit time, printed as
 * the hash's eight octets in memory order (little-endian) in hex — with the time fixed at 0, so
 * the id depends on the name alone: the same after a restart, and after the zone is deleted and
 * created again (a re-created zone is not a new zone to the consumers, who keep its data).
 */
export function memberId(member: WireName): string {
  const name = lowerName(member);
  const input = new Uint8Array(name.length + 8);
  input.set(name, 0);
  const hash = siphash24(input);
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(hash);
  return out.toString('hex');
}
