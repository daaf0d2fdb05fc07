import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { nameToText, parseName } from '../../zones/name.js';
import { rdataToText } from '../../zones/rdata/index.js';
import { typeToText } from '../../zones/rrtype.js';
import { parseOwnerName } from '../../zones/zonefile/owner-name.js';
import { parseZoneFile, parseZoneText, type ParseOptions, type ParseResult } from '../../zones/zonefile/parser.js';
import { NotRegularFileError, readRegularFile } from '../../zones/zonefile/read-file.js';
import { loadZoneFile } from '../../zones/import/zone-source.js';

const origin = parseName('example.test.');
const FILE = 'example.test.zone';

function parse(text: string, opts: Partial<ParseOptions> = {}): ParseResult {
  return parseZoneText(text, { origin, file: FILE, ...opts });
}

/** Records as "owner ttl TYPE rdata" lines. */
function recs(r: ParseResult): string[] {
  return r.records.map((x) => `${nameToText(x.owner)} ${x.ttl} ${typeToText(x.type)} ${rdataToText(x.type, x.rdata)}`);
}

/** Problems as "file:line: severity: message" lines. */
function probs(r: ParseResult): string[] {
  return r.problems.map((p) => `${p.file}:${p.line}: ${p.severity}: ${p.message}`);
}

const SOA = '@ SOA ns hostmaster 1 7200 3600 1209600 300\n';

describe('zone-file parser: records', () => {
  it('reads owners: relative, absolute, @, inherited by a leading blank', () => {
    const r = parse(`$TTL 3600\n${SOA}www A 192.0.2.1\n  AAAA 2001:db8::1\nmail.example.test. A 192.0.2.2\n@ NS ns\n`);
    assert.deepEqual(probs(r), []);
    assert.deepEqual(recs(r), [
      'example.test. 3600 SOA ns.example.test. hostmaster.example.test. 1 7200 3600 1209600 300',
      'www.example.test. 3600 A 192.0.2.1',
      'www.example.test. 3600 AAAA 2001:db8::1',
      'mail.example.test. 3600 A 192.0.2.2',
      'example.test. 3600 NS ns.example.test.',
    ]);
  });

  it('keeps the file:line of every record, multi-line entries at their first line', () => {
    const r = parse(`$TTL 1h\n@ SOA ns hostmaster (\n 1 ; serial\n 2 3 4 5 )\n\nwww A 192.0.2.1\n`);
    assert.deepEqual(r.records.map((x) => `${x.file}:${x.line}`), [`${FILE}:2`, `${FILE}:6`]);
  });

  it('accepts TTL and class in either order, both optional', () => {
    const r = parse('$TTL 60\na 300 IN A 192.0.2.1\nb IN 300 A 192.0.2.2\nc IN A 192.0.2.3\nd 300 A 192.0.2.4\ne A 192.0.2.5\n');
    assert.deepEqual(probs(r), []);
    assert.deepEqual(r.records.map((x) => x.ttl), [300, 300, 60, 300, 60]);
  });

  it('accepts TTL units, in any case', () => {
    const r = parse('a 1h30m A 192.0.2.1\nb 1W2d A 192.0.2.1\nc 90S A 192.0.2.1\nd 2D A 192.0.2.1\n');
    assert.deepEqual(probs(r), []);
    assert.deepEqual(r.records.map((x) => x.ttl), [5400, 777600, 90, 172800]);
  });

  it('accepts CLASS1 and the RFC 3597 TYPEnnn and \\# forms', () => {
    const r = parse('$TTL 60\na CLASS1 TYPE1 \\# 4 C0000201\nb IN TYPE65280 \\# 3 abcdef\nc TYPE65281 \\# 0\n');
    assert.deepEqual(probs(r), []);
    assert.deepEqual(recs(r).slice(0, 1), ['a.example.test. 60 A 192.0.2.1']);
    assert.deepEqual([...r.records[1]!.rdata], [0xab, 0xcd, 0xef]);
    assert.equal(r.records[1]!.type, 65280);
    assert.equal(r.records[2]!.rdata.length, 0);
  });

  it('reads escaped owner names', () => {
    const r = parse('$TTL 60\n\\$dollar A 192.0.2.1\na\\.b A 192.0.2.2\nsp\\032ace A 192.0.2.3\n');
    assert.deepEqual(probs(r), []);
    assert.deepEqual(r.records.map((x) => nameToText(x.owner)), ['\\$dollar.example.test.', 'a\\.b.example.test.', 'sp\\032ace.example.test.']);
  });

  it('reads CRLF files', () => {
    const r = parse(`$TTL 60\r\n${SOA.replace('\n', '\r\n')}www A 192.0.2.1\r\n  TXT "x"\r\n`);
    assert.deepEqual(probs(r), []);
    assert.equal(r.records.length, 3);
  });
});

describe('zone-file parser: owner names', () => {
  /** parseName's answer: the wire bytes, or the error message. */
  const both = (text: string): [string, string] => {
    const run = (f: () => Uint8Array): string => {
      try {
        return Buffer.from(f()).toString('hex');
      } catch (e) {
        return `error: ${(e as Error).message}`;
      }
    };
    return [run(() => parseOwnerName(text, origin)), run(() => parseName(text, origin))];
  };

  it('the fast owner-name path gives exactly what parseName gives', () => {
    for (const t of ['www', 'a.b.c', 'a.b.c.', '@', '.', '*', '*.x', 'x-y_z', 'a..b', '.a', 'a.', '..', 'A\\.b', 'é.x',
      'x'.repeat(63), 'x'.repeat(64), `${'abcdefg.'.repeat(31)}x`, `${'abcdefg.'.repeat(32)}`, 'sp ace']) {
      const [fast, slow] = both(t);
      assert.equal(fast, slow, t);
    }
  });

  it('the fast owner-name path agrees with parseName on random spellings', () => {
    const chars = fc.constantFrom('a', 'Z', '0', '-', '.', '.', '*', '\\', 'é', ' ', '_', 'x'.repeat(30));
    fc.assert(fc.property(fc.array(chars, { maxLength: 40 }), (parts) => {
      const [fast, slow] = both(parts.join(''));
      assert.equal(fast, slow);
    }), { numRuns: 2000 });
  });
});

describe('zone-file parser: TTL defaults', () => {
  it('$TTL applies to records without a TTL; an explicit TTL does not change it', () => {
    const r = parse('$TTL 100\na A 192.0.2.1\nb 200 A 192.0.2.2\nc A 192.0.2.3\n$TTL 1d\nd A 192.0.2.4\n');
    assert.deepEqual(r.records.map((x) => x.ttl), [100, 200, 100, 86400]);
    assert.deepEqual(probs(r), []);
  });

  it('without $TTL a record takes the previous TTL (RFC 1035), warned once', () => {
    const r = parse('a 300 A 192.0.2.1\nb A 192.0.2.2\nc A 192.0.2.3\nd 20 A 192.0.2.4\ne A 192.0.2.5\n');
    assert.deepEqual(r.records.map((x) => x.ttl), [300, 300, 300, 20, 20]);
    assert.deepEqual(probs(r), [
      `${FILE}:2: warning: no $TTL in the zone; records without a TTL take the previous record's TTL (RFC 1035 semantics)`,
    ]);
  });

  it('without any TTL before it, the SOA takes its MINIMUM (as BIND does), and so do later records', () => {
    const r = parse(`${SOA}www A 192.0.2.1\nx 60 A 192.0.2.2\ny A 192.0.2.3\n`);
    assert.deepEqual(r.records.map((x) => x.ttl), [300, 300, 60, 300]);
    assert.deepEqual(probs(r), [`${FILE}:1: warning: no TTL specified and no $TTL before the SOA; using the SOA MINIMUM "300"`]);
  });

  it('without any TTL before it, another record is an error', () => {
    const r = parse('www A 192.0.2.1\n');
    assert.deepEqual(probs(r), [`${FILE}:1: error: no TTL specified and no $TTL before this record`]);
  });

  it('the defaultTtl option acts as a $TTL at the start of the file', () => {
    const r = parse('www A 192.0.2.1\nx 60 A 192.0.2.2\ny A 192.0.2.3\n$TTL 5\nz A 192.0.2.4\n', { defaultTtl: 1234 });
    assert.deepEqual(r.records.map((x) => x.ttl), [1234, 60, 1234, 5]);
    assert.deepEqual(probs(r), []);
  });

  it('a TTL above 2^31-1 becomes 0 with a warning (RFC 2181 §8)', () => {
    const r = parse('$TTL 60\na 2147483648 A 192.0.2.1\n$TTL 4294967295\nb A 192.0.2.2\n');
    assert.deepEqual(r.records.map((x) => x.ttl), [0, 0]);
    assert.deepEqual(probs(r), [
      `${FILE}:2: warning: TTL 2147483648 is above 2147483647 (RFC 2181 §8); using 0`,
      `${FILE}:3: warning: $TTL 4294967295 is above 2147483647 (RFC 2181 §8); using 0`,
    ]);
  });
});

describe('zone-file parser: record errors', () => {
  const cases: [string, string][] = [
    ['www 1x A 192.0.2.1', `TTL "1x" has an unknown unit "x" (use w, d, h, m or s)`],
    ['www 1h30 A 192.0.2.1', `TTL "1h30" ends with a number without a unit`],
    ['www 4294967296 A 192.0.2.1', `TTL "4294967296" is above 4294967295`],
    ['www 60 300 A 192.0.2.1', `a second TTL "300" where the type is expected`],
    ['www IN IN A 192.0.2.1', `a second class "IN" where the type is expected`],
    ['www CH A 192.0.2.1', `class "CH" is not supported: meshdns serves class IN zones only`],
    ['www CLASS3 A 192.0.2.1', `class "CLASS3" is not supported: meshdns serves class IN zones only`],
    ['www 60 IN AAA ::1', `unknown RR type "AAA"`],
    ['www TYPE70000 \\# 0', `unknown RR type "TYPE70000"`],
    ['www "A" 192.0.2.1', `quoted string "A" where the RR type is expected`],
    ['www AXFR x', `RR type "AXFR" is a query or meta type and cannot appear in a zone (RFC 6895 §3.1)`],
    ['www 60 IN', `record for "www.example.test." ends before its type`],
    ['www', `record "www" has no type and data after the owner name`],
    ['a..b A 192.0.2.1', `owner name "a..b" has an empty label`],
    ['"" A 192.0.2.1', `owner name is empty`],
  ];
  for (const [line, message] of cases) {
    it(`"${line}" → ${message}`, () => {
      const r = parse(`$TTL 60\n${line}\n`);
      assert.deepEqual(probs(r), [`${FILE}:2: error: ${message}`]);
      assert.equal(r.records.length, 0);
    });
  }

  it('reports an rdata error from the codec with the file:line', () => {
    const r = parse('$TTL 60\n\nmx MX 70000 mail\n');
    assert.deepEqual(probs(r), [`${FILE}:3: error: MX preference "70000" is above 65535`]);
  });

  it('reports an rdata error in a multi-line entry at the line of the bad value', () => {
    const r = parse('$TTL 60\n@ SOA ns hostmaster (\n 1\n 2\n 3x\n 4 5 )\n');
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0]!.line, 5);
    assert.match(r.problems[0]!.message, /"3x"/);
  });

  it('a line starting with a blank before any owner is an error', () => {
    const r = parse('$TTL 60\n  A 192.0.2.1\n');
    assert.deepEqual(probs(r), [`${FILE}:2: error: line starts with whitespace but there is no previous owner name to repeat`]);
  });

  it('after a bad owner, lines inheriting it are skipped without more errors', () => {
    const r = parse('$TTL 60\na..b A 192.0.2.1\n  AAAA ::1\nok A 192.0.2.2\n  AAAA ::2\n');
    assert.deepEqual(probs(r), [`${FILE}:2: error: owner name "a..b" has an empty label`]);
    assert.deepEqual(recs(r), ['ok.example.test. 60 A 192.0.2.2', 'ok.example.test. 60 AAAA ::2']);
  });

  it('reports syntax errors of the lexer and drops those entries', () => {
    const r = parse('$TTL 60\nt TXT "open\nu A 192.0.2.1 )\nv A 192.0.2.2\n');
    assert.deepEqual(probs(r), [
      `${FILE}:2: error: quoted string is not closed on its line`,
      `${FILE}:3: error: ")" without a matching "("`,
    ]);
    assert.deepEqual(recs(r), ['v.example.test. 60 A 192.0.2.2']);
  });

  it('reports an unclosed parenthesis at the line that opened it', () => {
    const r = parse('$TTL 60\nok A 192.0.2.1\n@ SOA ns hostmaster ( 1 2 3 4 5\nx A 192.0.2.2\n');
    assert.deepEqual(probs(r), [`${FILE}:3: error: "(" is not closed before the end of the file`]);
    assert.equal(r.records.length, 1);
  });

  it('keeps going after errors to report them all', () => {
    const r = parse('$TTL 60\na A 300.1.1.1\nb A 192.0.2.1\nc MX x y\nd BOGUS 1\ne A 192.0.2.2\n');
    assert.deepEqual(r.problems.map((p) => p.line), [2, 4, 5]);
    assert.deepEqual(r.records.map((x) => nameToText(x.owner)), ['b.example.test.', 'e.example.test.']);
  });
});

describe('zone-file parser: $ORIGIN and $TTL', () => {
  it('$ORIGIN changes the origin; a relative $ORIGIN is relative to the current one', () => {
    const r = parse('$TTL 60\n$ORIGIN sub\nwww A 192.0.2.1\n$ORIGIN other.test.\nx CNAME y\n$origin example.test.\n@ NS ns\n');
    assert.deepEqual(probs(r), []);
    assert.deepEqual(recs(r), [
      'www.sub.example.test. 60 A 192.0.2.1',
      'x.other.test. 60 CNAME y.other.test.',
      'example.test. 60 NS ns.example.test.',
    ]);
  });

  it('warns when a record inherits its owner right after a $ORIGIN (as BIND does)', () => {
    const r = parse('$TTL 60\nwww A 192.0.2.1\n$ORIGIN sub.example.test.\n  AAAA ::1\n');
    assert.deepEqual(probs(r), [
      `${FILE}:4: warning: record inherits the owner "www.example.test." right after $ORIGIN "sub.example.test."; the $ORIGIN does not change it`,
    ]);
    assert.equal(nameToText(r.records[1]!.owner), 'www.example.test.');
  });

  const cases: [string, string][] = [
    ['$ORIGIN', '$ORIGIN needs a domain name'],
    ['$ORIGIN a. b.', '$ORIGIN takes one argument; unexpected "b."'],
    ['$ORIGIN a..b.', '$ORIGIN "a..b." is not a valid domain name: name "a..b." has an empty label'],
    ['$TTL', '$TTL needs a TTL value'],
    ['$TTL 1 2', '$TTL takes one argument; unexpected "2"'],
    ['$TTL forever', '$TTL "forever" is not a number of seconds or a duration like 1h30m'],
    ['$INCLUDE', '$INCLUDE needs a file name'],
    ['$INCLUDE a b. c', '$INCLUDE takes at most 2 arguments; unexpected "c"'],
    ['  $TTL 60', 'directive "$TTL" must start at the beginning of the line'],
    ['$DATE 20240101000000', 'unknown directive "$DATE" (known: $ORIGIN, $TTL, $INCLUDE, $GENERATE; an owner name starting with "$" must be written "\\$")'],
  ];
  for (const [line, message] of cases) {
    it(`"${line}" → ${message}`, () => {
      assert.deepEqual(probs(parse(`$TTL 60\n${line}\n`)), [`${FILE}:2: error: ${message}`]);
    });
  }
});

describe('zone-file parser: $INCLUDE', () => {
  let root: string;
  let outside: string;
  before(() => {
    const base = mkdtempSync(join(tmpdir(), 'meshdns-include-'));
    root = join(base, 'zones');
    outside = join(base, 'secret');
    mkdirSync(join(root, 'parts', 'deeper'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'x.zone'), 'stolen A 192.0.2.66\n');
    writeFileSync(join(root, 'hosts.inc'), 'h1 A 192.0.2.1\nh2 A 192.0.2.2\n');
    writeFileSync(join(root, 'parts', 'a.inc'), '; relative to this file\n$INCLUDE deeper/b.inc\na A 192.0.2.10\n');
    writeFileSync(join(root, 'parts', 'deeper', 'b.inc'), 'b A 192.0.2.11\nbad A 192.0.2.300\n');
    writeFileSync(join(root, 'origin.inc'), '$ORIGIN changed.test.\nx A 192.0.2.20\n$TTL 99\n');
    writeFileSync(join(root, 'inherit.inc'), '  TXT "inherited owner"\n');
    writeFileSync(join(root, 'loop1.inc'), '$INCLUDE loop2.inc\n');
    writeFileSync(join(root, 'loop2.inc'), '$INCLUDE loop1.inc\n');
    symlinkSync(join(outside, 'x.zone'), join(root, 'link.inc'));
  });
  after(() => rmSync(join(root, '..'), { recursive: true, force: true }));

  const file = (): string => join(root, 'example.test.zone');
  const run = (text: string): ParseResult => {
    writeFileSync(file(), text);
    return parseZoneFile(file(), { origin, file: 'example.test.zone', includeRoot: root });
  };

  it('reads the included file in place, with the current origin', () => {
    const r = run('$TTL 60\nfirst A 192.0.2.99\n$INCLUDE hosts.inc\nlast A 192.0.2.98\n');
    assert.deepEqual(probs(r), []);
    assert.deepEqual(r.records.map((x) => nameToText(x.owner)),
      ['first.example.test.', 'h1.example.test.', 'h2.example.test.', 'last.example.test.']);
    assert.deepEqual(r.records.map((x) => `${x.file}:${x.line}`),
      ['example.test.zone:2', 'hosts.inc:1', 'hosts.inc:2', 'example.test.zone:4']);
  });

  it('resolves paths relative to the including file and reports problems in the included file', () => {
    const r = run('$TTL 60\n$INCLUDE "parts/a.inc"\n');
    assert.deepEqual(r.records.map((x) => nameToText(x.owner)), ['b.example.test.', 'a.example.test.']);
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0]!.file, 'parts/deeper/b.inc');
    assert.equal(r.problems[0]!.line, 2);
    assert.match(r.problems[0]!.message, /"192\.0\.2\.300"/);
  });

  it('takes an origin argument; origin and owner revert after the file, $TTL does not (as in BIND)', () => {
    const r = run('$TTL 60\nwww A 192.0.2.1\n$INCLUDE origin.inc sub\n  AAAA ::1\ny A 192.0.2.2\n');
    assert.deepEqual(probs(r), []);
    assert.deepEqual(recs(r), [
      'www.example.test. 60 A 192.0.2.1',
      'x.changed.test. 60 A 192.0.2.20',
      'www.example.test. 99 AAAA ::1',
      'y.example.test. 99 A 192.0.2.2',
    ]);
  });

  it('the included file may start by inheriting the current owner (as in BIND)', () => {
    const r = run('$TTL 60\nwww A 192.0.2.1\n$INCLUDE inherit.inc\n');
    assert.deepEqual(probs(r), []);
    assert.deepEqual(recs(r)[1], 'www.example.test. 60 TXT "inherited owner"');
  });

  it('refuses a path outside the include root', () => {
    const r = run('$TTL 60\n$INCLUDE ../secret/x.zone\n');
    assert.equal(r.records.length, 0);
    assert.deepEqual(probs(r), [`example.test.zone:2: error: $INCLUDE file "../secret/x.zone" resolves to ` +
      `"${join(outside, 'x.zone')}", outside the include root "${root}"`]);
  });

  it('refuses an absolute path outside the include root', () => {
    const r = run(`$TTL 60\n$INCLUDE ${join(outside, 'x.zone')}\n`);
    assert.equal(r.records.length, 0);
    assert.match(r.problems[0]!.message, /outside the include root/);
  });

  it('refuses a symbolic link that points outside the include root', () => {
    const r = run('$TTL 60\n$INCLUDE link.inc\n');
    assert.equal(r.records.length, 0);
    assert.match(r.problems[0]!.message, /^\$INCLUDE file "link.inc" resolves to ".*secret\/x\.zone", outside the include root/);
  });

  it('reports a missing file', () => {
    const r = run('$TTL 60\n$INCLUDE nope.inc\n');
    assert.deepEqual(probs(r), ['example.test.zone:2: error: $INCLUDE file "nope.inc" cannot be read: no such file']);
  });

  it('detects include loops', () => {
    const r = run('$TTL 60\n$INCLUDE loop1.inc\n');
    assert.deepEqual(probs(r), ['loop2.inc:1: error: $INCLUDE file "loop1.inc" is already being read: include loop loop1.inc → loop2.inc → loop1.inc']);
  });

  it('detects a file that includes itself', () => {
    const r = run('$TTL 60\n$INCLUDE example.test.zone\n');
    assert.deepEqual(probs(r), ['example.test.zone:2: error: $INCLUDE file "example.test.zone" is already being read: include loop example.test.zone → example.test.zone']);
  });

  it('the include root defaults to the directory of the zone file', () => {
    writeFileSync(file(), '$TTL 60\n$INCLUDE ../secret/x.zone\n$INCLUDE hosts.inc\n');
    const r = parseZoneFile(file(), { origin });
    assert.equal(r.records.length, 2);
    assert.match(r.problems[0]!.message, /outside the include root/);
    assert.equal(r.problems[0]!.file, file());
  });

  it('an unreadable zone file is a problem at line 0, not an exception', () => {
    const r = parseZoneFile(join(root, 'missing.zone'), { origin });
    assert.equal(r.records.length, 0);
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0]!.line, 0);
    assert.match(r.problems[0]!.message, /^cannot read the zone file ".*missing\.zone": ENOENT/);
  });
});

describe('zone-file parser: only regular files are read', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'meshdns-fifo-'));
    // a FIFO nobody writes to: reading it would block this process forever
    const made = spawnSync('mkfifo', [join(dir, 'fifo.zone')]);
    assert.equal(made.status, 0, String(made.stderr));
    mkdirSync(join(dir, 'dir.zone'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a FIFO zone file is an error at line 0, reported without blocking', () => {
    const r = parseZoneFile(join(dir, 'fifo.zone'), { origin, file: 'fifo.zone' });
    assert.deepEqual(probs(r), [`fifo.zone:0: error: cannot read the zone file "${join(dir, 'fifo.zone')}": not a regular file (a FIFO)`]);
  });

  it('a directory named like a zone file is an error at line 0', () => {
    const r = parseZoneFile(join(dir, 'dir.zone'), { origin, file: 'dir.zone' });
    assert.match(probs(r).join('\n'), /^dir\.zone:0: error: cannot read the zone file .*: not a regular file \(a directory\)$/);
  });

  it('$INCLUDE of a FIFO is an error on the $INCLUDE line; the rest of the file is read', () => {
    writeFileSync(join(dir, 'main.zone'), `$TTL 60\n${SOA}$INCLUDE fifo.zone\nwww A 192.0.2.1\n`);
    const r = parseZoneFile(join(dir, 'main.zone'), { origin, file: 'main.zone' });
    assert.deepEqual(probs(r), ['main.zone:3: error: $INCLUDE file "fifo.zone" cannot be read: not a regular file (a FIFO)']);
    assert.equal(r.records.length, 2);
  });

  it('loadZoneFile (the server\'s and `meshdns check`\'s reader) reports the FIFO and stops there', () => {
    const loaded = loadZoneFile(join(dir, 'fifo.zone'), origin, dir, { file: 'fifo.zone' });
    assert.equal(loaded.ok, false);
    assert.deepEqual(loaded.problems.map((p) => `${p.file}:${p.line}: ${p.message}`), [`fifo.zone:0: cannot read the zone file "${join(dir, 'fifo.zone')}": not a regular file (a FIFO)`]);
  });

  it('readRegularFile reads a symlink to a regular file, refuses a FIFO with a coded error', () => {
    writeFileSync(join(dir, 'real.txt'), 'data');
    symlinkSync(join(dir, 'real.txt'), join(dir, 'link.txt'));
    assert.equal(readRegularFile(join(dir, 'link.txt')).toString(), 'data');
    assert.throws(() => readRegularFile(join(dir, 'fifo.zone')), (e: unknown) => e instanceof NotRegularFileError && e.code === 'MESHDNS_ERR_NOT_REGULAR_FILE');
    assert.throws(() => readRegularFile(join(dir, 'missing')), { code: 'ENOENT' });
  });
});
