/**
 * Keys and RRSIGs: every algorithm signs and verifies; the canonical form (RFC 4034 §6.2–6.3) makes
 * order, duplicates and case irrelevant; wildcards count their labels without "*" (§3.1.3) and
 * verify when expanded; keys that do not fit their algorithm are refused.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { algorithmName, algorithmNumber, DnssecAlgorithm, DnssecError } from '../../dnssec/algorithm.js';
import { generateKey, keyFromPkcs8, keyTag, publicKeyField, type DnssecKey } from '../../dnssec/keys.js';
import { rrsigFields, signRRset, verifyRRsig, type RRsetToSign } from '../../dnssec/rrsig.js';
import { nameToText, parseName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';

const APEX = parseName('example.test.');
const NOW = 1_796_600_000;
const ALGORITHMS = Object.values(DnssecAlgorithm);
const keys = new Map<number, DnssecKey>(ALGORITHMS.map((a) => [a, generateKey(a, 256).key]));
const key = (a: number): DnssecKey => keys.get(a)!;

const mx = (pref: number, name: string): Uint8Array => Uint8Array.from([pref >> 8, pref & 0xff, ...parseName(name)]);
const a = (...octets: number[]): Uint8Array => Uint8Array.from(octets);

describe('algorithms', () => {
  it('names and numbers', () => {
    assert.equal(algorithmNumber('ecdsap256sha256'), 13);
    assert.equal(algorithmNumber('ed25519'), 15);
    assert.equal(algorithmNumber('rsasha256'), 8);
    assert.equal(algorithmName(13), 'ecdsap256sha256');
    assert.equal(algorithmName(5), undefined);
  });

  it('an unsupported algorithm is a DnssecError, not a crash', () => {
    assert.throws(() => generateKey(7, 256), (e: unknown) => e instanceof DnssecError && e.code === 'MESHDNS_ERR_DNSSEC_ALGORITHM' && /algorithm 7/.test(e.message));
  });
});

describe('keys', () => {
  it('public key fields have the RFC sizes and the DNSKEY rdata is flags, 3, algorithm, key', () => {
    const sizes: Record<number, number> = { 13: 64, 15: 32 };
    for (const alg of ALGORITHMS) {
      const k = key(alg);
      assert.deepEqual([...k.dnskey.subarray(0, 4)], [1, 0, 3, alg]);
      assert.equal(k.keyTag, keyTag(k.dnskey));
      if (sizes[alg] !== undefined) assert.equal(k.dnskey.length - 4, sizes[alg]);
    }
    // RFC 3110 §2: exponent length 3, exponent 65537, then a 2048-bit modulus
    const rsa = key(8).dnskey.subarray(4);
    assert.deepEqual([...rsa.subarray(0, 4)], [3, 1, 0, 1]);
    assert.equal(rsa.length, 4 + 256);
  });

  it('rsaBits sets the modulus size', () => {
    const { key: k } = generateKey(8, 257, { rsaBits: 1024 });
    assert.equal(k.dnskey.length, 4 + 4 + 128);
    assert.equal(k.flags, 257);
  });

  it('keyFromPkcs8 gives back the same key; a key of the wrong type is refused', () => {
    for (const alg of ALGORITHMS) {
      const { key: k, pkcs8 } = generateKey(alg, 257);
      const again = keyFromPkcs8(pkcs8, alg, 257);
      assert.deepEqual(Buffer.from(again.dnskey), Buffer.from(k.dnskey));
      const other = ALGORITHMS.find((x) => x !== alg)!;
      assert.throws(() => keyFromPkcs8(pkcs8, other, 257), (e: unknown) => e instanceof DnssecError && e.code === 'MESHDNS_ERR_DNSSEC_KEY_MISMATCH');
    }
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'der', type: 'pkcs8' });
    assert.throws(() => keyFromPkcs8(p384, 13, 256), /secp384r1/);
    assert.throws(() => keyFromPkcs8(Buffer.from('not a key'), 13, 256), (e: unknown) => e instanceof DnssecError && /PKCS#8/.test(e.message));
  });

  it('publicKeyField refuses an unsupported algorithm', () => {
    const pub = generateKeyPairSync('ed25519').publicKey;
    assert.throws(() => publicKeyField(5, pub), DnssecError);
  });
});

describe('signRRset and verifyRRsig', () => {
  const set: RRsetToSign = { owner: parseName('Mail.Example.TEST.'), type: RRType.MX, ttl: 3600, rdatas: [mx(10, 'MX1.example.test.'), mx(20, 'mx2.example.test.')] };

  for (const alg of ALGORITHMS) {
    it(`algorithm ${alg}: signs and verifies; any change to the data, key or type fails`, () => {
      const sig = signRRset(set, APEX, key(alg), NOW, NOW + 86400);
      const f = rrsigFields(sig);
      assert.equal(f.typeCovered, RRType.MX);
      assert.equal(f.algorithm, alg);
      assert.equal(f.labels, 3);
      assert.equal(f.originalTtl, 3600);
      assert.equal(f.inception, NOW);
      assert.equal(f.expiration, NOW + 86400);
      assert.equal(f.keyTag, key(alg).keyTag);
      assert.equal(nameToText(f.signer), 'example.test.');
      assert.ok(verifyRRsig(set, sig, key(alg).dnskey));

      assert.equal(verifyRRsig({ ...set, rdatas: [mx(10, 'mx1.example.test.'), mx(21, 'mx2.example.test.')] }, sig, key(alg).dnskey), false);
      assert.equal(verifyRRsig({ ...set, owner: parseName('mail2.example.test.') }, sig, key(alg).dnskey), false);
      assert.equal(verifyRRsig({ ...set, type: RRType.A }, sig, key(alg).dnskey), false);
      assert.equal(verifyRRsig(set, sig, generateKey(alg, 256).key.dnskey), false);
      const flipped = Uint8Array.from(sig);
      flipped[flipped.length - 5]! ^= 1;
      assert.equal(verifyRRsig(set, flipped, key(alg).dnskey), false);
      // the TTL signed is the original TTL in the RRSIG, not the one the set is served with
      assert.ok(verifyRRsig({ ...set, ttl: 17 }, sig, key(alg).dnskey));
    });
  }

  it('canonical form: order, duplicates, owner case and rdata-name case do not change the signature (Ed25519 is deterministic)', () => {
    const k = key(15);
    const reference = signRRset(set, APEX, k, NOW, NOW + 86400);
    const variants: RRsetToSign[] = [
      { ...set, rdatas: [...set.rdatas].reverse() },
      { ...set, rdatas: [...set.rdatas, mx(10, 'mx1.EXAMPLE.test.')] },
      { ...set, owner: parseName('mail.example.test.'), rdatas: [mx(20, 'MX2.EXAMPLE.TEST.'), mx(10, 'mx1.example.test.')] },
    ];
    for (const v of variants) assert.deepEqual(Buffer.from(signRRset(v, parseName('EXAMPLE.test.'), k, NOW, NOW + 86400)), Buffer.from(reference));
    // TXT rdata is not a name: its case is signed as is
    const txt = (s: string): Uint8Array => Uint8Array.from([s.length, ...Buffer.from(s)]);
    const t1 = signRRset({ owner: APEX, type: RRType.TXT, ttl: 60, rdatas: [txt('Hello')] }, APEX, k, NOW, NOW + 1);
    const t2 = signRRset({ owner: APEX, type: RRType.TXT, ttl: 60, rdatas: [txt('hello')] }, APEX, k, NOW, NOW + 1);
    assert.notDeepEqual(Buffer.from(t1), Buffer.from(t2));
  });

  it('sorts rdata as octet strings: a shorter prefix first (RFC 4034 §6.3)', () => {
    const k = key(15);
    const txt = (...b: number[]): Uint8Array => Uint8Array.from([b.length, ...b]);
    const one = signRRset({ owner: APEX, type: RRType.TXT, ttl: 60, rdatas: [txt(0x61, 0x62), txt(0x61), txt(0x62)] }, APEX, k, NOW, NOW + 1);
    const two = signRRset({ owner: APEX, type: RRType.TXT, ttl: 60, rdatas: [txt(0x62), txt(0x61), txt(0x61, 0x62)] }, APEX, k, NOW, NOW + 1);
    assert.deepEqual(Buffer.from(one), Buffer.from(two));
  });

  it('a wildcard owner is signed with the labels of its parent and verifies when expanded', () => {
    const wildcard: RRsetToSign = { owner: parseName('*.wild.example.test.'), type: RRType.A, ttl: 300, rdatas: [a(192, 0, 2, 9)] };
    for (const alg of ALGORITHMS) {
      const sig = signRRset(wildcard, APEX, key(alg), NOW, NOW + 86400);
      assert.equal(rrsigFields(sig).labels, 3);
      assert.ok(verifyRRsig(wildcard, sig, key(alg).dnskey));
      assert.ok(verifyRRsig({ ...wildcard, owner: parseName('a.b.WILD.example.test.') }, sig, key(alg).dnskey));
      assert.equal(verifyRRsig({ ...wildcard, owner: parseName('a.other.example.test.') }, sig, key(alg).dnskey), false);
      assert.equal(verifyRRsig({ ...wildcard, owner: parseName('example.test.') }, sig, key(alg).dnskey), false);
    }
  });

  it('times wrap modulo 2^32 (RFC 4034 §3.1.5) and an RRset larger than the scratch buffer signs', () => {
    const big: RRsetToSign = {
      owner: APEX,
      type: RRType.TXT,
      ttl: 60,
      rdatas: Array.from({ length: 400 }, (_, i) => Uint8Array.from([255, ...Buffer.alloc(255, i % 250)])).map((r, i) => ((r[1] = i >> 8), (r[2] = i & 0xff), r)),
    };
    const sig = signRRset(big, APEX, key(13), 2 ** 32 + 5, 2 ** 32 + 10);
    assert.equal(rrsigFields(sig).inception, 5);
    assert.ok(verifyRRsig(big, sig, key(13).dnskey));
  });

  it('bad input gets a DnssecError', () => {
    assert.throws(() => signRRset({ owner: APEX, type: RRType.A, ttl: 1, rdatas: [] }, APEX, key(13), NOW, NOW), (e: unknown) => e instanceof DnssecError && /empty RRset/.test(e.message));
    assert.throws(() => rrsigFields(new Uint8Array(10)), (e: unknown) => e instanceof DnssecError && e.code === 'MESHDNS_ERR_DNSSEC_RRSIG');
    const sig = signRRset({ owner: APEX, type: RRType.A, ttl: 1, rdatas: [a(1, 2, 3, 4)] }, APEX, key(13), NOW, NOW);
    assert.throws(() => rrsigFields(sig.subarray(0, 22)), (e: unknown) => e instanceof DnssecError && /signer/.test(e.message));
    const badKey = Uint8Array.from([1, 0, 3, 13, 1, 2, 3]);
    assert.throws(() => verifyRRsig({ owner: APEX, type: RRType.A, ttl: 1, rdatas: [a(1, 2, 3, 4)] }, Uint8Array.from([...sig.subarray(0, 16), keyTag(badKey) >> 8, keyTag(badKey) & 0xff, ...sig.subarray(18)]), badKey), (e: unknown) => e instanceof DnssecError && /64/.test(e.message));
  });
});
