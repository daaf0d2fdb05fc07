// Zone-file parse speed: writes a zone of N records (default 1,000,000; A, AAAA, TXT, MX, CNAME with
// relative names, a few multi-line entries) to a temp dir, then times the lexer alone, the parser,
// and parse + semantic checks (what the server does). Not a test: it prints numbers, asserts nothing.
//
// Usage: node dist/bench/parse-zone.js [records] [keep-dir]   (keep-dir: write the zone there and keep it)

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseName } from '../zones/name.js';
import { loadZoneFile } from '../zones/import/zone-source.js';
import { ZoneLexer } from '../zones/zonefile/lexer.js';
import { parseZoneFile } from '../zones/zonefile/parser.js';

const ORIGIN = 'bench.test.';

function zoneText(n: number): string {
  const parts: string[] = [
    `$ORIGIN ${ORIGIN}\n$TTL 3600\n`,
    `@ IN SOA ns1 hostmaster (\n  2024010101 ; serial\n  7200 3600 1209600 300 )\n`,
    `  NS ns1\n  NS ns2\nns1 A 192.0.2.1\nns2 AAAA 2001:db8::53\n`,
  ];
  let made = 4;
  for (let i = 0; made < n; i++) {
    const host = `host${i}`;
    switch (i % 8) {
      case 0:
      case 1:
      case 2:
        parts.push(`${host} A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}\n`);
        made++;
        break;
      case 3:
        parts.push(`${host} 300 IN AAAA 2001:db8:${(i >> 16).toString(16)}::${(i & 0xffff).toString(16)}\n`);
        made++;
        break;
      case 4:
        parts.push(`${host} TXT "v=spf1 -all" "id ${i}"\n`);
        made++;
        break;
      case 5:
        parts.push(`${host} MX 10 mail${i}\n  A 10.1.${(i >> 8) & 255}.${i & 255}\n`);
        made += 2;
        break;
      case 6:
        parts.push(`${host} CNAME host${i - 1}\n`);
        made++;
        break;
      default:
        parts.push(`${host} IN 600 TXT ( "multi"\n  "line ${i}" ) ; comment\n`);
        made++;
    }
  }
  return parts.join('');
}

function time<T>(what: string, fn: () => T): T {
  const t0 = performance.now();
  const v = fn();
  console.log(`${what.padEnd(28)} ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return v;
}

const n = Number(process.argv[2] ?? 1_000_000);
const keep = process.argv[3];
const dir = keep ?? mkdtempSync(join(tmpdir(), 'meshdns-parse-bench-'));
try {
  const file = join(dir, `${ORIGIN}zone`);
  writeFileSync(file, zoneText(n));
  console.log(`zone: ${n} records, ${(statSync(file).size / 1e6).toFixed(1)} MB (${file})`);
  const origin = parseName(ORIGIN);

  time('lex only', () => {
    const lx = new ZoneLexer(readFileSync(file, 'utf8'));
    let tokens = 0;
    while (lx.nextEntry()) while (lx.nextToken()) tokens++;
    return tokens;
  });
  const parsed = time('parse (read + lex + rdata)', () => parseZoneFile(file, { origin }).table.count);
  const loaded = time('parse + checks (the server)', () => loadZoneFile(file, origin));
  console.log(`records: ${parsed} parsed, ${loaded.table.liveCount} after checks; ` +
    `problems: ${loaded.problems.length}${loaded.problems[0] ? ` (first: ${loaded.problems[0].message})` : ''}`);
} finally {
  if (keep === undefined) rmSync(dir, { recursive: true, force: true });
}
