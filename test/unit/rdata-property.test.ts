/**
 * Properties over generated rdata (fast-check):
 *  - structured wire rdata of every type with a codec (built from its wire layout, with arbitrary
 *    octets in strings and names) validates, and text → wire gives the same octets back;
 *  - random octets either fail validation with an RdataError or round-trip likewise, and no API
 *    ever throws anything but RdataError;
 *  - IPv6 text is what inet_ntop prints (Node's SocketAddress is the reference).
 */
import assert from 'node:assert/strict';
import { SocketAddress } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import { canonicalRdata, codecOf, RdataError, rdataFromText, rdataFromWire, rdataNames, rdataToText, validateRdata } from '../../zones/rdata/index.js';
import { layoutOf, type Field } from '../../zones/rdata/layout.js';
import { tokenize } from './rdata-tokens.js';

const ctx = { origin: parseName('example.com.') };
const TYPES = Object.values(RRType).filter((t) => codecOf(t) !== undefined);

const u8 = (n: number): fc.Arbitrary<number[]> => fc.array(fc.integer({ min: 0, max: 255 }), { minLength: n, maxLength: n });
const octets = (min: number, max: number): fc.Arbitrary<number[]> => fc.array(fc.integer({ min: 0, max: 255 }), { minLength: min, maxLength: max });
const prefixed = (min: number, max: number): fc.Arbitrary<number[]> => octets(min, max).map((b) => [b.length, ...b]);

/** Any octets in labels, including dots, backslashes, spaces and non-ASCII. */
const name = fc.array(octets(1, 8), { maxLength: 4 }).map((labels) => [...labels.flatMap((l) => [l.length, ...l]), 0]);

const bitmap = fc.uniqueArray(fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 65535 })), { maxLength: 6 }).map((types) => {
  const windows = new Map<number, number[]>();
  for (const t of types) {
    const w = windows.get(t >> 8) ?? [];
    const i = (t & 0xff) >> 3;
    while (w.length <= i) w.push(0);
    w[i]! |= 0x80 >> (t & 7);
    windows.set(t >> 8, w);
  }
  return [...windows.keys()].sort((a, b) => a - b).flatMap((k) => [k, windows.get(k)!.length, ...windows.get(k)!]);
});

const alnum = fc.array(fc.constantFrom(...'abcXYZ0129'.split('').map((c) => c.charCodeAt(0))), { minLength: 1, maxLength: 15 });

const svcParams = fc
  .record({
    alpn: fc.option(fc.array(octets(1, 6), { minLength: 1, maxLength: 3 })),
    ndAlpn: fc.boolean(),
    port: fc.option(u8(2)),
    v4: fc.option(fc.array(u8(4), { minLength: 1, maxLength: 2 })),
    ech: fc.option(octets(0, 12)),
    v6: fc.option(fc.array(u8(16), { minLength: 1, maxLength: 2 })),
    doh: fc.option(octets(0, 12)),
    ohttp: fc.boolean(),
    k100: fc.option(octets(0, 8)),
    mandatory: fc.boolean(),
  })
  .map((p) => {
    const params = new Map<number, number[]>();
    if (p.alpn) params.set(1, p.alpn.flatMap((id) => [id.length, ...id]));
    if (p.alpn && p.ndAlpn) params.set(2, []);
    if (p.port) params.set(3, p.port);
    if (p.v4) params.set(4, p.v4.flat());
    if (p.ech) params.set(5, p.ech);
    if (p.v6) params.set(6, p.v6.flat());
    if (p.doh) params.set(7, p.doh);
    if (p.ohttp) params.set(8, []);
    if (p.k100) params.set(100, p.k100);
    if (p.mandatory && params.size > 0) params.set(0, [...params.keys()].sort((a, b) => a - b).flatMap((k) => [k >> 8, k & 0xff]));
    return [...params.keys()].sort((a, b) => a - b).flatMap((k) => {
      const v = params.get(k)!;
      return [k >> 8, k & 0xff, v.length >> 8, v.length & 0xff, ...v];
    });
  });

const aplItem = fc.record({ v6: fc.boolean(), neg: fc.boolean(), addr: u8(16), prefix: fc.integer({ min: 0, max: 128 }) }).map(({ v6, neg, addr, prefix }) => {
  const size = v6 ? 16 : 4;
  let len = size;
  const a = addr.slice(0, size);
  while (len > 0 && a[len - 1] === 0) len--;
  return [0, v6 ? 2 : 1, v6 ? prefix : prefix % 33, (neg ? 0x80 : 0) | len, ...a.slice(0, len)];
});

const sizeOctet = fc.record({ m: fc.integer({ min: 1, max: 9 }), e: fc.integer({ min: 0, max: 9 }) }).map(({ m, e }) => (m << 4) | e);
const u32 = (min: number, max: number): fc.Arbitrary<number[]> => fc.integer({ min, max }).map((v) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
const loc = fc
  .tuple(sizeOctet, sizeOctet, sizeOctet, u32(2 ** 31 - 90 * 3600000, 2 ** 31 + 90 * 3600000), u32(2 ** 31 - 180 * 3600000, 2 ** 31 + 180 * 3600000), u32(0, 0xffffffff))
  .map(([s, h, v, lat, lon, alt]) => [0, s, h, v, ...lat, ...lon, ...alt]);

const gateway = fc.integer({ min: 0, max: 3 }).chain((kind) =>
  fc.tuple(u8(1), u8(1), [fc.constant([]), u8(4), u8(16), name][kind]!, octets(0, 10)).map(([prec, alg, gw, key]) => [...prec, kind, ...alg, ...gw, ...key]),
);

const hip = fc.tuple(octets(1, 10), u8(1), octets(1, 10), fc.array(name, { maxLength: 2 })).map(([hit, alg, key, servers]) => [
  hit.length, ...alg, key.length >> 8, key.length & 255, ...hit, ...key, ...servers.flat(),
]);

function field(f: Field): fc.Arbitrary<number[]> {
  if (typeof f === 'number') return u8(f);
  switch (f) {
    case 'name': case 'name+': return name;
    case 'str': return prefixed(0, 12);
    case 'strs': return fc.array(prefixed(0, 12), { minLength: 1, maxLength: 3 }).map((s) => s.flat());
    case 'rest': return octets(0, 12);
    case 'rest1': return octets(1, 12);
    case 'salt': return prefixed(0, 8);
    case 'hash': return prefixed(1, 20);
    case 'bitmap': return bitmap;
    case 'caa-tag': return alnum.map((t) => [t.length, ...t]);
    case 'svcparams': return svcParams;
    case 'apl': return fc.array(aplItem, { maxLength: 3 }).map((i) => i.flat());
    case 'loc': return loc;
    case 'gateway': return gateway;
    case 'hip': return hip;
    case 'a6': throw new Error('A6 has no codec');
  }
}

function rdataOf(type: number): fc.Arbitrary<Uint8Array> {
  const layout = layoutOf(type)!;
  // the IPSECKEY layout describes octets 0-2 then the gateway; the generator builds all of them
  const fields = type === RRType.IPSECKEY ? (['gateway'] as Field[]) : layout.fields;
  return fc.tuple(...fields.map(field)).map((parts) => Uint8Array.from(parts.flat()));
}

function roundTrip(type: number, w: Uint8Array): void {
  const text = rdataToText(type, w);
  let back: Uint8Array;
  try {
    back = rdataFromText(type, tokenize(text), ctx);
  } catch (err) {
    throw new Error(`type ${type}: ${Buffer.from(w).toString('hex')} printed as ${JSON.stringify(text)}, which does not read back: ${(err as Error).message}`);
  }
  assert.equal(Buffer.from(back).toString('hex'), Buffer.from(w).toString('hex'), `type ${type} text ${JSON.stringify(text)}`);
}

function onlyRdataErrors(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof RdataError)) throw err;
  }
}

describe('rdata properties', () => {
  for (const type of TYPES) {
    it(`type ${type}: generated wire rdata validates and round-trips through text`, () => {
      fc.assert(
        fc.property(rdataOf(type), (w) => {
          validateRdata(type, w);
          roundTrip(type, w);
          const canon = canonicalRdata(type, w);
          assert.deepEqual(canonicalRdata(type, canon), canon);
          rdataNames(type, w);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('random octets are refused with an RdataError or round-trip, for every type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TYPES, 65280), octets(0, 40), (type, bytes) => {
        const w = Uint8Array.from(bytes);
        let valid = true;
        try {
          validateRdata(type, w);
        } catch (err) {
          if (!(err instanceof RdataError)) throw err;
          valid = false;
        }
        if (valid) roundTrip(type, w);
        else onlyRdataErrors(() => rdataToText(type, w));
        onlyRdataErrors(() => canonicalRdata(type, w));
        onlyRdataErrors(() => rdataNames(type, w));
      }),
      { numRuns: 20000 },
    );
  });

  it('rdataFromWire on random messages only throws RdataError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), octets(0, 60), fc.nat(60), fc.nat(60), (type, msg, offset, length) => {
        onlyRdataErrors(() => {
          const r = rdataFromWire(type, Uint8Array.from(msg), offset, length);
          assert.ok(r.length <= 65535);
        });
      }),
      { numRuns: 20000 },
    );
  });

  it('random text tokens only throw RdataError', () => {
    const token = fc.record({ value: fc.string({ maxLength: 12 }), quoted: fc.boolean() });
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), fc.array(token, { maxLength: 8 }), (type, tokens) => {
        onlyRdataErrors(() => rdataFromText(type, tokens, ctx));
      }),
      { numRuns: 20000 },
    );
  });

  it('IPv6 text is what inet_ntop prints, and every IPv6 form reads back', () => {
    fc.assert(
      fc.property(u8(16), fc.integer({ min: 0, max: 8 }), (bytes, zeros) => {
        const b = Uint8Array.from(bytes);
        b.fill(0, 0, zeros * 2); // leading zero groups make the IPv4-mapped and -compatible forms likely
        const full = Array.from({ length: 8 }, (_, i) => ((b[i * 2]! << 8) | b[i * 2 + 1]!).toString(16)).join(':');
        const expected = new SocketAddress({ address: full, family: 'ipv6' }).address;
        assert.equal(rdataToText(RRType.AAAA, b), expected);
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const w = rdataFromText(RRType.AAAA, [{ value: text, quoted: false }], ctx);
        assert.equal(rdataToText(RRType.AAAA, w), new SocketAddress({ address: text, family: 'ipv6' }).address);
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.ipV4(), (text) => {
        assert.equal(rdataToText(RRType.A, rdataFromText(RRType.A, [{ value: text, quoted: false }], ctx)), text);
      }),
    );
  });
});
