// `npm run bench`: meshdns against knotd and a raw node:dgram ceiling, in one run, on one machine.
// Servers are pinned to one CPU, dnsperf to the other. See bench/README.md for what each number means.
//
//   node dist/bench/run.js [--quick] [--duration S] [--warmup S] [--sizes 10000,1000000]
//                          [--clients N] [--outstanding N] [--tcp-clients N] [--servers raw-dgram,knotd,meshdns,raw-lookup]
//                          [--no-meshdns] [--cpu-prof] [--nice=N] [--repeat N]

import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectA, expectSoa, freePort, waitForAnswer } from './dns-probe.js';
import { knotdVersion, startKnotd } from './knotd.js';
import { isListening, isReady, meshdnsAvailable, startMeshdns } from './meshdns.js';
import { load, measured } from './load-run.js';
import { CLIENT_CPU, SERVER_CPU, settings } from './options.js';
import { commandOutput, memory, runStamp, spawnPinned, type Pinned } from './proc.js';
import { renderSize, sizeLabel } from './report.js';
import type { BenchResults, SizeResult } from './results.js';
import { generateZone, type GeneratedZone } from './zone-gen.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, '.bench-out');
const START_TIMEOUT_MS = 300_000;

function log(s: string): void {
  process.stderr.write(`[bench] ${s}\n`);
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function benchKnotd(size: SizeResult, zone: GeneratedZone): Promise<void> {
  const port = await freePort();
  const k = startKnotd({ cpu: SERVER_CPU, port, origin: zone.origin, zoneFile: zone.zoneFile });
  size.commands.push(`${k.proc.commandLine}   # conf: ${k.confFile} (udp/tcp/background-workers 1, journal-content none)`);
  try {
    size.startup.knotdLoadMs = (await waitForAnswer(port, zone.origin, 'SOA', expectSoa, START_TIMEOUT_MS, k.proc.exitReason)) - k.proc.spawnedAt;
    log(`knotd loaded in ${Math.round(size.startup.knotdLoadMs)} ms`);
    await waitForAnswer(port, zone.probe.name, 'A', expectA(zone.probe.address), 10_000, k.proc.exitReason);
    await load(size, zone, 'knotd', k.proc, port, 'udp');
    await load(size, zone, 'knotd', k.proc, port, 'tcp');
    size.memory.knotd = memory(k.proc.pid);
  } finally {
    await k.stop();
  }
  // knotd keeps no zone database here (journal-content none): a restart re-reads the zone file.
  const port2 = await freePort();
  const k2 = startKnotd({ cpu: SERVER_CPU, port: port2, origin: zone.origin, zoneFile: zone.zoneFile });
  try {
    size.startup.knotdRestartMs = (await waitForAnswer(port2, zone.probe.name, 'A', expectA(zone.probe.address), START_TIMEOUT_MS, k2.proc.exitReason)) - k2.proc.spawnedAt;
  } finally {
    await k2.stop();
  }
}

/** The raw server; given meshdns's data directory, the LMDB lookup floor ("raw-lookup"). */
async function benchRaw(size: SizeResult, zone: GeneratedZone, lookupDataDir?: string): Promise<void> {
  const lookup = lookupDataDir === undefined ? [] : ['--lookup', lookupDataDir];
  const p = spawnPinned(SERVER_CPU, process.execPath, [join(ROOT, 'dist', 'bench', 'raw-dgram-server.js'), '--listen', '127.0.0.1:0', ...lookup]);
  size.commands.push(p.commandLine);
  try {
    const { line } = await p.waitForJson((l) => l['msg'] === 'listening', 10_000);
    await load(size, zone, lookupDataDir === undefined ? 'raw-dgram' : 'raw-lookup', p, Number(line['port']), 'udp');
  } finally {
    await p.stop();
  }
}

async function benchMeshdns(size: SizeResult, zone: GeneratedZone): Promise<void> {
  const dataDir = join(OUT, 'data', `n${zone.names}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const cpuProfDir = settings.cpuProf ? join(OUT, 'cpu-prof', `n${zone.names}`) : undefined;
  const start = async (configFile?: string): Promise<{ m: Pinned; port: number; readyMs: Promise<number | undefined>; answerMs: number }> => {
    const port = await freePort();
    const m = startMeshdns({ root: ROOT, cpu: SERVER_CPU, port, zoneDir: zone.zoneDir, dataDir, cpuProfDir, ...(configFile === undefined ? {} : { configFile }) });
    size.commands.push(m.commandLine);
    const ready = m.waitForJson(isReady, START_TIMEOUT_MS).then(({ at }) => at - m.spawnedAt);
    ready.catch(() => undefined);
    let infoLogs = false; // at --log-level warn the server may print no "listening"/"ready" lines at all
    m.waitForJson(isListening, START_TIMEOUT_MS).then(() => (infoLogs = true), () => undefined);
    const answerMs = (await waitForAnswer(port, zone.probe.name, 'A', expectA(zone.probe.address), START_TIMEOUT_MS, m.exitReason)) - m.spawnedAt;
    const readyMs = Promise.race([ready, new Promise<undefined>((r) => setTimeout(() => r(undefined), infoLogs ? START_TIMEOUT_MS : 2_000).unref())]).catch(() => undefined);
    return { m, port, readyMs, answerMs };
  };
  const noReady = (): void => {
    if (!size.errors.some((e) => e.startsWith('meshdns printed no')))
      size.errors.push('meshdns printed no {"msg":"ready"} line at --log-level warn (the bench contract expects one); "ready" figures fall back to the first correct answer');
  };

  const first = await start();
  try {
    size.startup.meshdnsImportFirstAnswerMs = first.answerMs;
    const ready = await first.readyMs;
    if (ready !== undefined) size.startup.meshdnsImportReadyMs = ready;
    else noReady();
    log(`meshdns imported: ready ${ready === undefined ? '?' : Math.round(ready)} ms, first answer ${Math.round(first.answerMs)} ms`);
    await load(size, zone, 'meshdns', first.m, first.port, 'udp');
    await load(size, zone, 'meshdns', first.m, first.port, 'tcp');
    size.memory.meshdns = memory(first.m.pid);
  } finally {
    await first.m.stop();
  }
  // the zone meshdns imported, read by the floor server (meshdns is stopped: one server per core)
  if (settings.servers.includes('raw-lookup')) {
    try {
      await benchRaw(size, zone, dataDir);
    } catch (e) {
      size.errors.push(`raw-lookup: ${errText(e)}`);
    }
  }

  const second = await start();
  try {
    size.startup.meshdnsRestartFirstAnswerMs = second.answerMs;
    // Steady-state memory: a process that started from LMDB (no import heap), after serving a while.
    await measured(second.m, {
      cpu: CLIENT_CPU, port: second.port, queryFile: zone.queryFile, seconds: Math.max(settings.warmup, 2),
      clients: settings.clients, outstanding: settings.outstanding, tcp: false,
    });
    size.memory['meshdns-restarted'] = memory(second.m.pid);
    const ready = await second.readyMs;
    if (ready !== undefined) size.startup.meshdnsRestartReadyMs = ready;
    else noReady();
    log(`meshdns restarted: first answer ${Math.round(second.answerMs)} ms, ready ${ready === undefined ? '?' : Math.round(ready)} ms`);
  } finally {
    await second.m.stop();
  }
  // the same server with batched UDP turned off: node:dgram, one datagram per callback
  if (settings.servers.includes('meshdns-dgram')) {
    const configFile = join(OUT, 'meshdns-dgram.yaml');
    writeFileSync(configFile, 'udp: {batching: false}\n');
    const third = await start(configFile);
    try {
      await load(size, zone, 'meshdns-dgram', third.m, third.port, 'udp');
    } finally {
      await third.m.stop();
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
}

async function benchSize(names: number, meshdns: boolean): Promise<SizeResult> {
  const t0 = performance.now();
  const zone = generateZone(names, OUT);
  log(`zone ${sizeLabel(names)}: ${zone.zoneFile} (${Math.round(performance.now() - t0)} ms to generate or reuse)`);
  const size: SizeResult = {
    names,
    queries: zone.queries,
    queryMix: zone.queryMix,
    zoneFile: zone.zoneFile,
    zoneFileBytes: statSync(zone.zoneFile).size,
    probe: { name: zone.probe.name, address: zone.probe.address },
    runs: [],
    startup: {},
    memory: {},
    commands: [],
    errors: [],
  };
  const step = async (what: string, f: () => Promise<void>): Promise<void> => {
    try {
      await f();
    } catch (e) {
      size.errors.push(`${what}: ${errText(e)}`);
      log(`${what} failed: ${errText(e)}`);
    }
  };
  if (settings.servers.includes('raw-dgram')) await step('raw-dgram', () => benchRaw(size, zone));
  if (settings.servers.includes('knotd')) await step('knotd', () => benchKnotd(size, zone));
  if (meshdns) await step('meshdns', () => benchMeshdns(size, zone));
  else size.errors.push(`meshdns skipped: ${settings.meshdns ? 'dist/server/cli.js not found (build it first)' : 'not selected'}`);
  return size;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const meshdns = settings.meshdns && meshdnsAvailable(ROOT);
  const results: BenchResults = {
    ...runStamp(settings, { knotd: knotdVersion(), dnsperf: commandOutput('sh', ['-c', 'dnsperf -h 2>&1 | grep -i "^Version"']) }),
    sizes: [],
  };
  console.log(`meshdns bench — ${results.startedAt}`);
  console.log(`node ${results.environment['node']}, ${results.environment['knotd']}, dnsperf ${results.environment['dnsperf']}, ${results.environment['cores']}× ${results.environment['cpu']}`);
  console.log(
    `servers pinned to CPU ${SERVER_CPU}, dnsperf to CPU ${CLIENT_CPU}; warm-up = one pass over the query file (≤ ${settings.warmup} s), then ${settings.duration} s measured per run; ` +
      `UDP -c ${settings.clients} -q ${settings.outstanding}, TCP -c ${settings.tcpClients} -q ${settings.outstanding}` +
      (settings.repeat > 1 ? `; best of ${settings.repeat} measured runs` : '') +
      (settings.nice !== undefined ? `; nice ${settings.nice}` : ''),
  );
  // results.json is always the latest run; each run is also kept under runs/ so runs can be compared
  mkdirSync(join(OUT, 'runs'), { recursive: true });
  const archive = join(OUT, 'runs', `results-${results.startedAt.replace(/[:.]/g, '-')}.json`);
  for (const n of settings.sizes) {
    const size = await benchSize(n, meshdns);
    results.sizes.push(size);
    console.log(renderSize(size));
    const json = JSON.stringify(results, null, 2) + '\n';
    writeFileSync(join(OUT, 'results.json'), json);
    writeFileSync(archive, json);
  }
  console.log('\nCommand lines used (temp paths vary per run):');
  for (const s of results.sizes) for (const c of s.commands) console.log(`  ${c}`);
  console.log(`\nResults JSON: ${join(OUT, 'results.json')} (this run also kept as ${archive})`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
