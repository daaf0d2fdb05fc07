// Differential test for zones meshdns signs itself: meshdns signs four zones (NSEC CSK P-256,
// NSEC KSK+ZSK RSA, NSEC3 CSK Ed25519, NSEC3 opt-out KSK+ZSK P-256), knotd takes each by AXFR as a
// secondary and serves the signed zone as it is (reference); a few thousand DO=1 queries go to both
// and the answers — denial proofs and their signatures included — must be identical in meaning
// (compare.ts), up to the documented differences in allowlist.ts (DNSSEC_ALLOWLIST on ALLOWLIST).
// Where the dnssec-knotd-vs-meshdns test checks meshdns's proofs from records a signer made, this
// one checks the records meshdns made: knotd chooses its own proofs from them.
//
// MESHDNS_DNSSEC_DIFF_SEED=n draws another corpus; MESHDNS_DIFF_REPORT=path chooses where the
// report of every mismatch is written.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { query } from '../helpers/dns-client.js';
import { MATRIX, axfrToFile, writeSignedSetup } from '../helpers/dnssec-signed-zones.js';
import { startKnotd, type Knotd } from '../helpers/knotd.js';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { dig } from '../helpers/tools.js';
import { ALLOWLIST, DNSSEC_ALLOWLIST, TC_ENTRIES, applyAllowlist } from './allowlist.js';
import { compareResponses, formatResponse, parseMessage } from './compare.js';
import { generateDnssecQueries } from './dnssec-query-gen.js';
import type { GenQuery } from './query-gen.js';

const VARIANTS = [MATRIX[0]!, MATRIX[2]!, MATRIX[3]!, MATRIX[4]!];
const PER_ZONE = 750;
const CONCURRENCY = 16;
const TIMEOUT_MS = { udp: 800, tcp: 1500 } as const;
const REPORT_PATH = process.env['MESHDNS_DIFF_REPORT'] ?? path.join(os.tmpdir(), 'meshdns-dnssec-signed-differential-report.txt');

let dir: string;
let knotd: Knotd;
let meshdns: RunningMeshdns;
const hashedOwners = new Map<string, string[]>();

const serialOf = (port: number, origin: string): string => dig(['@127.0.0.1', '-p', String(port), '+short', `${origin}.`, 'SOA']).trim().split(/\s+/)[2] ?? '';

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'meshdns-dnssec-signed-diff-'));
  const setup = writeSignedSetup(dir, VARIANTS);
  meshdns = await startMeshdns({ zoneDir: setup.zoneDir, config: setup.config, dataDir: path.join(dir, 'data'), extraArgs: ['--log-level', 'info'] });
  // knotd starts with no zone data: it bootstraps each secondary zone by AXFR from meshdns at once
  knotd = await startKnotd({
    zones: VARIANTS.map((v) => ({
      origin: v.origin, file: path.join(dir, `${v.origin}.knot-never-written`),
      conf: 'master: meshdns\nzonefile-load: none',
    })),
    extraConf: `remote:\n  - id: meshdns\n    address: 127.0.0.1@${meshdns.port}`,
    serverConf: 'identity: ""\nversion: ""',
  });
  for (const v of VARIANTS) {
    assert.equal(serialOf(knotd.port, v.origin), serialOf(meshdns.port, v.origin), `knotd has ${v.origin} as meshdns signed it`);
    const text = axfrToFile(meshdns.port, v.origin, path.join(dir, `${v.origin}.axfr`));
    const owners = [...text.matchAll(new RegExp(`^([0-9a-v]{32})\\.${v.origin.replaceAll('.', '\\.')}\\.`, 'gim'))].map((m) => `${m[1]!.toLowerCase()}.${v.origin}`);
    hashedOwners.set(v.origin, [...new Set(owners)]);
  }
});

after(async () => {
  await knotd?.stop();
  await meshdns?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function ask(port: number, q: GenQuery): Promise<Buffer | null> {
  let r = await query(q.transport, port, q.packet, TIMEOUT_MS[q.transport]);
  if (r === null && q.transport === 'udp') r = await query(q.transport, port, q.packet, TIMEOUT_MS[q.transport]);
  return r;
}

test('differential on zones meshdns signs: knotd (secondary) vs meshdns, DO=1', { timeout: 300_000 }, async (t) => {
  const origins = VARIANTS.map((v) => v.origin);
  const queries = generateDnssecQueries(origins, hashedOwners, PER_ZONE, Number(process.env['MESHDNS_DNSSEC_DIFF_SEED'] ?? 20261207));
  assert.ok(queries.length >= 2000, `corpus has ${queries.length} queries`);
  const failures: string[] = [];
  const used = new Map<string, number>();
  let withProofs = 0;
  let next = 0;
  const entries = [...ALLOWLIST, ...DNSSEC_ALLOWLIST];
  /** Questions meshdns alone truncated (TC_ENTRIES), with knotd's answer, to ask again over TCP. */
  const truncated: { q: GenQuery; reference: Buffer }[] = [];
  const worker = async (): Promise<void> => {
    for (;;) {
      const q = queries[next++];
      if (q === undefined) return;
      const [a, b] = await Promise.all([ask(knotd.port, q), ask(meshdns.port, q)]);
      const diffs = compareResponses(a, b, { transport: q.transport, queryId: q.queryId, udpLimit: q.udpLimit });
      const ma = a === null ? null : parseMessage(a);
      const mb = b === null ? null : parseMessage(b);
      if (ma?.authority.some((rr) => rr.type === 47 || rr.type === 50)) withProofs++;
      const result = applyAllowlist(diffs, { query: q, a: ma, b: mb }, entries);
      for (const name of result.used) used.set(name, (used.get(name) ?? 0) + 1);
      if (result.used.some((name) => TC_ENTRIES.includes(name)) && a !== null) truncated.push({ q, reference: a });
      if (result.remaining.length > 0) {
        failures.push([
          `#${q.index} [${q.group}] ${q.label} (${q.transport})`,
          ...result.remaining.map((d) => `  ${d.field}: ${d.detail.replace(/\n/g, '\n    ')}`),
          '  knotd:', formatResponse(a).replace(/^/gm, '    '),
          '  meshdns:', formatResponse(b).replace(/^/gm, '    '),
        ].join('\n'));
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  for (const { q, reference } of truncated) {
    // what the client does next: the same question over TCP, whose answer must hold knotd's
    const overTcp = await query('tcp', meshdns.port, q.packet, TIMEOUT_MS.tcp);
    const key = (rr: { owner: string; type: number; rdata: Buffer }) => `${rr.owner}|${rr.type}|${rr.rdata.toString('hex')}`;
    const subject = overTcp === null ? null : parseMessage(overTcp);
    const have = new Set(subject?.answer.map(key) ?? []);
    if (subject === null || subject.tc || !parseMessage(reference).answer.every((rr) => have.has(key(rr)))) {
      failures.push(`#${q.index} ${q.label}: truncated over UDP, but over TCP meshdns's answer does not hold knotd's\n${formatResponse(overTcp).replace(/^/gm, '    ')}`);
    }
  }
  const head = `dnssec-signed differential: ${queries.length} DO=1 queries, ${withProofs} answers from knotd with NSEC/NSEC3 proofs, ${failures.length} mismatches; ` +
    `allowlisted: ${[...used].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`;
  t.diagnostic(head);
  writeFileSync(REPORT_PATH, [head, ...failures].join('\n\n'));
  // the corpus must reach the proofs, or this test compares nothing of what it is for
  assert.ok(withProofs > queries.length / 4, head);
  if (failures.length > 0) assert.fail(`${head}\n(full report: ${REPORT_PATH})\n\n${failures.slice(0, 15).join('\n\n')}`);
});
