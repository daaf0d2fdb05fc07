// In-process cost of the query pipeline, without the network: every line of a dnsperf query file
// is encoded once, then handed to QueryPipeline.handle() in rounds. Round 0 is mostly cache misses,
// later rounds mostly hits; `--no-cache` measures the miss path alone.
//
// Usage: node dist/bench/pipeline-loop.js DATA_DIR QUERY_FILE [--rounds N] [--no-cache] [--rrl] [--do]
// (--do: every query carries EDNS with DO=1, so signed zones answer with RRSIGs and denial proofs)
// (--rrl: response rate limiting on, at a rate nothing reaches, every query from 192.0.2.1: what the
// check itself costs)
// (DATA_DIR: an LMDB data directory with the zone loaded, e.g. from
// `node dist/bench/import-phases.js .bench-out/zones/n1000000-v1/zone/bench.test.zone bench.test. DATA_DIR`)

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import dnsPacket from 'dns-packet';
import { pino } from 'pino';
import { LmdbStore } from '../zones/store/lmdb-store.js';
import { ZoneTable } from '../server/zone-table.js';
import { QueryPipeline } from '../server/router/pipeline.js';
import { ResponseRateLimiter } from '../server/limits/rrl.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '5' }, 'no-cache': { type: 'boolean', default: false }, rrl: { type: 'boolean', default: false }, do: { type: 'boolean', default: false } },
});
const [dataDir, queryFile] = positionals;
if (!dataDir || !queryFile) {
  process.stderr.write('usage: node dist/bench/pipeline-loop.js DATA_DIR QUERY_FILE [--rounds N] [--no-cache]\n');
  process.exit(2);
}
if (!existsSync(join(dataDir, 'data.mdb'))) {
  process.stderr.write(`no LMDB environment in "${dataDir}" (npm run bench removes its data dirs when it ends; ` +
    'import a zone first, e.g. node dist/bench/import-phases.js ZONE_FILE ORIGIN DATA_DIR)\n');
  process.exit(2);
}
const store = LmdbStore.open(dataDir);
const table = new ZoneTable(store);
if (table.size === 0) {
  // every answer would be REFUSED: a figure that measures nothing
  process.stderr.write(`no zones in "${dataDir}"\n`);
  process.exit(2);
}
const pipeline = new QueryPipeline(store, table, pino({ level: 'silent' }), {
  maxUdpPayload: 1232, nsid: undefined, answerCacheSize: values['no-cache'] ? 0 : 200_000,
});
const peer = values.rrl ? '192.0.2.1' : '';
if (values.rrl) {
  pipeline.guard.rrl = new ResponseRateLimiter({ responsesPerSecond: 1e9, slip: 2, ipv4Prefix: 24, ipv6Prefix: 56, exempt: [] });
  pipeline.guardChanged();
}
const messages = readFileSync(queryFile, 'utf8').trim().split('\n').map((line, i) => {
  const [name, type] = line.split(/\s+/);
  const additionals: dnsPacket.Answer[] = values.do ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: dnsPacket.DNSSEC_OK } as dnsPacket.Answer] : [];
  return dnsPacket.encode({ id: i & 0xffff, type: 'query', questions: [{ name: name!, type: type as dnsPacket.RecordType }], additionals });
});
for (let round = 0; round < Number(values.rounds); round++) {
  const hitsBefore = pipeline.cache.hits;
  const started = process.hrtime.bigint();
  for (const m of messages) pipeline.handle(m, 0, peer);
  const ns = Number(process.hrtime.bigint() - started) / messages.length;
  const hits = pipeline.cache.hits - hitsBefore;
  console.log(`round ${round}: ${(ns / 1000).toFixed(2)} µs/query, ${((100 * hits) / messages.length).toFixed(0)}% cache hits`);
}
// (run node with --expose-gc to see live memory rather than garbage not yet collected)
(globalThis as { gc?: () => void }).gc?.();
const mem = process.memoryUsage();
const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
console.log(`memory: rss ${mib(mem.rss)}, heap used ${mib(mem.heapUsed)}, external ${mib(mem.external)} (array buffers ${mib(mem.arrayBuffers)}); cache ${pipeline.cache.size} answers`);
await store.close();
