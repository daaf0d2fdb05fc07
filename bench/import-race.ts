// The import target with more than one sample: knotd loading a zone file and meshdns importing it
// into an empty data dir, alternately, for N rounds, both pinned to the server CPU. `npm run bench`
// takes one sample of each; on a VM whose single runs vary by ±25%, a ratio near the target needs
// several. knotd: spawn → first authoritative SOA (as in run.ts). meshdns: spawn → the probe name's
// correct A (the zone is loaded when its deepest host answers). Prints each round and the ratios.
//
// Usage: node dist/bench/import-race.js [--size 1000000] [--rounds 5]

import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { expectA, expectSoa, freePort, waitForAnswer } from './dns-probe.js';
import { startKnotd } from './knotd.js';
import { meshdnsAvailable, startMeshdns } from './meshdns.js';
import { SERVER_CPU } from './proc.js';
import { generateZone } from './zone-gen.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, '.bench-out');
const TIMEOUT_MS = 300_000;

const { values } = parseArgs({ options: { size: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '5' } } });
const size = Number(values.size);
const rounds = Number(values.rounds);
if (!Number.isInteger(size) || size < 100) throw new RangeError(`--size: expected an integer >= 100, got "${values.size}"`);
if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`--rounds: expected an integer >= 1, got "${values.rounds}"`);
if (!meshdnsAvailable(ROOT)) throw new Error('dist/server/cli.js not found: run npm run build first');

const zone = generateZone(size, OUT);
const dataDir = join(OUT, 'data', `import-race-n${size}`);
const ratios: number[] = [];
for (let round = 1; round <= rounds; round++) {
  const knotdMs = await knotdLoad();
  const meshdnsMs = await meshdnsImport();
  ratios.push(meshdnsMs / knotdMs);
  console.log(`round ${round}: knotd ${Math.round(knotdMs)} ms, meshdns ${Math.round(meshdnsMs)} ms, ratio ${(meshdnsMs / knotdMs).toFixed(2)}`);
}
rmSync(dataDir, { recursive: true, force: true });
const sorted = [...ratios].sort((a, b) => a - b);
console.log(`ratio meshdns / knotd over ${rounds} rounds: min ${sorted[0]!.toFixed(2)}, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)}, ` +
  `max ${sorted[sorted.length - 1]!.toFixed(2)}; at most 2.0 in ${ratios.filter((r) => r <= 2).length} of ${rounds} (target ≤ 2.0)`);

async function knotdLoad(): Promise<number> {
  const port = await freePort();
  const k = startKnotd({ cpu: SERVER_CPU, port, origin: zone.origin, zoneFile: zone.zoneFile });
  try {
    return (await waitForAnswer(port, zone.origin, 'SOA', expectSoa, TIMEOUT_MS, k.proc.exitReason)) - k.proc.spawnedAt;
  } finally {
    await k.stop();
  }
}

async function meshdnsImport(): Promise<number> {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const m = startMeshdns({ root: ROOT, cpu: SERVER_CPU, port, zoneDir: zone.zoneDir, dataDir });
  try {
    return (await waitForAnswer(port, zone.probe.name, 'A', expectA(zone.probe.address), TIMEOUT_MS, m.exitReason)) - m.spawnedAt;
  } finally {
    await m.stop();
  }
}
