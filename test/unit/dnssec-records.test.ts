/**
 * NSEC / NSEC3 / NSEC3PARAM rdata and type bitmaps: property tests (fast-check) for the bitmap and
 * base32hex round trips, and the rdata as zones/rdata presents it (what Knot and BIND print).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DnssecError } from '../../dnssec/algorithm.js';
import { base32hex, fromBase32hex } from '../../dnssec/nsec3-hash.js';
import { bitmapTypes, nsec3Fields, nsec3paramRdata, nsec3Rdata, nsecFields, nsecRdata, typeBitmap } from '../../dnssec/records.js';
import { nameToText, parseName } from '../../zones/name.js';
import { rdataToText, validateRdata } from '../../zones/rdata/index.js';
import { RRType } from '../../zones/rrtype.js';

const types = fc.array(fc.oneof(fc.integer({ min: 1, max: 260 }), fc.integer({ min: 0, max: 65535 })), { maxLength: 40 });

describe('type bitmaps', () => {
  it('property: bitmapTypes(typeBitmap(t)) is t sorted without duplicates, and the bitmap is valid NSEC wire data', () => {
    fc.assert(
      fc.property(types, (t) => {
        const bitmap = typeBitmap(t);
        assert.deepEqual(bitmapTypes(bitmap), [...new Set(t)].sort((a, b) => a - b));
        validateRdata(RRType.NSEC, Uint8Array.from([0, ...bitmap]));
      }),
      { numRuns: 500 },
    );
  });

  it('RFC 4034 §4.3 example bitmap (A MX RRSIG NSEC TYPE1234)', () => {
    const bitmap = typeBitmap([RRType.A, RRType.MX, RRType.RRSIG, RRType.NSEC, 1234]);
    // RFC 4034 §4.3: window 0 of 6 octets, window 4 of 27 octets ending with 0x20
    assert.equal(Buffer.from(bitmap).toString('hex'), '0006400100000003' + '041b' + '00'.repeat(26) + '20');
    assert.deepEqual(bitmapTypes(bitmap), [1, 15, 46, 47, 1234]);
  });

  it('a malformed bitmap is a DnssecError', () => {
    assert.throws(() => bitmapTypes(Uint8Array.of(0, 2, 0x40, 0)), (e: unknown) => e instanceof DnssecError && /zero octet/.test(e.message));
    assert.throws(() => bitmapTypes(Uint8Array.of(1, 1, 0x40, 0, 1, 0x40)), (e: unknown) => e instanceof DnssecError && /not after window/.test(e.message));
    assert.throws(() => typeBitmap([65536]), DnssecError);
  });
});

describe('base32hex', () => {
  it('property: fromBase32hex(base32hex(b)) is b; the text is lowercase without padding and keeps the byte order', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
        const text = base32hex(a);
        assert.match(text, /^[0-9a-v]*$/);
        assert.deepEqual(fromBase32hex(text), Buffer.from(a));
        if (a.length === 20 && b.length === 20) {
          // NSEC3 relies on base32hex keeping the order of hashes (RFC 4648 §7)
          assert.equal(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))), Math.sign(Buffer.compare(Buffer.from(text), Buffer.from(base32hex(b)))));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('NSEC, NSEC3, NSEC3PARAM rdata', () => {
  it('NSEC: next name as written, then the bitmap', () => {
    const rdata = nsecRdata(parseName('Host.example.test.'), [RRType.A, RRType.RRSIG, RRType.NSEC, RRType.A]);
    assert.equal(rdataToText(RRType.NSEC, rdata), 'Host.example.test. A RRSIG NSEC');
    const f = nsecFields(rdata);
    assert.equal(nameToText(f.next), 'Host.example.test.');
    assert.deepEqual(f.types, [RRType.A, RRType.RRSIG, RRType.NSEC]);
  });

  it('NSEC3 with opt-out, salt and an empty bitmap, and back', () => {
    const next = Buffer.from('0123456789abcdef0123', 'hex');
    const rdata = nsec3Rdata({ flags: 1, iterations: 5, salt: Uint8Array.of(0xaa, 0xbb), nextHashed: next, types: [] });
    assert.equal(rdataToText(RRType.NSEC3, rdata).toLowerCase(), '1 1 5 aabb 04hkaps9lf6uu093');
    assert.deepEqual(nsec3Fields(rdata), { hashAlgorithm: 1, flags: 1, iterations: 5, salt: Uint8Array.of(0xaa, 0xbb), nextHashed: Uint8Array.from(next), types: [] });
  });

  it('property: nsec3Fields(nsec3Rdata(f)) is f', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 65535 }), fc.uint8Array({ maxLength: 255 }), fc.uint8Array({ minLength: 1, maxLength: 32 }), types, (flags, iterations, salt, nextHashed, t) => {
        const rdata = nsec3Rdata({ flags, iterations, salt, nextHashed, types: t });
        validateRdata(RRType.NSEC3, rdata);
        assert.deepEqual(nsec3Fields(rdata), { hashAlgorithm: 1, flags, iterations, salt: Uint8Array.from(salt), nextHashed: Uint8Array.from(nextHashed), types: [...new Set(t)].sort((a, b) => a - b) });
      }),
      { numRuns: 200 },
    );
  });

  it('NSEC3PARAM: hash 1, flags 0, "-" for an empty salt (RFC 5155 §4.3)', () => {
    assert.equal(rdataToText(RRType.NSEC3PARAM, nsec3paramRdata(0, new Uint8Array(0))), '1 0 0 -');
    assert.equal(rdataToText(RRType.NSEC3PARAM, nsec3paramRdata(10, Uint8Array.of(0xab, 0xcd))).toLowerCase(), '1 0 10 abcd');
  });

  it('bad input gets a DnssecError', () => {
    assert.throws(() => nsec3paramRdata(65536, new Uint8Array(0)), (e: unknown) => e instanceof DnssecError && /iterations/.test(e.message));
    assert.throws(() => nsec3Rdata({ flags: 0, iterations: 0, salt: new Uint8Array(256), nextHashed: new Uint8Array(20), types: [] }), /salt is 256 octets/);
    assert.throws(() => nsec3Rdata({ flags: 0, iterations: 0, salt: new Uint8Array(0), nextHashed: new Uint8Array(0), types: [] }), /next hashed owner/);
    assert.throws(() => nsec3Fields(Uint8Array.of(1, 0, 0, 0, 4, 1)), (e: unknown) => e instanceof DnssecError && /truncated/.test(e.message));
    assert.throws(() => nsecFields(Uint8Array.of(5, 0x61)), (e: unknown) => e instanceof DnssecError && /next domain name/.test(e.message));
  });
});
