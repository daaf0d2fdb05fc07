/**
 * BIND key files: a round trip through formatBindKeyFiles / parseBindKeyFiles keeps key and timing,
 * and every defect (mismatched pair, unknown algorithm, truncated base64, missing field, bad time)
 * is a DnssecError whose message names the field or line. The BIND-written side is in
 * test/interop/dnssec-tools.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DnssecAlgorithm, DnssecError } from '../../dnssec/algorithm.js';
import { formatBindKeyFiles, importedToKey, parseBindKeyFiles } from '../../dnssec/bind-key-file.js';
import { generateKey } from '../../dnssec/keys.js';
import { signRRset, verifyRRsig } from '../../dnssec/rrsig.js';
import { nameEquals, parseName } from '../../zones/name.js';

const ZONE = parseName('example.test.');
const TIMING = { created: 1_796_637_938, publish: 1_796_637_938, activate: 1_796_641_538, inactive: 1_799_000_000, delete: 1_800_000_000, syncPublish: 1_796_700_000, syncDelete: 1_799_500_000 };

function files(algorithm: number, flags = 257): { key: string; private: string; baseName: string } {
  const { key, pkcs8 } = generateKey(algorithm, flags);
  return formatBindKeyFiles(ZONE, key, pkcs8, TIMING);
}

function rejects(keyText: string, privateText: string, pattern: RegExp, code = 'MESHDNS_ERR_DNSSEC_KEYFILE'): void {
  assert.throws(
    () => parseBindKeyFiles(keyText, privateText),
    (e: unknown) => {
      assert.ok(e instanceof DnssecError, `not a DnssecError: ${String(e)}`);
      assert.match(e.message, pattern);
      assert.equal(e.code, code);
      return true;
    },
  );
}

describe('formatBindKeyFiles → parseBindKeyFiles', () => {
  for (const alg of Object.values(DnssecAlgorithm)) {
    it(`algorithm ${alg}: keeps key, flags, tag and timing; both sign for the same DNSKEY`, () => {
      const { key, pkcs8 } = generateKey(alg, 256);
      const out = formatBindKeyFiles(ZONE, key, pkcs8, TIMING);
      assert.equal(out.baseName, `Kexample.test.+${String(alg).padStart(3, '0')}+${String(key.keyTag).padStart(5, '0')}`);
      assert.match(out.key, /^; This is a zone-signing key, keyid \d+, for example\.test\.\n; Created: 20261207100538 \(Mon Dec  7 10:05:38 2026\)\n/);
      assert.match(out.private, /^Private-key-format: v1\.3\nAlgorithm: \d+ \((RSASHA256|ECDSAP256SHA256|ED25519)\)\n/);
      const imported = parseBindKeyFiles(out.key, out.private);
      assert.ok(nameEquals(imported.zone, ZONE));
      assert.equal(imported.flags, 256);
      assert.equal(imported.algorithm, alg);
      assert.equal(imported.keyTag, key.keyTag);
      assert.deepEqual(imported.timing, TIMING);
      assert.deepEqual(Buffer.from(imported.dnskey), Buffer.from(key.dnskey));
      const set = { owner: ZONE, type: 1, ttl: 60, rdatas: [Uint8Array.of(192, 0, 2, 1)] };
      assert.ok(verifyRRsig(set, signRRset(set, ZONE, importedToKey(imported), 1, 2), key.dnskey));
    });
  }

  it('reads an ECDSA private scalar written without its leading zero octets, as BIND writes one key in 256', () => {
    // find a P-256 key whose scalar starts with a zero octet, then write it as BIND does (31 octets)
    for (let i = 0; i < 10_000; i++) {
      const out = files(13);
      const scalar = Buffer.from(/PrivateKey: (.*)/.exec(out.private)![1]!, 'base64');
      if (scalar[0] !== 0) continue;
      const bindStyle = out.private.replace(/PrivateKey: .*/, `PrivateKey: ${scalar.subarray(1).toString('base64')}`);
      const imported = parseBindKeyFiles(out.key, bindStyle);
      const set = { owner: ZONE, type: 1, ttl: 60, rdatas: [Uint8Array.of(192, 0, 2, 1)] };
      assert.ok(verifyRRsig(set, signRRset(set, ZONE, importedToKey(imported), 1, 2), imported.dnskey), 'the padded scalar is the same key');
      return;
    }
    assert.fail('no P-256 key with a leading zero octet in 10,000 tries');
  });

  it('reads a TTL on the record line and a .key file without comments', () => {
    const out = files(13);
    const record = out.key.split('\n').find((l) => l.includes('DNSKEY'))!;
    const imported = parseBindKeyFiles(record.replace(' IN ', ' 3600 IN ') + '\n', out.private);
    assert.equal(imported.timing.created, TIMING.created); // from the .private file
  });
});

describe('parseBindKeyFiles refuses broken files, naming what is wrong', () => {
  it('a .private of another key', () => {
    rejects(files(13).key, files(13).private, /does not match the public key/, 'MESHDNS_ERR_DNSSEC_KEY_MISMATCH');
    rejects(files(8).key, files(8).private, /does not match the public key/, 'MESHDNS_ERR_DNSSEC_KEY_MISMATCH');
  });

  it('a .private of another algorithm', () => {
    rejects(files(13).key, files(15).private, /Algorithm: 15 does not match the \.key DNSKEY algorithm 13/, 'MESHDNS_ERR_DNSSEC_KEY_MISMATCH');
  });

  it('an RSA private exponent that does not belong to the modulus', () => {
    const a = files(8);
    const b = files(8);
    const d = (text: string): string => /PrivateExponent: (.*)/.exec(text)![1]!;
    rejects(a.key, a.private.replace(d(a.private), d(b.private)), /RSA components are not consistent: PrivateExponent/, 'MESHDNS_ERR_DNSSEC_KEY_MISMATCH');
    const qi = (text: string): string => /Coefficient: (.*)/.exec(text)![1]!;
    rejects(a.key, a.private.replace(qi(a.private), qi(b.private)), /not consistent: Coefficient/, 'MESHDNS_ERR_DNSSEC_KEY_MISMATCH');
  });

  it('an unknown algorithm', () => {
    const out = files(13);
    rejects(out.key.replace(/DNSKEY 257 3 13/, 'DNSKEY 257 3 7'), out.private, /\.key line \d+: DNSSEC algorithm 7 is not supported/, 'MESHDNS_ERR_DNSSEC_ALGORITHM');
    rejects(out.key, out.private.replace('Algorithm: 13 (ECDSAP256SHA256)', 'Algorithm: 14 (ECDSAP384SHA384)'), /\.private line 2: DNSSEC algorithm 14/, 'MESHDNS_ERR_DNSSEC_ALGORITHM');
  });

  it('truncated base64', () => {
    const out = files(15);
    rejects(out.key, out.private.replace(/(PrivateKey: .*)...$/m, '$1'), /\.private line 3: PrivateKey is not valid base64/);
    const rsa = files(8);
    rejects(rsa.key, rsa.private.replace(/(Prime2: .*)...$/m, '$1'), /\.private line 7: Prime2 is not valid base64/);
    rejects(out.key.replace(/(DNSKEY .*)..$/m, '$1'), out.private, /\.key line \d+: DNSKEY public key is not valid base64/);
  });

  it('a key of the wrong length for its algorithm', () => {
    // (an ECDSA scalar may be shorter: BIND leaves out its leading zero octets; never longer)
    const ec = files(13);
    rejects(ec.key, ec.private.replace(/PrivateKey: .*/, `PrivateKey: ${Buffer.alloc(33, 7).toString('base64')}`), /PrivateKey is 33 octets, not 32/);
    const ed = files(15);
    rejects(ed.key, ed.private.replace(/PrivateKey: .*/, `PrivateKey: ${Buffer.alloc(31, 7).toString('base64')}`), /PrivateKey is 31 octets, not 32/);
  });

  it('a missing field', () => {
    const rsa = files(8);
    rejects(rsa.key, rsa.private.replace(/^Exponent2: .*\n/m, ''), /\.private file has no Exponent2 field/);
    const ec = files(13);
    rejects(ec.key, ec.private.replace(/^PrivateKey: .*\n/m, ''), /no PrivateKey field/);
    rejects(ec.key, ec.private.replace(/^Algorithm: .*\n/m, ''), /no Algorithm field/);
    rejects(ec.key, ec.private.replace(/^Private-key-format: .*\n/m, ''), /no Private-key-format line/);
    rejects(ec.key.replace(/ [A-Za-z0-9+/=]+$/m, ''), ec.private, /DNSKEY public key is missing/);
    rejects('; only comments\n', ec.private, /no DNSKEY record/);
  });

  it('other defects: format version, protocol, a bad time, junk lines, two records', () => {
    const out = files(13);
    rejects(out.key, out.private.replace('v1.3', 'v2.0'), /Private-key-format v2\.0 is not supported/);
    rejects(out.key.replace(/DNSKEY 257 3/, 'DNSKEY 257 4'), out.private, /protocol is 4, not 3/);
    rejects(out.key, out.private.replace(/^Activate: \d+/m, 'Activate: 20261340100538'), /\.private line \d+: Activate "20261340100538" is not a YYYYMMDDHHMMSS time/);
    rejects(out.key, out.private + 'garbage here\n', /\.private line \d+: expected "Field: value"/);
    const record = out.key.split('\n').find((l) => l.includes('DNSKEY'))!;
    rejects(`${out.key}${record}\n`, out.private, /a second record/);
    rejects(out.key.replace(' IN DNSKEY', ' IN DS'), out.private, /not a DNSKEY record/);
  });
});
