// Interop: the same zone files read by meshdns, by BIND (named-compilezone) and by Knot (kzonecheck).
// named-compilezone prints the zone it loaded in full format; we read that back with our parser
// and compare the record sets as wire data. kzonecheck only says yes or no, so it checks that Knot
// accepts the good zones (without $GENERATE, which Knot lacks) and refuses the bad ones.
// A missing tool fails the test with the Debian package to install; it never skips.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nameToKey, parseName } from '../../zones/name.js';
import type { ParsedRecord } from '../../zones/record.js';
import { typeToText } from '../../zones/rrtype.js';
import { loadZoneFile } from '../../zones/import/zone-source.js';
import { requireTool } from '../helpers/tools.js';
import { parseZoneText } from '../../zones/zonefile/parser.js';

const ORIGIN = 'example.test.';
const origin = parseName(ORIGIN);

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function tool(cmd: string, args: string[], cwd: string, pkg: string): Run {
  requireTool(cmd, pkg);
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.error !== undefined) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const NAMED_OPTS = ['-i', 'none', '-k', 'ignore', '-n', 'ignore', '-r', 'ignore', '-m', 'ignore', '-M', 'ignore', '-S', 'ignore', '-T', 'ignore', '-W', 'ignore'];

function namedCompile(dir: string, file: string): Run {
  return tool('named-compilezone', [...NAMED_OPTS, '-o', '-', '-s', 'full', ORIGIN, file], dir, 'bind9-utils');
}

function kzonecheck(dir: string, file: string): Run {
  return tool('kzonecheck', ['-v', '-o', ORIGIN, file], dir, 'knot-dnssecutils');
}

/** A record as comparable text: owner key (no case), type, TTL and the rdata bytes. */
function wireLines(records: readonly ParsedRecord[]): string[] {
  return records
    .map((r) => `${nameToKey(r.owner).toString('hex')} ${typeToText(r.type)} ${r.ttl} ${Buffer.from(r.rdata).toString('hex')}`)
    .sort();
}

/** named's full-format output read back through our parser. */
function namedRecords(run: Run): ParsedRecord[] {
  assert.equal(run.status, 0, `named-compilezone refused the zone:\n${run.stderr}${run.stdout}`);
  const text = run.stdout.split('\n').filter((l) => !/^(zone |OK$)/.test(l)).join('\n');
  const parsed = parseZoneText(text, { origin, file: 'named-output' });
  assert.deepEqual(parsed.problems, [], 'named output parses');
  return parsed.records;
}

// Every master-file feature at least once: directives, units, parentheses, comments, escapes,
// blank owners, TTL/class in both orders, generic forms, includes with and without an origin.
const MAIN = `; interop zone: every syntax feature
$ORIGIN example.test.
$TTL 1h30m
@ IN SOA ns1 hostmaster.example.test. (
        2024010101 ; serial
        2h         ; refresh, with a unit
        1H         ; retry
        2w         ; expire
        300 )      ; minimum
        NS ns1
        NS ns2.example.test.
  IN    MX 10 mail
@ 600 IN TXT "v=spf1 -all"
ns1 A 192.0.2.1
ns2 IN 7200 A 192.0.2.2
    7200 AAAA 2001:db8::2
mail A 192.0.2.3
www CNAME @
*.wild A 192.0.2.4
t1 TXT "semicolon; inside" "paren ( ) inside" "quote \\" inside" "" tail
t2 TXT noquotes\\ with\\ escaped\\ spaces \\059 \\(x\\) caf\\195\\169
t3 TXT ( "multi"
         "line" ) ; trailing comment
t4 TXT "tab\\009and\\\\backslash"
a\\.dot A 192.0.2.5
sp\\032ace A 192.0.2.6
\\$dollar A 192.0.2.7
UPPER.Case A 192.0.2.8
g1 CLASS1 TYPE1 \\# 4 C0000209
g2 TYPE65280 \\# 3 ABCDEF
g3 A \\# 4 c000020a
g4 TYPE65281 \\# 0
_sip._tcp SRV 10 20 5060 sip
caa CAA 0 issue "ca.example"
ptr PTR www
hinfo HINFO "PC" "Linux 6"
naptr NAPTR 100 10 "u" "E2U+sip" "!^.*$!sip:info@example.test!" .
sshfp SSHFP 1 1 0123456789abcdef0123456789abcdef01234567
_443._tcp TLSA 3 1 1 ( 0123456789abcdef0123456789abcdef
                       0123456789abcdef0123456789abcdef )
sub NS ns.sub
    NS ns.elsewhere.test.
    DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ns.sub A 192.0.2.20
$TTL 5m
after A 192.0.2.30
explicit 45 A 192.0.2.31
  A 192.0.2.32
rel.multi A 192.0.2.33
abs.example.test. A 192.0.2.34
$ORIGIN sub3
x A 192.0.2.35
@ TXT "at origin sub3"
$ORIGIN example.test.
$INCLUDE hosts.inc
$INCLUDE "other.inc" other.example.test.
  AAAA 2001:db8::53 ; owner and origin revert after an include
last TXT "after includes"
  TXT "second string set"
`;

// CRLF line ends, a multi-line entry and a $TTL that stays after the file ends (as in BIND)
const HOSTS = ['h1 A 192.0.2.101', 'h2 IN A 192.0.2.102', '  AAAA ( 2001:db8::102 ) ; crlf', '$TTL 2m', 'h3 A 192.0.2.103', ''].join('\r\n');
const OTHER = 'x A 192.0.2.110\n@ TXT "origin of the include"\n$ORIGIN deeper\ny A 192.0.2.111\n';

// Knot is stricter than RFC 1035 and BIND in three places: $ORIGIN must be absolute, CLASSnnn is
// refused, and so are CRLF line ends. Its copy of the zone is spelled the way it accepts.
const KNOT_MAIN = MAIN.replace('$ORIGIN sub3\n', '$ORIGIN sub3.example.test.\n').replace('g1 CLASS1 TYPE1', 'g1 IN TYPE1')
  .replace('$INCLUDE hosts.inc', '$INCLUDE knot-hosts.inc').replace('$INCLUDE "other.inc"', '$INCLUDE "knot-other.inc"');
const KNOT_HOSTS = HOSTS.replaceAll('\r\n', '\n');
const KNOT_OTHER = OTHER.replace('$ORIGIN deeper\n', '$ORIGIN deeper.other.example.test.\n');

const GENERATE = `$TTL 300
@ SOA ns hostmaster 1 7200 3600 1209600 300
  NS ns
ns A 192.0.2.1
$GENERATE 1-10 host$ A 192.0.2.$
$GENERATE 0-20/5 v6-\${10,3} 600 IN AAAA 2001:db8::\${0,4,x}
$GENERATE 1-3 m\${0,2,X} IN MX "10 host$"
$GENERATE 1-3 c$ IN 60 CNAME host\${0,2,o}
$GENERATE 250-255 \${0,7,n}.rev PTR host$.example.test.
$GENERATE 4090-4096 \${0,0,N}.nib TXT x\${-4000}
$GENERATE 1-2 lit$$x\\$y TXT "v$ $$ \${1}"
$GENERATE 8-9 o\${0,4,o}.\${1,3,d}.\${2,2,x} TXT "o"
`;

describe('zone files: meshdns, BIND and Knot read the same records', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'meshdns-interop-zonefile-'));
    writeFileSync(join(dir, 'example.test.zone'), MAIN);
    writeFileSync(join(dir, 'hosts.inc'), HOSTS);
    writeFileSync(join(dir, 'other.inc'), OTHER);
    writeFileSync(join(dir, 'generate.zone'), GENERATE);
    writeFileSync(join(dir, 'knot.zone'), KNOT_MAIN);
    writeFileSync(join(dir, 'knot-hosts.inc'), KNOT_HOSTS);
    writeFileSync(join(dir, 'knot-other.inc'), KNOT_OTHER);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('every syntax feature: the same records as named-compilezone', () => {
    const ours = loadZoneFile(join(dir, 'example.test.zone'), origin, dir);
    assert.deepEqual(ours.problems.filter((p) => p.severity === 'error'), []);
    const theirs = namedRecords(namedCompile(dir, 'example.test.zone'));
    assert.ok(theirs.length >= 50, `named loaded ${theirs.length} records`);
    assert.deepEqual(wireLines(ours.records), wireLines(theirs));
  });

  it('every syntax feature: kzonecheck accepts the zone too', () => {
    const r = kzonecheck(dir, 'knot.zone');
    assert.equal(r.status, 0, `kzonecheck refused the zone:\n${r.stdout}${r.stderr}`);
  });

  it('$GENERATE: the same records as named-compilezone', () => {
    const ours = loadZoneFile(join(dir, 'generate.zone'), origin, dir);
    assert.deepEqual(ours.problems.filter((p) => p.severity === 'error'), []);
    const theirs = namedRecords(namedCompile(dir, 'generate.zone'));
    assert.equal(theirs.length, 3 + 10 + 5 + 3 + 3 + 6 + 7 + 2 + 2);
    assert.deepEqual(wireLines(ours.records), wireLines(theirs));
  });
});

const HEAD = '$TTL 60\n@ SOA ns hostmaster 1 7200 3600 1209600 300\n  NS ns\nns A 192.0.2.1\n';

// Zones meshdns must refuse, and BIND and Knot too unless said otherwise (where they differ, we
// side with the one that refuses). With `line`, named names that line and so do we.
const BAD: { name: string; zone: string; line?: number; namedAccepts?: true; knotAccepts?: true }[] = [
  { name: 'bad IPv4 address', zone: `${HEAD}www A 192.0.2\n`, line: 5 },
  { name: 'unknown type', zone: `${HEAD}www BOGUS 1\n`, line: 5 },
  { name: 'MX preference too large', zone: `${HEAD}mx MX 70000 mail\n`, line: 5 },
  { name: 'class other than IN', zone: `${HEAD}www CH A 192.0.2.1\n`, line: 5 },
  { name: 'bad TTL unit', zone: `${HEAD}www 1x A 192.0.2.1\n`, line: 5 },
  { name: 'unclosed parenthesis', zone: `${HEAD}www TXT ( "a"\nmore A 192.0.2.1\n` },
  { name: 'missing $INCLUDE file', zone: `${HEAD}$INCLUDE nope.inc\n`, line: 5 },
  { name: 'leading blank before any owner', zone: `$TTL 60\n  A 192.0.2.1\n${HEAD}`, line: 2 },
  { name: 'bad $TTL', zone: `$TTL forever\n${HEAD}` },
  // Knot falls back to its default TTL; BIND refuses (RFC 2308 asks for $TTL)
  { name: 'no TTL at all', zone: `www A 192.0.2.1\n${HEAD}`, line: 1, knotAccepts: true },
  { name: 'CNAME and other data', zone: `${HEAD}www CNAME x\nwww A 192.0.2.1\n` },
  // BIND loads it and leaves the data unreachable; RFC 6672 §2.3 forbids it, Knot refuses it
  { name: 'data below a DNAME', zone: `${HEAD}d DNAME other.test.\nx.d A 192.0.2.1\n`, namedAccepts: true },
  { name: 'no SOA', zone: '$TTL 60\n@ NS ns\nns A 192.0.2.1\n' },
  // Knot takes it as data of an unrelated name; BIND refuses (an SOA marks a zone apex)
  { name: 'SOA below the apex', zone: `${HEAD}sub SOA ns hostmaster 1 2 3 4 5\n`, knotAccepts: true },
];

describe('zone files: meshdns, BIND and Knot refuse the same bad zones', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'meshdns-interop-badzone-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [i, c] of BAD.entries()) {
    it(c.name, () => {
      const file = `bad${i}.zone`;
      writeFileSync(join(dir, file), c.zone);
      const ours = loadZoneFile(join(dir, file), origin, dir);
      assert.equal(ours.ok, false, 'meshdns refuses it');
      const named = namedCompile(dir, file);
      if (c.namedAccepts) assert.equal(named.status, 0, `named-compilezone still accepts it:\n${named.stderr}`);
      else assert.notEqual(named.status, 0, `named-compilezone refuses it:\n${named.stdout}`);
      const knot = kzonecheck(dir, file);
      if (c.knotAccepts) assert.equal(knot.status, 0, `kzonecheck still accepts it:\n${knot.stdout}${knot.stderr}`);
      else assert.notEqual(knot.status, 0, `kzonecheck refuses it:\n${knot.stdout}${knot.stderr}`);
      if (c.line !== undefined) {
        const m = new RegExp(`${file.replace('.', '\\.')}:(\\d+)`).exec(named.stderr + named.stdout);
        assert.ok(m, `named names a line:\n${named.stderr}`);
        assert.equal(Number(m[1]), c.line, `named's line (${named.stderr.trim()})`);
        assert.equal(ours.problems[0]!.line, c.line, `our line (${ours.problems[0]!.message})`);
      }
    });
  }
});
