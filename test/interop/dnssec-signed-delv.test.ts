import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { FULL, MATRIX, NEGATIVE, UNSIGNED, anchorFromServer, delv, delvMany, verdicts, writeSignedSetup } from '../helpers/dnssec-signed-zones.js';
import { dig } from '../helpers/tools.js';

// Answers from zones meshdns signs itself, validated by BIND's delv with the zone's own SEP key
// (taken from the server's DNSKEY answer) as the only trust anchor: positive answers, NXDOMAIN,
// NODATA (at names, at empty non-terminals, at a wildcard), wildcard expansion, CNAME chains, a
// DNAME, the DS of a signed delegation and the proof of no DS at an insecure one — RFC 4035 §3.1,
// RFC 5155 §7.2 — for every policy of the matrix.

/** [name relative to the origin, type, delv's verdict]. */
const CASES: [string, string, string][] = [
  ['www', 'A', FULL],
  ['', 'DNSKEY', FULL],
  ['', 'SOA', FULL],
  ['', 'CDS', FULL],
  ['nx', 'A', NEGATIVE], // NXDOMAIN
  ['nx.b.ent', 'A', NEGATIVE], // NXDOMAIN below an empty non-terminal
  ['www', 'TXT', NEGATIVE], // NODATA
  ['b.ent', 'A', NEGATIVE], // NODATA at an empty non-terminal
  ['ent', 'TXT', NEGATIVE], // NODATA at an ENT two levels up from data
  ['y.z.deep', 'TXT', NEGATIVE],
  ['host.wild', 'AAAA', NEGATIVE], // wildcard NODATA
  ['cname1', 'A', FULL], // CNAME chain within the zone
  ['cname-nx', 'A', FULL], // CNAME to a name that does not exist
  ['cname-ent', 'A', FULL], // CNAME to an empty non-terminal
  ['www.dname', 'A', FULL], // DNAME, synthesised CNAME
  ['secure', 'DS', FULL], // signed delegation
  ['insecure', 'DS', NEGATIVE], // no DS at an insecure delegation (parent side)
  ['optout', 'DS', NEGATIVE], // ENT above an insecure delegation
  ['b.optout', 'A', NEGATIVE],
  ['', 'ANY', FULL],
];

let dir: string;
let server: RunningMeshdns;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-signed-delv-'));
  const setup = writeSignedSetup(dir, MATRIX);
  server = await startMeshdns({ zoneDir: setup.zoneDir, config: setup.config, dataDir: join(dir, 'data'), extraArgs: ['--log-level', 'info'] });
});
after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

for (const v of MATRIX) {
  describe(`delv against ${v.origin} (${v.denial}${v.optOut ? ' opt-out' : ''}, ${v.keys}, ${v.algorithm})`, () => {
    const anchor = () => join(dir, `${v.origin}.anchor`);
    const fqdn = (rel: string) => (rel === '' ? v.origin : `${rel}.${v.origin}`);
    let answers: Map<string, string>;
    const ask = (rel: string, type: string) => answers.get(`${fqdn(rel)} ${type}`) ?? assert.fail(`${rel} ${type} was not asked`);
    // every question of this zone at once, in parallel; the tests below read the answers
    before(async () => {
      anchorFromServer(server.port, v.origin, anchor());
      const questions: [string, string][] = [...CASES.map(([rel, type]) => [fqdn(rel), type] as [string, string]), [fqdn('host.wild'), 'A'], [fqdn('cname-wild'), 'A']];
      answers = await delvMany(server.port, anchor(), v.origin, questions);
    });

    for (const [rel, type, verdict] of CASES) {
      test(`${rel || '@'} ${type}: ${verdict.slice(2)}`, () => {
        const out = ask(rel, type);
        assert.ok(verdicts(out).includes(verdict), `delv ${rel || '@'}.${v.origin} ${type}:\n${out}`);
      });
    }

    test('host.wild A: the wildcard expansion validates (insecure only under an opt-out NSEC3)', () => {
      const out = ask('host.wild', 'A');
      // RFC 5155 §9.2: an opt-out NSEC3 covering the next closer name cannot prove there is no
      // unsigned delegation there, so validators take the expansion as insecure
      assert.ok(verdicts(out).includes(v.optOut ? UNSIGNED : FULL), out);
      assert.match(out, /host\.wild\.\S+\s+\d+\s+IN\s+A\s+192\.0\.2\.20/);
    });

    test('cname-wild A: a CNAME into a wildcard', () => {
      const out = ask('cname-wild', 'A');
      assert.match(out, /192\.0\.2\.20/);
      assert.ok(verdicts(out).includes(v.optOut ? UNSIGNED : FULL), out);
    });

    test('a referral to the insecure delegation carries the signed proof that it has no DS', () => {
      const out = dig(['@127.0.0.1', '-p', String(server.port), '+dnssec', '+norec', `www.insecure.${v.origin}`, 'A']);
      assert.match(out, /flags: qr;/, out);
      assert.match(out, v.denial === 'nsec3' ? /\sNSEC3\s+1\s+[01]\s/ : /^insecure\.\S+\s+\d+\s+IN\s+NSEC\s.*\bNS RRSIG NSEC\b/m, out);
      assert.match(out, new RegExp(`\\sRRSIG\\s+${v.denial === 'nsec3' ? 'NSEC3' : 'NSEC'}\\s`), out);
      assert.doesNotMatch(out, /\sIN\s+DS\s/);
    });

    test('a wrong trust anchor fails validation (the checks above can fail)', () => {
      const wrong = join(dir, `${v.origin}.wrong-anchor`);
      // another zone's SEP key as the anchor: nothing of this zone validates
      const other = MATRIX.find((x) => x.origin !== v.origin && x.algorithm === v.algorithm) ?? MATRIX.find((x) => x.origin !== v.origin)!;
      anchorFromServer(server.port, other.origin, wrong);
      writeFileSync(wrong, readFileSync(wrong, 'utf8').replaceAll(`${other.origin}.`, `${v.origin}.`));
      const out = delv(server.port, wrong, v.origin, `www.${v.origin}`, 'A');
      assert.ok(!verdicts(out).includes(FULL), out);
    });
  });
}
