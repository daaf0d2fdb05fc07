import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lexOneEntry, ZoneLexer } from '../../zones/zonefile/lexer.js';

interface Entry {
  line: number;
  blank: boolean;
  tokens: string[];
  errors: string[];
}

/** Every entry as [line, blankOwner, tokens (quoted ones shown in quotes), errors]. */
function lex(text: string): Entry[] {
  const lx = new ZoneLexer(text);
  const out: Entry[] = [];
  while (lx.nextEntry()) {
    const line = lx.line;
    const blank = lx.blankOwner;
    const tokens = lx.rest().map((t) => (t.quoted ? `"${t.value}"` : t.value));
    out.push({ line, blank, tokens, errors: lx.errors.map((e) => `${e.line}: ${e.message}`) });
  }
  return out;
}

describe('zone-file lexer', () => {
  it('splits entries on lines and tokens on blanks', () => {
    assert.deepEqual(lex('www 3600 IN A 192.0.2.1\nmail\tA\t192.0.2.2\n'), [
      { line: 1, blank: false, tokens: ['www', '3600', 'IN', 'A', '192.0.2.1'], errors: [] },
      { line: 2, blank: false, tokens: ['mail', 'A', '192.0.2.2'], errors: [] },
    ]);
  });

  it('marks entries that start with whitespace (same owner as before)', () => {
    const e = lex('www A 192.0.2.1\n  AAAA 2001:db8::1\n\tTXT x\n');
    assert.deepEqual(e.map((x) => x.blank), [false, true, true]);
    assert.deepEqual(e[1]!.tokens, ['AAAA', '2001:db8::1']);
  });

  it('skips blank lines and comment lines, counting lines', () => {
    const e = lex('; header\n\n   ; indented comment\n   \nwww A 192.0.2.1 ; trailing\n');
    assert.equal(e.length, 1);
    assert.equal(e[0]!.line, 5);
    assert.equal(e[0]!.blank, false);
    assert.deepEqual(e[0]!.tokens, ['www', 'A', '192.0.2.1']);
  });

  it('treats newlines inside parentheses as blanks and keeps counting lines', () => {
    const text = '@ SOA ns host (\n  1 ; serial\n  2 3\n  4 5 )\nnext A 192.0.2.1\n';
    const e = lex(text);
    assert.equal(e.length, 2);
    assert.deepEqual(e[0]!.tokens, ['@', 'SOA', 'ns', 'host', '1', '2', '3', '4', '5']);
    assert.equal(e[1]!.line, 5);
  });

  it('reports the line of each token in a multi-line entry', () => {
    const lx = new ZoneLexer('@ SOA ns host (\n 1\n 2 )\n');
    assert.ok(lx.nextEntry());
    const toks = lx.rest();
    assert.deepEqual(toks.map((t) => t.line), [1, 1, 1, 1, 2, 3]);
  });

  it('parentheses end a token without blanks around them', () => {
    assert.deepEqual(lex('a SOA ns host(1 2 3 4 5)\n')[0]!.tokens, ['a', 'SOA', 'ns', 'host', '1', '2', '3', '4', '5']);
  });

  it('reads quoted strings with blanks, semicolons, parentheses and escaped quotes', () => {
    const e = lex('t TXT "a b; c (d)" "say \\"hi\\"" ""\n');
    assert.deepEqual(e[0]!.tokens, ['t', 'TXT', '"a b; c (d)"', '"say \\"hi\\""', '""']);
  });

  it('a quote ends an unquoted token and starts a quoted one', () => {
    assert.deepEqual(lex('t TXT abc"def"\n')[0]!.tokens, ['t', 'TXT', 'abc', '"def"']);
  });

  it('keeps escapes outside quotes in the token text', () => {
    const e = lex('a\\ b.example. TXT x\\;y \\(z\\) \\065\n');
    assert.deepEqual(e[0]!.tokens, ['a\\ b.example.', 'TXT', 'x\\;y', '\\(z\\)', '\\065']);
  });

  it('handles CRLF line ends', () => {
    const e = lex('www A 192.0.2.1\r\n  AAAA ::1\r\n; c\r\n@ SOA a b (\r\n 1 2 3 4 5 )\r\n');
    assert.equal(e.length, 3);
    assert.deepEqual(e[0]!.tokens, ['www', 'A', '192.0.2.1']);
    assert.equal(e[1]!.blank, true);
    assert.deepEqual(e[2]!.tokens, ['@', 'SOA', 'a', 'b', '1', '2', '3', '4', '5']);
    assert.equal(e[2]!.line, 4);
  });

  it('handles a last line without a newline and a byte order mark', () => {
    const e = lex('\ufeffwww A 192.0.2.1');
    assert.deepEqual(e, [{ line: 1, blank: false, tokens: ['www', 'A', '192.0.2.1'], errors: [] }]);
  });

  it('reports a parenthesis not closed before the end, at the line that opened it', () => {
    const e = lex('a A 1\n@ SOA ns host (\n 1 2 3\n');
    assert.deepEqual(e[1]!.errors, ['2: "(" is not closed before the end of the file']);
  });

  it('reports a closing parenthesis without an opening one', () => {
    assert.deepEqual(lex('a A 192.0.2.1 )\n')[0]!.errors, ['1: ")" without a matching "("']);
  });

  it('reports nested parentheses', () => {
    assert.deepEqual(lex('a SOA ( ns ( host ) 1 2 3 4 5 )\n')[0]!.errors, ['1: nested "(" inside the parenthesis opened on line 1']);
  });

  it('reports a quoted string not closed on its line and goes on with the next line', () => {
    const e = lex('t TXT "abc\nu A 192.0.2.1\n');
    assert.deepEqual(e[0]!.errors, ['1: quoted string is not closed on its line']);
    assert.deepEqual(e[1]!.tokens, ['u', 'A', '192.0.2.1']);
    assert.equal(e[1]!.line, 2);
  });

  it('reports a quoted string not closed at the end of the file', () => {
    assert.deepEqual(lex('t TXT "abc')[0]!.errors, ['1: quoted string is not closed before the end of the file']);
  });

  it('a comment inside parentheses does not end the entry', () => {
    const e = lex('a MX ( ; pref\n 10 ; and the host\n mail )\n');
    assert.deepEqual(e[0]!.tokens, ['a', 'MX', '10', 'mail']);
  });

  it('an entry of parentheses only has no tokens', () => {
    const e = lex('( )\nwww A 192.0.2.1\n');
    assert.deepEqual(e[0]!.tokens, []);
    assert.equal(e[1]!.line, 2);
  });

  it('lets the parser pull tokens one by one and skip the rest', () => {
    const lx = new ZoneLexer('a b (\n c )\nd e\n');
    assert.ok(lx.nextEntry());
    assert.ok(lx.nextToken());
    assert.equal(lx.value, 'a');
    // leave the entry unfinished: nextEntry skips the rest, parentheses included
    assert.ok(lx.nextEntry());
    assert.equal(lx.line, 3);
    assert.ok(lx.nextToken());
    assert.equal(lx.value, 'd');
    assert.equal(lx.nextEntry(), false);
  });

  it('lexOneEntry reads a substituted $GENERATE rhs as rdata tokens', () => {
    const r = lexOneEntry('10 "mail 1" x\\ y', 7);
    assert.deepEqual(r.tokens, [
      { value: '10', quoted: false, line: 7 },
      { value: 'mail 1', quoted: true, line: 7 },
      { value: 'x\\ y', quoted: false, line: 7 },
    ]);
    assert.deepEqual(r.errors, []);
  });
});
