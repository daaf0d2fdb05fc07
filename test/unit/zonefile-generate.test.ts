import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nameToText, parseName } from '../../zones/name.js';
import { rdataToText } from '../../zones/rdata/index.js';
import { typeToText } from '../../zones/rrtype.js';
import { GenerateError, substitute } from '../../zones/zonefile/generate.js';
import { parseZoneText, type ParseResult } from '../../zones/zonefile/parser.js';

const origin = parseName('example.test.');
const FILE = 'example.test.zone';

function parse(text: string): ParseResult {
  return parseZoneText(text, { origin, file: FILE });
}

function recs(r: ParseResult): string[] {
  return r.records.map((x) => `${nameToText(x.owner)} ${x.ttl} ${typeToText(x.type)} ${rdataToText(x.type, x.rdata)}`);
}

function probs(r: ParseResult): string[] {
  return r.problems.map((p) => `${p.file}:${p.line}: ${p.severity}: ${p.message}`);
}

describe('$GENERATE substitution (BIND genname)', () => {
  const cases: [string, number, string][] = [
    ['host$', 7, 'host7'],
    ['$.$', 3, '3.3'],
    ['a$$b', 1, 'a$b'],
    ['a\\$b', 1, 'a\\$b'],
    ['x${0}', 5, 'x5'],
    ['x${10}', 5, 'x15'],
    ['x${-2}', 5, 'x3'],
    ['x${0,3}', 5, 'x005'],
    ['x${0,3,d}', 5, 'x005'],
    ['x${0,4,o}', 8, 'x0010'],
    ['x${0,2,x}', 255, 'xff'],
    ['x${0,4,X}', 255, 'x00FF'],
    ['${0,0,n}', 0x1234, '4.3.2.1'],
    ['${0,0,N}', 0xab, 'B.A'],
    ['${0,7,n}', 0xa, 'a.0.0.0'],
    ['${0,8,n}', 0xa, 'a.0.0.0.'],
    ['${0,1,n}', 0, '0'],
    ['${0,4,n}', 0xfe, 'e.f.'],
    ['${-1,3}', 0, '-01'],
    ['ip-${0,3}-$', 42, 'ip-042-42'],
  ];
  for (const [template, it2, want] of cases) {
    it(`"${template}" at ${it2} → "${want}"`, () => assert.equal(substitute(template, it2), want));
  }

  const bad: [string, RegExp][] = [
    ['x${1', /modifier "\$\{1" has no closing "\}"/],
    ['x${}', /modifier "\$\{\}" is not valid/],
    ['x${1,}', /modifier "\$\{1,\}" is not valid/],
    ['x${1,2,q}', /modifier "\$\{1,2,q\}" is not valid/],
    ['x${-10,0,n}', /value -5 is negative; the nibble bases need 0 or more/],
  ];
  for (const [template, want] of bad) {
    it(`"${template}" is refused`, () => assert.throws(() => substitute(template, 5), (e: unknown) => e instanceof GenerateError && want.test(e.message)));
  }
});

describe('$GENERATE in a zone', () => {
  it('makes one record per value, lhs and rhs relative to the origin', () => {
    const r = parse('$TTL 60\n$GENERATE 1-3 host$ A 192.0.2.$\n');
    assert.deepEqual(probs(r), []);
    assert.deepEqual(recs(r), [
      'host1.example.test. 60 A 192.0.2.1',
      'host2.example.test. 60 A 192.0.2.2',
      'host3.example.test. 60 A 192.0.2.3',
    ]);
    assert.deepEqual(r.records.map((x) => x.line), [2, 2, 2]);
  });

  it('honours a step, a TTL and a class in either order', () => {
    const r = parse('$TTL 60\n$GENERATE 0-10/5 h$ 300 IN A 192.0.2.$\n$GENERATE 1-1 k$ IN 400 CNAME h0\n');
    assert.deepEqual(recs(r), [
      'h0.example.test. 300 A 192.0.2.0',
      'h5.example.test. 300 A 192.0.2.5',
      'h10.example.test. 300 A 192.0.2.10',
      'k1.example.test. 400 CNAME h0.example.test.',
    ]);
  });

  it('reads a quoted rhs with spaces as the rdata (MX, TXT)', () => {
    const r = parse('$TTL 60\n$GENERATE 1-2 m$ MX "10 mail$"\n$GENERATE 1-1 t$ TXT "a b$"\n');
    assert.deepEqual(probs(r), []);
    assert.deepEqual(recs(r), [
      'm1.example.test. 60 MX 10 mail1.example.test.',
      'm2.example.test. 60 MX 10 mail2.example.test.',
      't1.example.test. 60 TXT "a" "b1"',
    ]);
  });

  it('makes ip6.arpa-style names with the nibble base', () => {
    const r = parse('$TTL 60\n$ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.\n$GENERATE 254-255 ${0,7,n} PTR host$.example.test.\n');
    assert.deepEqual(recs(r), [
      'e.f.0.0.8.b.d.0.1.0.0.2.ip6.arpa. 60 PTR host254.example.test.',
      'f.f.0.0.8.b.d.0.1.0.0.2.ip6.arpa. 60 PTR host255.example.test.',
    ]);
  });

  it('a literal $ from $$ or \\$', () => {
    const r = parse('$TTL 60\n$GENERATE 1-1 a\\$$ TXT "cost$$$"\n');
    assert.deepEqual(recs(r), ['a\\$1.example.test. 60 TXT "cost$1"']);
  });

  it('uses the previous TTL rules when no TTL is given, and sets the previous TTL when one is', () => {
    const r = parse('a 120 A 192.0.2.1\n$GENERATE 1-1 g$ A 192.0.2.$\n$GENERATE 2-2 g$ 30 A 192.0.2.$\nb A 192.0.2.9\n');
    assert.deepEqual(r.records.map((x) => x.ttl), [120, 120, 30, 30]);
  });

  const errors: [string, string][] = [
    ['$GENERATE', '$GENERATE needs a range, an lhs, a type and an rhs'],
    ['$GENERATE 1-2 h$', '$GENERATE needs a type and an rhs after the lhs'],
    ['$GENERATE 1-2 h$ A', '$GENERATE needs a type and an rhs after the lhs'],
    ['$GENERATE 5-1 h$ A 192.0.2.$', '$GENERATE range "5-1" is not valid: the start is above the stop'],
    ['$GENERATE 1-5/0 h$ A 192.0.2.$', '$GENERATE range "1-5/0" is not valid: the step must be at least 1'],
    ['$GENERATE a-b h$ A 192.0.2.$', '$GENERATE range "a-b" is not valid: expected start-stop or start-stop/step'],
    ['$GENERATE 0-2147483648 h$ A 1.2.3.4', '$GENERATE range "0-2147483648" is not valid: values must be at most 2147483647'],
    ['$GENERATE 0-20000000 h$ A 1.2.3.4', '$GENERATE range "0-20000000" is not valid: it makes more than 16777216 records (limits.generateRecords)'],
    ['$GENERATE 1-2 h$ BOGUS x', '$GENERATE unknown RR type "BOGUS"'],
    ['$GENERATE 1-2 h$ CH A 1.2.3.4', '$GENERATE class "CH" is not supported: meshdns serves class IN zones only'],
    ['$GENERATE 1-2 h$ 1x A 1.2.3.4', '$GENERATE TTL "1x" has an unknown unit "x" (use w, d, h, m or s)'],
    ['$GENERATE 1-2 h$ MX 10 mail$', '$GENERATE takes one rhs token; unexpected "mail$" (quote an rhs that contains spaces)'],
    ['$GENERATE 1-2 h${1 A 1.2.3.4', '$GENERATE modifier "${1" has no closing "}"'],
    ['$GENERATE 1-2 h$..x A 1.2.3.4', '$GENERATE lhs "h$..x" at 1: owner name "h1..x" has an empty label'],
  ];
  for (const [line, message] of errors) {
    it(`"${line}" → ${message}`, () => {
      const r = parse(`$TTL 60\n${line}\n`);
      assert.deepEqual(probs(r), [`${FILE}:2: error: ${message}`]);
      assert.equal(r.records.length, 0);
    });
  }

  it('reports a bad rhs once, naming the value that made it', () => {
    const r = parse('$TTL 60\n$GENERATE 250-260 h$ A 192.0.2.$\n');
    assert.equal(r.records.length, 6);
    assert.equal(r.problems.length, 1);
    assert.match(probs(r)[0]!, /^example\.test\.zone:2: error: \$GENERATE rhs "192\.0\.2\.\$" at 256: .*"192\.0\.2\.256"/);
  });
});
