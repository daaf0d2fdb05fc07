// Differential test: the same zone files served by knotd (reference) and meshdns (subject); every
// generated query goes to both and the answers must be identical in meaning (see compare.ts), up
// to the documented policy differences in allowlist.ts.
//
// MESHDNS_DIFF_SUBJECT=knotd runs knotd against a second knotd: a self-check of the harness that
// must always pass. MESHDNS_DIFF_REPORT=path chooses where the full report is written.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildQuery, query } from '../helpers/dns-client.js';
import { startKnotd } from '../helpers/knotd.js';
import { ALLOWLIST, applyAllowlist } from './allowlist.js';
import { compareResponses, formatResponse, parseMessage, type Diff } from './compare.js';
import { generateQueries, ZONES, type GenQuery } from './query-gen.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ZONE_DIR = path.join(ROOT, 'test', 'differential', 'zones');
const SUBJECT = process.env['MESHDNS_DIFF_SUBJECT'] ?? 'meshdns';
const REPORT_PATH = process.env['MESHDNS_DIFF_REPORT'] ?? path.join(os.tmpdir(), `meshdns-differential-report-${SUBJECT}.txt`);
const CONCURRENCY = 32;
const TIMEOUT_MS = { udp: 800, tcp: 1500 } as const;
const SHOWN = 30;

/** knotd as configured for the comparison: no CHAOS identity/version, a fixed NSID. */
const KNOT_SERVER_CONF = 'identity: ""\nversion: ""\nnsid: "knotd-reference"';

interface Server {
  name: string;
  port: number;
  stop(): Promise<void>;
}

async function startReference(): Promise<Server> {
  const knotd = await startKnotd({ zones: ZONES.map((origin) => ({ origin, file: path.join(ZONE_DIR, `${origin}.zone`) })), serverConf: KNOT_SERVER_CONF });
  return { name: 'knotd', port: knotd.port, stop: () => knotd.stop() };
}

async function startSubject(): Promise<Server> {
  if (SUBJECT === 'knotd') {
    const knotd = await startKnotd({
      zones: ZONES.map((origin) => ({ origin, file: path.join(ZONE_DIR, `${origin}.zone`) })),
      serverConf: 'identity: ""\nversion: ""\nnsid: "knotd-second"',
    });
    return { name: 'knotd#2', port: knotd.port, stop: () => knotd.stop() };
  }
  // Imported lazily so the knotd self-check runs before the server exists.
  const { startMeshdns } = (await import('../helpers/meshdns.js')) as typeof import('../helpers/meshdns.js');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'meshdns-diff-data-'));
  // Like knotd above, an NSID is configured, so NSID support (not its default) is compared.
  const config = path.join(dataDir, 'meshdns.yaml');
  // knotd runs without its cookies module, so DNS COOKIEs (on by default in meshdns) are off here too;
  // they are checked against dig and kdig in test/integration/limits.test.ts
  await writeFile(config, 'nsid: "meshdns-subject"\ncookies: false\n');
  const meshdns = await startMeshdns({ zoneDir: ZONE_DIR, dataDir: path.join(dataDir, 'data'), config, extraArgs: ['--log-level', 'info'] });
  return {
    name: 'meshdns',
    port: meshdns.port,
    stop: async () => {
      await meshdns.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function ask(server: Server, q: GenQuery): Promise<Buffer | null> {
  return query(q.transport, server.port, q.packet, TIMEOUT_MS[q.transport]);
}

interface Outcome {
  q: GenQuery;
  a: Buffer | null;
  b: Buffer | null;
  diffs: Diff[];
  remaining: Diff[];
  used: string[];
}

async function runOne(reference: Server, subject: Server, q: GenQuery): Promise<Outcome> {
  let [a, b] = await Promise.all([ask(reference, q), ask(subject, q)]);
  // A lone silence over UDP may be a lost datagram: ask that server once more before believing it.
  if (q.transport === 'udp' && (a === null) !== (b === null)) {
    if (a === null) a = await ask(reference, q);
    else b = await ask(subject, q);
  }
  const diffs = compareResponses(a, b, { transport: q.transport, queryId: q.queryId, udpLimit: q.udpLimit });
  const { remaining, used } = applyAllowlist(diffs, { query: q, a: a === null ? null : parseMessage(a), b: b === null ? null : parseMessage(b) });
  return { q, a, b, diffs, remaining, used };
}

async function runAll(reference: Server, subject: Server, queries: GenQuery[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array<Outcome>(queries.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const q = queries[i];
      if (q === undefined) return;
      outcomes[i] = await runOne(reference, subject, q);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return outcomes;
}

function describe(o: Outcome, refName: string, subjName: string): string {
  const lines = [
    `#${o.q.index} [${o.q.group}] ${o.q.label}`,
    `  packet: ${o.q.packet.toString('hex')}`,
    '  differences:',
    ...o.remaining.flatMap((d) =>
      d.detail.includes('\n') ? [`    ${d.field}:`, ...d.detail.split('\n').map((l) => `      ${l}`)] : [`    ${d.field}: ${d.detail}`],
    ),
    `  ${refName}:`,
    formatResponse(o.a).replace(/^/gm, '  '),
    `  ${subjName}:`,
    formatResponse(o.b).replace(/^/gm, '  '),
  ];
  return lines.join('\n');
}

function summary(outcomes: Outcome[], failures: Outcome[], ms: number, refName: string, subjName: string): string {
  const lines = [`differential ${refName} vs ${subjName}: ${outcomes.length} queries in ${(ms / 1000).toFixed(1)} s, ${failures.length} mismatches`];
  const groups = new Map<string, [number, number]>();
  for (const o of outcomes) {
    const g = groups.get(o.q.group) ?? [0, 0];
    g[0] += 1;
    if (o.remaining.length > 0) g[1] += 1;
    groups.set(o.q.group, g);
  }
  lines.push(`  per group (queries/mismatches): ${[...groups].map(([k, [n, f]]) => `${k} ${n}/${f}`).join(', ')}`);
  for (const entry of ALLOWLIST) {
    const n = outcomes.filter((o) => o.used.includes(entry.name)).length;
    lines.push(`  allowlist ${entry.name}: excused differences in ${n} queries`);
  }
  const byField = new Map<string, number>();
  for (const o of failures) {
    const key = [...new Set(o.remaining.map((d) => d.field))].sort().join('+');
    byField.set(key, (byField.get(key) ?? 0) + 1);
  }
  if (byField.size > 0) {
    lines.push('  mismatches by differing fields:');
    for (const [key, n] of [...byField].sort((x, y) => y[1] - x[1])) lines.push(`    ${n}\t${key}`);
  }
  return lines.join('\n');
}

test('comparator reports a changed answer (the differential test can fail)', async () => {
  const reference = await startReference();
  try {
    const packet = buildQuery({ qname: 'WwW.example.test', qtype: 'A', id: 4321, edns: { payload: 1232 } });
    const response = await query('udp', reference.port, packet, 2000);
    assert.ok(response !== null, 'knotd answered');
    const ctx = { transport: 'udp' as const, queryId: 4321, udpLimit: 1232 };
    assert.deepEqual(compareResponses(response, Buffer.from(response), ctx), []);
    const addressChanged = Buffer.from(response);
    addressChanged[response.length - 11 - 1]! ^= 1; // last octet of the A record, before the 11-octet OPT
    assert.deepEqual(compareResponses(response, addressChanged, ctx).map((d) => d.field), ['answer']);
    const aaCleared = Buffer.from(response);
    aaCleared[2]! &= ~0x04;
    assert.deepEqual(compareResponses(response, aaCleared, ctx).map((d) => d.field), ['flags.aa']);
    const caseChanged = Buffer.from(response);
    caseChanged[13] = 0x77; // 'W' → 'w' in the echoed question
    assert.deepEqual(compareResponses(response, caseChanged, ctx).map((d) => d.field), ['question']);
    assert.deepEqual(compareResponses(response, null, ctx).map((d) => d.field), ['presence']);
    assert.deepEqual(compareResponses(null, null, ctx), []);
  } finally {
    await reference.stop();
  }
});

test(`differential: knotd vs ${SUBJECT}`, { timeout: 240_000 }, async (t) => {
  const queries = generateQueries();
  assert.ok(queries.length >= 2000, `corpus has ${queries.length} queries`);
  const reference = await startReference();
  let subject: Server | undefined;
  try {
    subject = await startSubject();
    const started = Date.now();
    const outcomes = await runAll(reference, subject, queries);
    const ms = Date.now() - started;
    const failures = outcomes.filter((o) => o.remaining.length > 0);
    const head = summary(outcomes, failures, ms, reference.name, subject.name);
    t.diagnostic(head.split('\n').join(' | '));
    console.log(head);
    const report = [head, '', ...failures.map((o) => describe(o, reference.name, subject!.name))].join('\n\n');
    await writeFile(REPORT_PATH, report);
    if (failures.length > 0) {
      const shown = failures.slice(0, SHOWN).map((o) => describe(o, reference.name, subject!.name));
      assert.fail(`${head}\n\nfirst ${shown.length} of ${failures.length} mismatches (full report: ${REPORT_PATH}):\n\n${shown.join('\n\n')}`);
    }
  } finally {
    await subject?.stop();
    await reference.stop();
  }
});
