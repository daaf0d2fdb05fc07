// Differential test for signed zones: the same pre-signed zone files (dnssec-signzone NSEC, NSEC3,
// NSEC3 opt-out; ldns-signzone NSEC3) served by knotd (reference, which serves a pre-signed zone as
// it is) and meshdns (subject); a few thousand DO=1 queries go to both and the answers, denial
// proofs and their signatures included, must be identical in meaning (compare.ts), up to the
// documented differences in allowlist.ts (DNSSEC_ALLOWLIST on top of ALLOWLIST).
//
// MESHDNS_DNSSEC_DIFF_SEED=n draws another corpus; MESHDNS_DIFF_REPORT=path chooses where the
// report of every mismatch is written.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { query } from '../helpers/dns-client.js';
import { signZone, ZONE_TEXT, type Signer } from '../helpers/dnssec-answers-zones.js';
import { startKnotd, type Knotd } from '../helpers/knotd.js';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { ALLOWLIST, DNSSEC_ALLOWLIST, applyAllowlist } from './allowlist.js';
import { compareResponses, formatResponse, parseMessage } from './compare.js';
import { EXTRA_TEXT, generateDnssecQueries } from './dnssec-query-gen.js';
import type { GenQuery } from './query-gen.js';

const ZONES: [string, Signer][] = [['nsec.test', 'bind-nsec'], ['nsec3.test', 'bind-nsec3'], ['optout.test', 'bind-nsec3-optout'], ['ldns.test', 'ldns-nsec3']];
const PER_ZONE = 750;
const CONCURRENCY = 16;
const TIMEOUT_MS = { udp: 800, tcp: 1500 } as const;
const REPORT_PATH = process.env['MESHDNS_DIFF_REPORT'] ?? path.join(os.tmpdir(), 'meshdns-dnssec-differential-report.txt');

let dir: string;
let knotd: Knotd;
let meshdns: RunningMeshdns;
const hashedOwners = new Map<string, string[]>();

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'meshdns-dnssec-diff-'));
  const zoneDir = path.join(dir, 'served');
  mkdirSync(zoneDir);
  for (const [origin, signer] of ZONES) {
    const signed = signZone(dir, signer, origin, ZONE_TEXT + EXTRA_TEXT);
    const file = path.join(zoneDir, `${origin}.zone`);
    copyFileSync(signed.file, file);
    const owners = [...readFileSync(file, 'utf8').matchAll(new RegExp(`^([0-9a-v]{32})\\.${origin.replace('.', '\\.')}\\.`, 'gim'))].map((m) => `${m[1]!.toLowerCase()}.${origin}`);
    hashedOwners.set(origin, [...new Set(owners)]);
  }
  knotd = await startKnotd({ zones: ZONES.map(([origin]) => ({ origin, file: path.join(zoneDir, `${origin}.zone`) })), serverConf: 'identity: ""\nversion: ""' });
  const config = path.join(dir, 'meshdns.yaml');
  writeFileSync(config, 'cookies: false\n');
  meshdns = await startMeshdns({ zoneDir, dataDir: path.join(dir, 'data'), config, extraArgs: ['--log-level', 'info'] });
});

after(async () => {
  await meshdns?.stop();
  await knotd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function ask(port: number, q: GenQuery): Promise<Buffer | null> {
  let r = await query(q.transport, port, q.packet, TIMEOUT_MS[q.transport]);
  if (r === null && q.transport === 'udp') r = await query(q.transport, port, q.packet, TIMEOUT_MS[q.transport]);
  return r;
}

test('differential on signed zones: knotd vs meshdns, DO=1', { timeout: 300_000 }, async (t) => {
  const queries = generateDnssecQueries(ZONES.map(([o]) => o), hashedOwners, PER_ZONE, Number(process.env['MESHDNS_DNSSEC_DIFF_SEED'] ?? 20261207));
  assert.ok(queries.length >= 2000, `corpus has ${queries.length} queries`);
  const failures: string[] = [];
  const used = new Map<string, number>();
  let withProofs = 0;
  let next = 0;
  const entries = [...ALLOWLIST, ...DNSSEC_ALLOWLIST];
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
  const head = `dnssec differential: ${queries.length} DO=1 queries, ${withProofs} answers from knotd with NSEC/NSEC3 proofs, ${failures.length} mismatches; ` +
    `allowlisted: ${[...used].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`;
  t.diagnostic(head);
  writeFileSync(REPORT_PATH, [head, ...failures].join('\n\n'));
  // the corpus must reach the proofs, or this test compares nothing of what it is for
  assert.ok(withProofs > queries.length / 4, head);
  if (failures.length > 0) assert.fail(`${head}\n(full report: ${REPORT_PATH})\n\n${failures.slice(0, 15).join('\n\n')}`);
});
