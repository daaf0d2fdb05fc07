// Where a big zone import spends its time: parse + checks, then the first commit (sort, node build,
// LMDB append), each timed separately in this process. Not a test; prints numbers.
//
// Usage: node [--cpu-prof] dist/bench/import-phases.js ZONE_FILE ORIGIN [KEEP_DATA_DIR]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { nameToKey, parseName } from '../zones/name.js';
import { loadZoneFile } from '../zones/import/zone-source.js';
import { LmdbStore } from '../zones/store/lmdb-store.js';
import { ZoneWriter } from '../zones/store/write-door.js';

const [file, originText, keepDir] = process.argv.slice(2);
if (!file || !originText) {
  process.stderr.write('usage: node dist/bench/import-phases.js ZONE_FILE ORIGIN\n');
  process.exit(2);
}
const origin = parseName(originText);
let t = performance.now();
let cpu = process.cpuUsage();
// CPU time as well as wall time: on a VM with hypervisor steal, the wall time of one phase varies by ±25%
const lap = (what: string) => {
  const now = performance.now();
  const used = process.cpuUsage(cpu);
  const mem = process.memoryUsage();
  console.log(`${what.padEnd(28)} ${(now - t).toFixed(0).padStart(6)} ms (CPU ${((used.user + used.system) / 1000).toFixed(0).padStart(5)} ms)   ` +
    `heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB, rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB`);
  t = now;
  cpu = process.cpuUsage();
};
const loaded = loadZoneFile(file, origin, dirname(file));
lap(`parse + checks (${loaded.table.liveCount} RRs)`);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems.slice(0, 3)));
const dir = keepDir ?? mkdtempSync(join(tmpdir(), 'meshdns-import-'));
const store = LmdbStore.open(dir);
const writer = new ZoneWriter(store);
lap('open store');
writer.create(origin, { originText, kind: 'primary', serialPolicy: 'increment', ifExists: 'fail' }, 'file:bench').content(loaded.table).commit();
lap('first commit (zone created, bulk build)');
await store.close();
lap('close (flush)');
if (!keepDir) rmSync(dir, { recursive: true, force: true });
