// `npm run bench:mesh`: catalog-zone propagation in a three-site mesh on loopback, knotd against
// meshdns in the same run (issue 14). Each site is primary of its own zone, produces its catalog and
// consumes the two others' (TSIG on every transfer and NOTIFY). Measured, several times each:
//   (a) a zone added at site A (knotc conf transaction / POST /api/v1/zones) → its SOA answered at B and C
//   (b) a record added at site A (RFC 2136 UPDATE, the same message to both) → answered at B and C
//   (c) the same through each server's own interface (knotc zone transaction / PATCH rrsets)
// B and C are polled with UDP queries every ~2 ms from before the command is sent; the clock starts
// just before the command (its own duration is printed apart). Prints medians and meshdns/knotd.
// See bench/README.md ("bench:mesh").
//
//   node dist/bench/mesh.js [--reps 7] [--warmup 1] [--servers knotd,meshdns] [--interval 2] [--gap 1200]

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { memberZoneText } from '../test/helpers/catalog-peers.js';
import { median, probe } from './mesh-probe.js';
import { appOf, startKnotdMesh, startMeshdnsMesh, updateA, type Mesh } from './mesh-sites.js';
import { commandOutput, machineFacts, sleep } from './proc.js';
import { f1, f2, table } from './report.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, '.bench-out');

const { values: opt } = parseArgs({
  options: {
    reps: { type: 'string', default: '7' },
    warmup: { type: 'string', default: '1' },
    servers: { type: 'string', default: 'knotd,meshdns' },
    interval: { type: 'string', default: '2' },
    gap: { type: 'string', default: '1200' },
  },
});
const settings = {
  reps: Number(opt.reps),
  warmup: Number(opt.warmup),
  servers: opt.servers.split(',') as Array<'knotd' | 'meshdns'>,
  intervalMs: Number(opt.interval),
  // Pause between two measured changes: knotd as a secondary waits about a second before refreshing
  // a zone it refreshed a moment ago, so a shorter gap would time that wait, not the propagation.
  gapMs: Number(opt.gap),
};
if (!Number.isInteger(settings.reps) || settings.reps < 1) throw new RangeError(`--reps: a whole number >= 1, got "${opt.reps}"`);
if (!Number.isInteger(settings.warmup) || settings.warmup < 0) throw new RangeError(`--warmup: a whole number >= 0, got "${opt.warmup}"`);
if (!Number.isInteger(settings.gapMs) || settings.gapMs < 0) throw new RangeError(`--gap: milliseconds >= 0, got "${opt.gap}"`);
if (!(settings.intervalMs >= 1)) throw new RangeError(`--interval: milliseconds >= 1, got "${opt.interval}"`);
for (const s of settings.servers) if (s !== 'knotd' && s !== 'meshdns') throw new RangeError(`--servers: knotd and/or meshdns, got "${s}"`);

/** One propagation: the command's own duration and the arrival at B and at C, all from the same t0. */
interface Sample { command: number; b: number; c: number }
interface ServerResult { server: string; version: string; zoneAdd: Sample[]; record: Sample[]; ownRecord: Sample[]; error?: string }

const PROBE_TIMEOUT_MS = 30_000;

async function timed(mesh: Mesh, qname: string, qtype: 'SOA' | 'A', command: () => Promise<void>): Promise<Sample> {
  const t0 = performance.now();
  const atB = probe(mesh.ports[1]!, qname, qtype, t0, settings.intervalMs, PROBE_TIMEOUT_MS);
  const atC = probe(mesh.ports[2]!, qname, qtype, t0, settings.intervalMs, PROBE_TIMEOUT_MS);
  try {
    await command();
  } catch (error) {
    atB.cancel();
    atC.cancel();
    throw error;
  }
  const commandMs = performance.now() - t0;
  const [b, c] = await Promise.all([atB.arrived, atC.arrived]);
  return { command: commandMs, b, c };
}

async function measure(server: 'knotd' | 'meshdns'): Promise<ServerResult> {
  const version = server === 'knotd' ? commandOutput('knotd', ['--version']).trim() : `meshdns (node ${process.version})`;
  const result: ServerResult = { server, version, zoneAdd: [], record: [], ownRecord: [] };
  process.stderr.write(`${server}: starting three sites ...\n`);
  let mesh: Mesh;
  try {
    mesh = server === 'knotd' ? await startKnotdMesh() : await startMeshdnsMesh();
  } catch (error) {
    result.error = `the mesh did not start or converge: ${(error as Error).message}`;
    return result;
  }
  const stamp = Date.now().toString(36);
  try {
    for (let r = 0; r < settings.warmup + settings.reps; r++) {
      const counted = r >= settings.warmup;
      const origin = `z${r}-${stamp}.site-a.mesh.`;
      const add = await timed(mesh, origin, 'SOA', () => mesh.addZone(0, origin, memberZoneText(origin)));
      await sleep(settings.gapMs);
      const name = `r${r}-${stamp}.${appOf(0)}`;
      const rec = await timed(mesh, name, 'A', () => updateA(mesh.ports[0]!, appOf(0), name, `192.0.2.${20 + (r % 200)}`));
      await sleep(settings.gapMs);
      const own = `o${r}-${stamp}.${appOf(0)}`;
      const ownRec = await timed(mesh, own, 'A', () => mesh.addRecord(0, appOf(0), own, `192.0.2.${20 + (r % 200)}`));
      await sleep(settings.gapMs);
      process.stderr.write(`${server} ${counted ? `rep ${r - settings.warmup + 1}` : 'warm-up'}: zone add B ${f1(add.b)} C ${f1(add.c)} ms, `
        + `UPDATE B ${f1(rec.b)} C ${f1(rec.c)} ms, own interface B ${f1(ownRec.b)} C ${f1(ownRec.c)} ms\n`);
      if (counted) {
        result.zoneAdd.push(add);
        result.record.push(rec);
        result.ownRecord.push(ownRec);
      }
    }
  } catch (error) {
    result.error = `${(error as Error).message}\n--- site A log (tail):\n${mesh.logs(0).slice(-3000)}\n--- site B log (tail):\n${mesh.logs(1).slice(-3000)}`;
  } finally {
    await mesh.stop();
  }
  return result;
}

const med = (xs: Sample[], pick: (s: Sample) => number): number | undefined => median(xs.map(pick));
const both = (s: Sample): number => Math.max(s.b, s.c);

function report(results: ServerResult[]): string {
  const k = results.find((r) => r.server === 'knotd');
  const m = results.find((r) => r.server === 'meshdns');
  const rows: [string, (r: ServerResult) => number | undefined][] = [
    ['zone added at A → SOA at B', (r) => med(r.zoneAdd, (s) => s.b)],
    ['zone added at A → SOA at C', (r) => med(r.zoneAdd, (s) => s.c)],
    ['zone added at A → at B and C', (r) => med(r.zoneAdd, both)],
    ['  (the add command itself)', (r) => med(r.zoneAdd, (s) => s.command)],
    ['record by UPDATE at A → at B', (r) => med(r.record, (s) => s.b)],
    ['record by UPDATE at A → at C', (r) => med(r.record, (s) => s.c)],
    ['record by UPDATE at A → at B and C', (r) => med(r.record, both)],
    ['  (the UPDATE itself)', (r) => med(r.record, (s) => s.command)],
    ['record by knotc/PATCH at A → at B and C', (r) => med(r.ownRecord, both)],
    ['  (the knotc/PATCH itself)', (r) => med(r.ownRecord, (s) => s.command)],
  ];
  const lines = rows.map(([label, pick]) => {
    const kv = k !== undefined ? pick(k) : undefined;
    const mv = m !== undefined ? pick(m) : undefined;
    return [label, f1(kv), f1(mv), kv !== undefined && mv !== undefined && kv > 0 ? f2(mv / kv) : '-'];
  });
  return table(['median ms (loopback)', 'knotd', 'meshdns', 'meshdns/knotd'], lines);
}

const results: ServerResult[] = [];
for (const server of settings.servers) results.push(await measure(server));

const facts = machineFacts();
console.log(`bench:mesh — three sites on 127.0.0.1, ${settings.reps} repetitions (+${settings.warmup} warm-up), polling every ${settings.intervalMs} ms`);
console.log(`${facts.cpu}, ${facts.cores} cores, ${facts.kernel}, node ${facts.node}`);
for (const r of results) console.log(`${r.server}: ${r.version}${r.error !== undefined ? ' — FAILED (below)' : ''}`);
console.log('');
console.log(report(results));
for (const r of results) if (r.error !== undefined) console.log(`\n${r.server} failed: ${r.error}`);
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'mesh.json'), `${JSON.stringify({ settings, machine: facts, at: new Date().toISOString(), results }, null, 2)}\n`);
console.log(`\nall samples: ${join(OUT, 'mesh.json')}`);
if (results.some((r) => r.error !== undefined)) process.exitCode = 1;
