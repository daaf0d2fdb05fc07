/**
 * Test helpers for the rdata codec tests: a small tokenizer with the zone-file lexer's rules for one
 * record's rdata (quotes removed, escapes kept, `"` ends an unquoted token), and a zone-file line
 * splitter for the outputs of named-compilezone and ldns-read-zone.
 */
import type { Token } from '../../zones/rdata/codec.js';

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '(' || c === ')') {
      i++;
      continue;
    }
    if (c === ';') break;
    if (c === '"') {
      let value = '';
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < n) {
          value += text.slice(i, i + 2);
          i += 2;
        } else value += text[i++];
      }
      if (i >= n) throw new Error(`unterminated quote in ${text}`);
      i++;
      tokens.push({ value, quoted: true });
      continue;
    }
    let value = '';
    while (i < n && !' \t\r\n;()"'.includes(text[i]!)) {
      if (text[i] === '\\' && i + 1 < n) {
        value += text.slice(i, i + 2);
        i += 2;
      } else value += text[i++];
    }
    tokens.push({ value, quoted: false });
  }
  return tokens;
}

/** Lines of a zone file printed by a tool: owner, ttl, class, type and the rdata text. */
export interface PrintedRecord {
  owner: string;
  ttl: number;
  type: string;
  rdata: string;
}

export function parsePrinted(text: string): PrintedRecord[] {
  const out: PrintedRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith(';') || line.startsWith('$')) continue;
    const m = /^(\S+)\s+(\d+)\s+IN\s+(\S+)\s*(.*)$/.exec(line);
    if (!m) throw new Error(`cannot read the tool's line: ${line}`);
    out.push({ owner: m[1]!, ttl: Number(m[2]), type: m[3]!, rdata: m[4]!.trim() });
  }
  return out;
}
