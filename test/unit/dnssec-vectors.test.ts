/**
 * dnssec/ against the published examples: key tags (RFC 4034 §5.4), DS (RFC 6605 §6.1, RFC 8080 §6),
 * a deterministic Ed25519 RRSIG (RFC 8080 §6.1), NSEC3 hashes (RFC 5155 appendix A) and base32hex
 * (RFC 4648 §10), plus the CDS/CDNSKEY delete forms (RFC 8078 §4).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importedToKey, parseBindKeyFiles } from '../../dnssec/bind-key-file.js';
import { cdnskeyDeleteRdata, cdsDeleteRdata, dsRdata } from '../../dnssec/ds.js';
import { dnskeyRdata, keyTag } from '../../dnssec/keys.js';
import { base32hex, fromBase32hex, nsec3Hash } from '../../dnssec/nsec3-hash.js';
import { rrsigFields, signRRset, verifyRRsig } from '../../dnssec/rrsig.js';
import { nameToText, parseName } from '../../zones/name.js';
import { rdataToText } from '../../zones/rdata/index.js';
import { RRType } from '../../zones/rrtype.js';

const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('key tags and DS', () => {
  it('RFC 4034 §5.4: dskey.example.com key tag 60485', () => {
    const key = dnskeyRdata(256, 5, b64('AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw=='));
    assert.equal(keyTag(key), 60485);
  });

  it('RFC 6605 §6.1: ECDSA P-256 example.net key tag 55648 and its SHA-256 DS', () => {
    const key = dnskeyRdata(257, 13, b64('GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA=='));
    assert.equal(keyTag(key), 55648);
    assert.equal(hex(dsRdata(parseName('EXAMPLE.net.'), key, 2)), 'd9600d02' + 'b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17');
  });

  it('RFC 8080 §6.1: Ed25519 example.com key tag 3613 and its SHA-256 DS', () => {
    const key = dnskeyRdata(257, 15, b64('l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4='));
    assert.equal(keyTag(key), 3613);
    assert.equal(hex(dsRdata(parseName('example.com.'), key, 2)), '0e1d0f02' + '3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b');
    assert.equal(dsRdata(parseName('example.com.'), key, 4).length, 4 + 48);
  });

  it('RFC 8078 §4: CDS "0 0 0 00" and CDNSKEY "0 3 0 AA=="', () => {
    assert.equal(rdataToText(RRType.CDS, cdsDeleteRdata()), '0 0 0 00');
    assert.equal(rdataToText(RRType.CDNSKEY, cdnskeyDeleteRdata()), '0 3 0 AA==');
  });
});

describe('RRSIG', () => {
  it('RFC 8080 §6.1: the Ed25519 MX signature of example.com, byte for byte (Ed25519 is deterministic)', () => {
    const imported = parseBindKeyFiles(
      'example.com. 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n',
      'Private-key-format: v1.2\nAlgorithm: 15 (ED25519)\nPrivateKey: ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI=\n',
    );
    const key = importedToKey(imported);
    const mx = Uint8Array.from([0, 10, ...parseName('mail.example.com.')]);
    const set = { owner: parseName('example.com.'), type: RRType.MX, ttl: 3600, rdatas: [mx] };
    const sig = signRRset(set, parseName('example.com.'), key, 1438207200, 1440021600);
    const f = rrsigFields(sig);
    assert.deepEqual({ ...f, signer: nameToText(f.signer), signature: Buffer.from(f.signature).toString('base64') }, {
      typeCovered: RRType.MX,
      algorithm: 15,
      labels: 2,
      originalTtl: 3600,
      expiration: 1440021600,
      inception: 1438207200,
      keyTag: 3613,
      signer: 'example.com.',
      signature: 'oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==',
    });
    assert.ok(verifyRRsig(set, sig, imported.dnskey));
  });
});

describe('NSEC3 hash and base32hex', () => {
  const salt = Buffer.from('aabbccdd', 'hex');
  const cases: [string, string][] = [
    ['example.', '0p9mhaveqvm6t7vbl5lop2u3t2rp3tom'],
    ['a.example.', '35mthgpgcu1qg68fab165klnsnk3dpvl'],
    ['ai.example.', 'gjeqe526plbf1g8mklp59enfd789njgi'],
    ['ns1.example.', '2t7b4g4vsa5smi47k61mv5bv1a22bojr'],
    ['*.w.example.', 'r53bq7cc2uvmubfu5ocmm6pers9tk9en'],
    ['x.Y.w.EXAMPLE.', '2vptu5timamqttgl4luu9kg21e0aor3s'],
  ];
  for (const [name, hash] of cases) {
    it(`RFC 5155 appendix A: H(${name}) = ${hash}`, () => {
      assert.equal(base32hex(nsec3Hash(parseName(name), salt, 12)), hash);
    });
  }

  it('RFC 4648 §10 base32hex vectors, lowercase without padding, and back', () => {
    const vectors: [string, string][] = [['', ''], ['f', 'co'], ['fo', 'cpng'], ['foo', 'cpnmu'], ['foob', 'cpnmuog'], ['fooba', 'cpnmuoj1'], ['foobar', 'cpnmuoj1e8']];
    for (const [text, encoded] of vectors) {
      assert.equal(base32hex(Buffer.from(text)), encoded);
      assert.equal(fromBase32hex(encoded)?.toString(), text);
      assert.equal(fromBase32hex(encoded.toUpperCase())?.toString(), text);
    }
    assert.equal(fromBase32hex('CPNMUOJ1E8======')?.toString(), 'foobar');
  });

  it('fromBase32hex refuses what is not base32hex', () => {
    for (const bad of ['w', 'cpnmuoj1e', 'c', 'cp=ng', 'cq', 'é0']) assert.equal(fromBase32hex(bad), undefined, bad);
  });
});
