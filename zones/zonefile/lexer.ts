import type { Token } from '../rdata/codec.js';

/**
 * Tokenizer for RFC 1035 §5.1 master files.
 *
 * The text is read as "entries": one logical line each, where newlines inside parentheses are
 * whitespace. The parser pulls an entry with `nextEntry()`, then its tokens one by one with
 * `nextToken()` (the current token is in `value` / `quoted` / `tokenLine`, no object per token),
 * and may take the remaining tokens as an array with `rest()` (the rdata).
 *
 * Token values keep escapes (`\X`, `\DDD`) as written; quoted strings lose their quotes. The lexer
 * only needs to know that a backslash protects the next character from ending the token.
 *
 * Speed matters (a 1M-record zone is ~40 MB): it walks the string with charCodeAt, allocates only
 * the token strings (slices), and never uses a regular expression per character.
 */

/** A token with the line it starts on, for error messages in multi-line entries. */
export interface LexToken extends Token {
  line: number;
}

export interface LexError {
  line: number;
  message: string;
}

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const LPAREN = 0x28;
const RPAREN = 0x29;
const SEMI = 0x3b;
const BACKSLASH = 0x5c;

/** Characters that end an unquoted token: whitespace, newline, `;`, `(`, `)`, `"`. */
const DELIM = new Uint8Array(128);
for (const c of [TAB, LF, CR, SPACE, QUOTE, LPAREN, RPAREN, SEMI]) DELIM[c] = 1;

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === CR;
}

export class ZoneLexer {
  /** Line (1-based) of the first token of the current entry. */
  line = 0;
  /** The current entry's line starts with whitespace: its owner is the previous owner. */
  blankOwner = false;
  /** The current token. */
  value = '';
  quoted = false;
  tokenLine = 0;
  /** Syntax errors found in the current entry (unbalanced parentheses or quotes). */
  errors: LexError[] = [];

  private readonly text: string;
  private readonly end: number;
  private pos = 0;
  private curLine = 1;
  private depth = 0;
  private parenLine = 0;
  private inEntry = false;

  constructor(text: string) {
    // a UTF-8 byte order mark is not part of the zone
    this.pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    this.text = text;
    this.end = text.length;
  }

  /** Line the lexer is on now (for "unexpected end of entry" messages). */
  get currentLine(): number {
    return this.curLine;
  }

  /**
   * Moves to the next entry that has a token; false at the end of the text. Any tokens left in the
   * current entry are skipped.
   */
  nextEntry(): boolean {
    if (this.inEntry) this.skipEntry();
    this.errors = [];
    const text = this.text;
    const end = this.end;
    let pos = this.pos;
    for (;;) {
      if (pos >= end) {
        this.pos = pos;
        return false;
      }
      // at the start of a physical line
      let c = text.charCodeAt(pos);
      const blank = isBlank(c);
      while (isBlank(c)) c = text.charCodeAt(++pos);
      if (pos >= end) {
        this.pos = pos;
        return false;
      }
      if (c === SEMI) {
        while (pos < end && text.charCodeAt(pos) !== LF) pos++;
        c = LF;
      }
      if (c === LF) {
        pos++;
        this.curLine++;
        continue;
      }
      this.pos = pos;
      this.blankOwner = blank;
      this.line = this.curLine;
      this.inEntry = true;
      this.depth = 0;
      return true;
    }
  }

  /** Reads the next token of the current entry into value/quoted/tokenLine; false at its end. */
  nextToken(): boolean {
    if (!this.inEntry) return false;
    const text = this.text;
    const end = this.end;
    let pos = this.pos;
    for (;;) {
      if (pos >= end) {
        this.pos = pos;
        if (this.depth > 0) this.unclosedParen();
        this.inEntry = false;
        return false;
      }
      const c = text.charCodeAt(pos);
      if (c === SPACE || c === TAB || c === CR) {
        pos++;
        continue;
      }
      if (c === LF || c === SEMI) {
        if (c === SEMI) {
          while (pos < end && text.charCodeAt(pos) !== LF) pos++;
          if (pos >= end) continue;
        }
        pos++;
        this.curLine++;
        if (this.depth > 0) continue; // RFC 1035 §5.1: parentheses let an entry span lines
        this.pos = pos;
        this.inEntry = false;
        return false;
      }
      if (c === LPAREN) {
        if (this.depth > 0) this.errors.push({ line: this.curLine, message: `nested "(" inside the parenthesis opened on line ${this.parenLine}` });
        else this.parenLine = this.curLine;
        this.depth++;
        pos++;
        continue;
      }
      if (c === RPAREN) {
        if (this.depth === 0) this.errors.push({ line: this.curLine, message: `")" without a matching "("` });
        else this.depth--;
        pos++;
        continue;
      }
      if (c === QUOTE) {
        this.pos = this.readQuoted(pos + 1);
        return true;
      }
      this.pos = this.readWord(pos);
      return true;
    }
  }

  /** The remaining tokens of the current entry. */
  rest(): LexToken[] {
    const out: LexToken[] = [];
    while (this.nextToken()) out.push({ value: this.value, quoted: this.quoted, line: this.tokenLine });
    return out;
  }

  /** Skips the remaining tokens of the current entry (after an error in it). */
  skipEntry(): void {
    while (this.nextToken());
  }

  private readWord(start: number): number {
    const text = this.text;
    const end = this.end;
    let pos = start;
    this.tokenLine = this.curLine;
    while (pos < end) {
      const c = text.charCodeAt(pos);
      if (c === BACKSLASH) {
        // the next character belongs to the token, whatever it is (`\ `, `\;`, `\(`, `\"`...)
        if (text.charCodeAt(pos + 1) === LF) this.curLine++;
        pos += 2;
        continue;
      }
      if (c < 128 && DELIM[c] === 1) break;
      pos++;
    }
    if (pos > end) pos = end;
    this.value = text.slice(start, pos);
    this.quoted = false;
    return pos;
  }

  private readQuoted(start: number): number {
    const text = this.text;
    const end = this.end;
    let pos = start;
    this.tokenLine = this.curLine;
    for (;;) {
      if (pos >= end) {
        this.errors.push({ line: this.tokenLine, message: 'quoted string is not closed before the end of the file' });
        this.value = text.slice(start, end);
        this.quoted = true;
        return end;
      }
      const c = text.charCodeAt(pos);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        if (text.charCodeAt(pos + 1) === LF) this.curLine++;
        pos += 2;
        continue;
      }
      if (c === LF) {
        // BIND and Knot refuse a newline inside quotes too; close the string here so the entry
        // ends where the author probably meant it to
        this.errors.push({ line: this.tokenLine, message: 'quoted string is not closed on its line' });
        this.value = text.slice(start, pos);
        this.quoted = true;
        return pos;
      }
      pos++;
    }
    this.value = text.slice(start, pos);
    this.quoted = true;
    return pos + 1;
  }

  private unclosedParen(): void {
    this.errors.push({ line: this.parenLine, message: `"(" is not closed before the end of the file` });
    this.depth = 0;
  }
}

/** All tokens of `text` taken as one entry (for $GENERATE's right-hand side); errors included. */
export function lexOneEntry(text: string, line: number): { tokens: LexToken[]; errors: LexError[] } {
  const lx = new ZoneLexer(text);
  const tokens: LexToken[] = [];
  const errors: LexError[] = [];
  while (lx.nextEntry()) {
    for (const t of lx.rest()) tokens.push({ value: t.value, quoted: t.quoted, line });
    for (const e of lx.errors) errors.push({ line, message: e.message });
  }
  return { tokens, errors };
}
