import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCheck } from '../../server/commands/check.js';
import { checkZone, rdataIdentity } from '../../zones/import/checks.js';
import { nameToText, parseName } from '../../zones/name.js';
import { RRType, typeToText } from '../../zones/rrtype.js';
import { loadZoneFile } from '../../zones/import/zone-source.js';
import { parseZoneText } from '../../zones/zonefile/parser.js';

const origin = parseName('example.test.');
const FILE = 'example.test.zone';
const HEAD = '$TTL 3600\n@ SOA ns hostmaster 1 7200 3600 1209600 300\n  NS ns\nns A 192.0.2.53\n';

function check(body: string): { records: string[]; problems: string[] } {
  const parsed = parseZoneText(HEAD + body, { origin, file: FILE });
  assert.deepEqual(parsed.problems, [], 'the test zone parses');
  const r = checkZone(origin, parsed.records, FILE);
  return {
    records: r.records.map((x) => `${nameToText(x.owner)} ${x.ttl} ${typeToText(x.type)}`),
    problems: r.problems.map((p) => `${p.file}:${p.line}: ${p.severity}: ${p.message}`),
  };
}

describe('zone checks', () => {
  it('a good zone has no problems and keeps its records in order', () => {
    const r = check('www A 192.0.2.1\n  AAAA 2001:db8::1\nalias CNAME www\n');
    assert.deepEqual(r.problems, []);
    assert.equal(r.records.length, 6);
  });

  it('no SOA is an error', () => {
    const parsed = parseZoneText('$TTL 60\n@ NS ns\nns A 192.0.2.1\n', { origin, file: FILE });
    const r = checkZone(origin, parsed.records, FILE);
    assert.deepEqual(r.problems.map((p) => `${p.file}:${p.line}: ${p.message}`), [`${FILE}:0: no SOA record at the zone apex "example.test."`]);
  });

  it('an empty zone lacks SOA and NS', () => {
    const r = checkZone(origin, [], FILE);
    assert.deepEqual(r.problems.map((p) => p.message), [
      'no SOA record at the zone apex "example.test."',
      'no NS records at the zone apex "example.test."',
    ]);
  });

  it('a second SOA is an error', () => {
    const r = check('@ SOA ns hostmaster 2 7200 3600 1209600 300\n');
    assert.deepEqual(r.problems, [`${FILE}:5: error: more than one SOA record at the zone apex "example.test." (RFC 1035 §5.2)`]);
  });

  it('an identical second SOA is a duplicate, dropped silently', () => {
    const r = check('@ SOA ns hostmaster 1 7200 3600 1209600 300\n');
    assert.deepEqual(r.problems, []);
    assert.equal(r.records.filter((x) => x.endsWith('SOA')).length, 1);
  });

  it('an SOA below the apex is an error', () => {
    const r = check('sub SOA ns hostmaster 1 2 3 4 5\n');
    assert.deepEqual(r.problems, [`${FILE}:5: error: SOA record at "sub.example.test.", which is not the zone apex "example.test."`]);
  });

  it('no NS at the apex is an error', () => {
    const parsed = parseZoneText('$TTL 60\n@ SOA ns hostmaster 1 2 3 4 5\n', { origin, file: FILE });
    const r = checkZone(origin, parsed.records, FILE);
    assert.deepEqual(r.problems.map((p) => `${p.line}: ${p.message}`), ['0: no NS records at the zone apex "example.test."']);
  });

  it('a DS at the apex is an error', () => {
    const r = check('@ DS 12345 13 2 ' + 'ab'.repeat(32) + '\n');
    assert.deepEqual(r.problems, [`${FILE}:5: error: DS record at the zone apex "example.test.": DS records belong in the parent zone (RFC 4035 §2.4)`]);
  });

  it('a CNAME beside other data is an error; beside RRSIG and NSEC it is not', () => {
    const r = check('www CNAME target\n  A 192.0.2.1\n  TXT "x"\nok CNAME target\n  NSEC z A\n');
    assert.deepEqual(r.problems, [`${FILE}:5: error: "www.example.test." has a CNAME and other data (A, TXT) (RFC 1034 §3.6.2)`]);
  });

  it('a CNAME at the apex is beside the SOA', () => {
    const r = check('@ CNAME elsewhere.test.\n');
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0]!, /"example\.test\." has a CNAME and other data \(SOA, NS\)/);
  });

  it('two CNAMEs at one name are an error', () => {
    const r = check('www CNAME a\nwww CNAME b\n');
    assert.deepEqual(r.problems, [`${FILE}:6: error: "www.example.test." has 2 CNAME records; there may be only one (RFC 2181 §10.1)`]);
  });

  it('two DNAMEs at one name are an error', () => {
    const r = check('d DNAME a.test.\nd DNAME b.test.\n');
    assert.deepEqual(r.problems, [`${FILE}:6: error: "d.example.test." has 2 DNAME records; there may be only one (RFC 6672 §2.4)`]);
  });

  it('data below a DNAME is an error', () => {
    const r = check('d DNAME other.test.\nx.d A 192.0.2.1\ny.x.d TXT "deep"\n');
    assert.deepEqual(r.problems, [
      `${FILE}:6: error: "x.d.example.test." is below the DNAME at "d.example.test."; no data may exist below a DNAME (RFC 6672 §2.3)`,
      `${FILE}:7: error: "y.x.d.example.test." is below the DNAME at "d.example.test."; no data may exist below a DNAME (RFC 6672 §2.3)`,
    ]);
  });

  it('records out of the zone are errors and are dropped', () => {
    const r = check('www.other.test. A 192.0.2.1\nexample.test.evil. A 192.0.2.2\n');
    assert.deepEqual(r.problems, [
      `${FILE}:5: error: "www.other.test." is outside the zone "example.test."`,
      `${FILE}:6: error: "example.test.evil." is outside the zone "example.test."`,
    ]);
    assert.equal(r.records.length, 3);
  });

  it('names compare without case', () => {
    const r = check('WWW A 192.0.2.1\nwww CNAME x\n');
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0]!, /has a CNAME and other data \(A\)/);
  });

  it('a delegation with its glue is fine', () => {
    const r = check('sub NS ns1.sub\n  NS ns.elsewhere.test.\n  DS 12345 13 2 ' + 'ab'.repeat(32) + '\nns1.sub A 192.0.2.7\n  AAAA 2001:db8::7\n');
    assert.deepEqual(r.problems, []);
  });

  it('missing in-bailiwick glue is a warning', () => {
    const r = check('sub NS ns1.sub\n  NS ns2.sub\n  NS ns.other.test.\nns2.sub AAAA 2001:db8::2\n');
    assert.deepEqual(r.problems, [
      `${FILE}:5: warning: delegation "sub.example.test." has NS "ns1.sub.example.test." inside it but no glue (A or AAAA) for that name`,
    ]);
  });

  it('data under a delegation that is not glue is occluded: a warning', () => {
    const r = check('sub NS ns1.sub\n  A 192.0.2.9\nns1.sub A 192.0.2.7\n  TXT "not glue"\nwww.sub A 192.0.2.8\n');
    assert.deepEqual(r.problems, [
      `${FILE}:6: warning: "sub.example.test." is at a delegation point and is not glue: its A record is occluded and will not be served`,
      `${FILE}:8: warning: "ns1.sub.example.test." is below the delegation "sub.example.test." and is not glue: its TXT record is occluded and will not be served`,
      `${FILE}:9: warning: "www.sub.example.test." is below the delegation "sub.example.test." and is not glue: its A record is occluded and will not be served`,
    ]);
  });

  it('differing TTLs in one RRset are set to the first, with one warning', () => {
    const r = check('www 300 A 192.0.2.1\nwww 600 A 192.0.2.2\nwww 900 A 192.0.2.3\nwww 60 TXT "other set"\n');
    assert.deepEqual(r.problems, [
      `${FILE}:6: warning: TTL 600 of a A record at "www.example.test." differs from the TTL 300 of its RRset (line 5); using 300 (RFC 2181 §5.2)`,
    ]);
    assert.deepEqual(r.records.slice(3), ['www.example.test. 300 A', 'www.example.test. 300 A', 'www.example.test. 300 A', 'www.example.test. 60 TXT']);
  });

  it('duplicate RRs are dropped silently; names in rdata compare without case', () => {
    const r = check('www A 192.0.2.1\nwww A 192.0.2.1\n@ NS NS.example.test.\nm MX 10 Mail\nm MX 10 mail\nm MX 20 mail\nt TXT "A"\nt TXT "a"\n');
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.records.slice(3), [
      'www.example.test. 3600 A',
      'm.example.test. 3600 MX',
      'm.example.test. 3600 MX',
      't.example.test. 3600 TXT',
      't.example.test. 3600 TXT',
    ]);
  });

  it('rdataIdentity lowercases only the names, not the numbers before them', () => {
    const mx1 = Uint8Array.of(0, 0x41, 1, 0x41, 0); // preference 65, name "A."
    const mx2 = Uint8Array.of(0, 0x61, 1, 0x61, 0); // preference 97, name "a."
    assert.notEqual(rdataIdentity(RRType.MX, mx1), rdataIdentity(RRType.MX, mx2));
    assert.equal(rdataIdentity(RRType.MX, mx1), rdataIdentity(RRType.MX, Uint8Array.of(0, 0x41, 1, 0x61, 0)));
  });
});

describe('loadZoneFile and meshdns check', () => {
  function withZone(name: string, text: string, fn: (file: string) => Promise<void> | void): Promise<void> | void {
    const dir = mkdtempSync(join(tmpdir(), 'meshdns-check-'));
    const file = join(dir, name);
    writeFileSync(file, text);
    const done = (): void => rmSync(dir, { recursive: true, force: true });
    try {
      const r = fn(file);
      if (r instanceof Promise) return r.finally(done);
      done();
      return r;
    } catch (e) {
      done();
      throw e;
    }
  }

  function capture(): { io: { out: (t: string) => void; err: (t: string) => void }; out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, out, err };
  }

  it('loadZoneFile combines parse and checks', () =>
    withZone('example.test.zone', HEAD + 'www A 192.0.2.1\nwww CNAME x\nbad A 1.2.3\n', (file) => {
      const z = loadZoneFile(file, origin);
      assert.equal(z.ok, false);
      assert.deepEqual(z.problems.map((p) => p.line), [7, 6]);
      assert.equal(z.problems[0]!.file, file);
    }));

  it('loadZoneFile of a good zone is ok', () =>
    withZone('example.test.zone', HEAD + 'www 60 A 192.0.2.1\nwww 120 A 192.0.2.2\n', (file) => {
      const z = loadZoneFile(file, origin);
      assert.equal(z.ok, true);
      assert.equal(z.problems.length, 1);
      assert.deepEqual(z.records.map((r) => r.ttl).slice(3), [60, 60]);
    }));

  it('loadZoneFile of a missing file reports it once', () => {
    const z = loadZoneFile('/nonexistent/example.test.zone', origin);
    assert.equal(z.ok, false);
    assert.equal(z.problems.length, 1);
  });

  it('check: a good zone prints the summary and exits 0; origin from the file name', () =>
    withZone('example.test.zone', HEAD + 'www 60 A 192.0.2.1\nwww 120 A 192.0.2.2\n', async (file) => {
      const c = capture();
      assert.equal(await runCheck([file], c.io), 0);
      assert.deepEqual(c.out, ['zone example.test.: loaded serial 1, 5 records, 1 warning\n']);
      assert.equal(c.err.length, 1);
      assert.match(c.err[0]!, new RegExp(`^${file.replace(/[.]/g, '\\.')}:6: warning: TTL 120 `));
    }));

  it('check: errors go to stderr as file:line and the exit status is 1', () =>
    withZone('zone.db', '$ORIGIN example.test.\n' + HEAD + 'mx MX 70000 mail\n', async (file) => {
      const c = capture();
      assert.equal(await runCheck([file, '--origin', 'example.test'], c.io), 1);
      assert.deepEqual(c.err, [`${file}:6: error: MX preference "70000" is above 65535\n`]);
      assert.deepEqual(c.out, ['zone example.test.: not loaded: 1 error, 0 warnings\n']);
    }));

  it('check: the wrong origin (from the file name) shows as out-of-zone errors', () =>
    withZone('other.test.zone', '$ORIGIN example.test.\n' + HEAD, async (file) => {
      const c = capture();
      assert.equal(await runCheck([file], c.io), 1);
      assert.match(c.err.join(''), /is outside the zone "other\.test\."/);
    }));

  it('check: usage errors exit 2 with one line naming the mistake', async () => {
    const c = capture();
    assert.equal(await runCheck([], c.io), 2);
    assert.equal(c.err[0], 'meshdns check: check needs a FILE\n');
    assert.equal(await runCheck(['a', 'b'], c.io), 2);
    assert.equal(await runCheck(['a', '--bogus'], c.io), 2);
    assert.match(c.err.join(''), /meshdns check: unknown option '--bogus'/);
    assert.equal(await runCheck(['a', '--origin'], c.io), 2);
  });
});
