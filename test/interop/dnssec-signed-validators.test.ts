import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { MATRIX, VERIFIERS, axfrToFile, verifyZoneFile, writeSignedSetup } from '../helpers/dnssec-signed-zones.js';

// Zones signed by meshdns itself, one per policy of the matrix (NSEC, NSEC3, NSEC3 opt-out and
// salted; CSK and KSK+ZSK; ECDSA P-256, Ed25519, RSA/SHA-256), taken by AXFR as a secondary takes
// them and handed to the three independent zone verifiers: BIND's dnssec-verify, ldns-verify-zone
// and Knot's kzonecheck --dnssec on. Each checks every RRSIG, the chain's order and coverage,
// the type bitmaps and what must not be signed (RFC 4035 §2, RFC 5155 §7.1).

let dir: string;
let server: RunningMeshdns;
const texts = new Map<string, string>();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-signed-validators-'));
  const setup = writeSignedSetup(dir, MATRIX);
  server = await startMeshdns({ zoneDir: setup.zoneDir, config: setup.config, dataDir: join(dir, 'data'), extraArgs: ['--log-level', 'info'] });
});
after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

for (const v of MATRIX) {
  describe(`${v.origin}: ${v.denial}${v.optOut ? ' opt-out' : ''}${v.saltLength ? ' salted' : ''}, ${v.keys}, ${v.algorithm}`, () => {
    const file = () => join(dir, `${v.origin}.axfr`);
    test('the AXFR holds the signed zone the policy asks for', () => {
      const text = axfrToFile(server.port, v.origin, file());
      texts.set(v.origin, text);
      const dnskeys = [...text.matchAll(/\sDNSKEY\s+(256|257)\s+3\s+(\d+)\s/g)];
      const algorithmNumber = { ecdsap256sha256: '13', ed25519: '15', rsasha256: '8' }[v.algorithm];
      assert.ok(dnskeys.every((m) => m[2] === algorithmNumber), `every DNSKEY is algorithm ${algorithmNumber}`);
      assert.deepEqual(dnskeys.map((m) => m[1]).sort(), v.keys === 'csk' ? ['257'] : ['256', '257']);
      if (v.denial === 'nsec') {
        assert.match(text, /\sNSEC\s/);
        assert.doesNotMatch(text, /\sNSEC3(PARAM)?\s/);
      } else {
        const param = /\sNSEC3PARAM\s+1\s+(\d+)\s+0\s+(\S+)/.exec(text);
        assert.ok(param, 'an NSEC3PARAM at the apex');
        // RFC 5155 §4.1: the NSEC3PARAM flags are 0, opt-out shows in the NSEC3 records' flags
        assert.equal(param[1], '0', 'RFC 9276 §3.1: no extra iterations');
        if (v.saltLength) assert.equal(param[2]!.length, v.saltLength * 2, 'a salt of the policy\'s length');
        else assert.equal(param[2], '-', 'no salt unless the policy asks for one');
        const flags = new Set([...text.matchAll(/\sNSEC3\s+1\s+(\d+)\s/g)].map((m) => m[1]));
        assert.deepEqual([...flags], [v.optOut ? '1' : '0']);
      }
      // CDS/CDNSKEY for the SEP key (policy default cds: true)
      assert.match(text, /\sCDS\s/);
      assert.match(text, /\sCDNSKEY\s+257\s/);
      if (v.optOut) {
        // the insecure delegations have no NSEC3 of their own: opt-out leaves them out of the chain
        const nsec3Count = [...text.matchAll(/\sNSEC3\s+1\s/g)].length;
        const full = texts.get('nsec3-csk-ed25519.test');
        if (full) assert.ok(nsec3Count < [...full.matchAll(/\sNSEC3\s+1\s/g)].length, 'opt-out chain is shorter than the full one');
      }
    });
    for (const verifier of VERIFIERS) {
      test(`${verifier} accepts it`, () => {
        verifyZoneFile(verifier, file(), v.origin);
      });
    }
  });
}
