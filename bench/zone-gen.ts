// Deterministic benchmark zone + dnsperf query-file generator.
//
// The zone has N host names (mostly A/AAAA, some TXT/MX/CNAME, a quarter of them one label deeper
// under 256 empty non-terminals), a wildcard subtree and a few delegations with glue. The query file
// mixes, by design: 70% existing names with one of their types, 10% NODATA (another type at an
// existing name), 10% NXDOMAIN, 5% wildcard hits, 5% names under delegations (referrals).
//
// Output is cached under `<outRoot>/zones/n<N>-v<VERSION>/` (meta.json is written last and marks a
// complete set). Usage standalone: node dist/bench/zone-gen.js <N> [outRoot]

import { prng as rng } from '../test/helpers/prng.js';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bump when the generated content changes, so cached sets are rebuilt. */
const VERSION = 1;
const ORIGIN = 'bench.test.';
const TTL = 3600;
const DELEGATIONS = 8;
const ENT_BUCKETS = 256;

export interface GeneratedZone {
  readonly origin: string;
  readonly names: number;
  /** Directory holding only `<origin>.zone` (what meshdns --zone-dir expects). */
  readonly zoneDir: string;
  readonly zoneFile: string;
  readonly queryFile: string;
  readonly queries: number;
  readonly queryMix: Readonly<Record<string, number>>;
  /** A name deep in the zone (the last A-only host) and its one address: "first correct answer". */
  readonly probe: { readonly name: string; readonly type: 'A'; readonly address: string };
}


type HostKind = 'A' | 'AAAA' | 'DUAL' | 'TXT' | 'MX' | 'CNAME';

function hostKind(i: number): HostKind {
  const m = i % 100;
  if (m < 55) return 'A';
  if (m < 75) return 'AAAA';
  if (m < 85) return 'DUAL';
  if (m < 90) return 'TXT';
  if (m < 95) return 'MX';
  return 'CNAME';
}

/** Relative owner of host i: a quarter sit one label deeper, under an empty non-terminal. */
function hostOwner(i: number): string {
  return i % 4 === 3 ? `h${i}.s${(i >>> 2) % ENT_BUCKETS}` : `h${i}`;
}

function ipv4(i: number): string {
  // 198.18.0.0/15 (RFC 2544 benchmarking range), wrapping: addresses need not be unique.
  const v = i % 131072;
  return `198.${18 + (v >> 16)}.${(v >> 8) & 255}.${v & 255}`;
}

function ipv6(i: number): string {
  return `2001:db8::${((i >>> 16) & 0xffff).toString(16)}:${(i & 0xffff).toString(16)}`;
}

/** Nearest A-only host at or below i (a target for MX/CNAME that always resolves). */
function aHostAtOrBelow(i: number): number {
  let j = i;
  while (j > 0 && hostKind(j) !== 'A') j--;
  return j;
}

class BufferedWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;
  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }
  line(s: string): void {
    this.parts.push(s);
    this.size += s.length + 1;
    if (this.size > 1 << 20) this.flush();
  }
  private flush(): void {
    if (this.parts.length === 0) return;
    writeSync(this.fd, this.parts.join('\n') + '\n');
    this.parts = [];
    this.size = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

function writeZone(path: string, hosts: number): void {
  const w = new BufferedWriter(path);
  w.line(`$ORIGIN ${ORIGIN}`);
  w.line(`$TTL ${TTL}`);
  w.line(`@ SOA ns1 hostmaster 2024010101 7200 3600 1209600 300`);
  w.line(`@ NS ns1`);
  w.line(`@ NS ns2`);
  w.line(`@ MX 10 h0`);
  w.line(`ns1 A 192.0.2.1`);
  w.line(`ns2 A 192.0.2.2`);
  w.line(`ns2 AAAA 2001:db8::2`);
  // Wildcard subtree: *.wild answers A and TXT; one explicit name beside it.
  w.line(`*.wild A 192.0.2.53`);
  w.line(`*.wild TXT "wildcard answer"`);
  w.line(`exact.wild A 192.0.2.54`);
  // Delegations with in-bailiwick glue.
  for (let k = 0; k < DELEGATIONS; k++) {
    w.line(`deleg${k} NS ns1.deleg${k}`);
    w.line(`deleg${k} NS ns2.deleg${k}`);
    w.line(`ns1.deleg${k} A 192.0.2.${100 + k}`);
    w.line(`ns2.deleg${k} AAAA 2001:db8::${(0x100 + k).toString(16)}`);
  }
  for (let i = 0; i < hosts; i++) {
    const o = hostOwner(i);
    switch (hostKind(i)) {
      case 'A':
        w.line(`${o} A ${ipv4(i)}`);
        break;
      case 'AAAA':
        w.line(`${o} AAAA ${ipv6(i)}`);
        break;
      case 'DUAL':
        w.line(`${o} A ${ipv4(i)}`);
        w.line(`${o} AAAA ${ipv6(i)}`);
        break;
      case 'TXT':
        w.line(`${o} TXT "v=bench1 host=${i}" "second string"`);
        break;
      case 'MX':
        w.line(`${o} MX 10 ${hostOwner(aHostAtOrBelow(i))}`);
        break;
      case 'CNAME':
        w.line(`${o} CNAME ${hostOwner(aHostAtOrBelow(i))}`);
        break;
    }
  }
  w.close();
}

const EXISTING_TYPES: Record<HostKind, readonly string[]> = {
  A: ['A'],
  AAAA: ['AAAA'],
  DUAL: ['A', 'AAAA'],
  TXT: ['TXT'],
  MX: ['MX'],
  CNAME: ['A', 'AAAA'], // answered with the CNAME (and the chased target where it exists)
};
const NODATA_TYPES: Record<Exclude<HostKind, 'CNAME'>, readonly string[]> = {
  A: ['AAAA', 'TXT', 'MX'],
  AAAA: ['A', 'TXT'],
  DUAL: ['TXT', 'MX'],
  TXT: ['A', 'AAAA'],
  MX: ['A', 'TXT'],
};

function pick<T>(r: () => number, xs: readonly T[]): T {
  const x = xs[Math.floor(r() * xs.length)];
  if (x === undefined) throw new RangeError('pick from an empty list');
  return x;
}

function writeQueries(path: string, hosts: number, count: number): Record<string, number> {
  const r = rng(0x5eed ^ hosts);
  const w = new BufferedWriter(path);
  const mix = { existing: 0, nodata: 0, nxdomain: 0, wildcard: 0, referral: 0 };
  const host = (): number => Math.floor(r() * hosts);
  for (let q = 0; q < count; q++) {
    const u = r();
    if (u < 0.7) {
      const i = host();
      w.line(`${hostOwner(i)}.${ORIGIN} ${pick(r, EXISTING_TYPES[hostKind(i)])}`);
      mix.existing++;
    } else if (u < 0.8) {
      let i = host();
      let kind = hostKind(i);
      while (kind === 'CNAME') kind = hostKind(--i); // a CNAME owner answers every type: never NODATA
      w.line(`${hostOwner(i)}.${ORIGIN} ${pick(r, NODATA_TYPES[kind])}`);
      mix.nodata++;
    } else if (u < 0.9) {
      const n = Math.floor(r() * 1e9);
      // Half at the apex level, half under an empty non-terminal (closest encloser one label down).
      const owner = n % 2 === 0 ? `nx${n}` : `nx${n}.s${n % ENT_BUCKETS}`;
      w.line(`${owner}.${ORIGIN} ${pick(r, ['A', 'AAAA'])}`);
      mix.nxdomain++;
    } else if (u < 0.95) {
      w.line(`q${Math.floor(r() * 1e9)}.wild.${ORIGIN} ${pick(r, ['A', 'TXT'])}`);
      mix.wildcard++;
    } else {
      w.line(`h${Math.floor(r() * 1e6)}.deleg${Math.floor(r() * DELEGATIONS)}.${ORIGIN} ${pick(r, ['A', 'AAAA'])}`);
      mix.referral++;
    }
  }
  w.close();
  return mix;
}

function probeFor(hosts: number): GeneratedZone['probe'] {
  let i = hosts - 1;
  while (i > 0 && hostKind(i) !== 'A') i--;
  return { name: `${hostOwner(i)}.${ORIGIN}`, type: 'A', address: ipv4(i) };
}

/** Query lines: enough that answer caches do not hold the whole working set trivially. */
export function defaultQueryCount(names: number): number {
  return Math.min(1_000_000, Math.max(100_000, names));
}

/** Generate (or reuse the cached) zone with `names` hosts and its query file under outRoot. */
export function generateZone(names: number, outRoot: string): GeneratedZone {
  if (!Number.isInteger(names) || names < 100) throw new RangeError(`names must be an integer >= 100, got "${names}"`);
  const dir = resolve(outRoot, 'zones', `n${names}-v${VERSION}`);
  const metaPath = join(dir, 'meta.json');
  if (existsSync(metaPath)) return JSON.parse(readFileSync(metaPath, 'utf8')) as GeneratedZone;

  rmSync(dir, { recursive: true, force: true });
  const zoneDir = join(dir, 'zone');
  mkdirSync(zoneDir, { recursive: true });
  const zoneFile = join(zoneDir, `${ORIGIN.slice(0, -1)}.zone`);
  const queryFile = join(dir, 'queries.txt');
  writeZone(zoneFile + '.tmp', names);
  renameSync(zoneFile + '.tmp', zoneFile);
  const queries = defaultQueryCount(names);
  const queryMix = writeQueries(queryFile, names, queries);
  const meta: GeneratedZone = { origin: ORIGIN, names, zoneDir, zoneFile, queryFile, queries, queryMix, probe: probeFor(names) };
  writeFileSync(metaPath, JSON.stringify(meta, null, 2) + '\n');
  return meta;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? '10000');
  const out = process.argv[3] ?? resolve(fileURLToPath(import.meta.url), '../../../.bench-out');
  const t0 = performance.now();
  const z = generateZone(n, out);
  console.log(JSON.stringify({ ...z, ms: Math.round(performance.now() - t0) }, null, 2));
}
