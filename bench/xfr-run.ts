// `npm run bench:xfr`: replication figures of meshdns against knotd, in one run, on one machine —
// AXFR of the whole zone, IXFR of a 10-record UPDATE, UPDATE throughput. Servers are pinned to one
// CPU, this process (the clients) and nsupdate to the other. See bench/README.md ("bench:xfr").
//
//   node dist/bench/xfr-run.js [--quick] [--sizes 1000000] [--axfr-repeat 3] [--ixfr-repeat 5]
//                              [--updates 2000] [--update-seconds 60] [--depth 16] [--servers knotd,meshdns]
//                              [--cpu-prof] [--nice=N]

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { expectA, expectSoa, freePort, waitForAnswer } from './dns-probe.js';
import { knotdVersion, startKnotd } from './knotd.js';
import { meshdnsAvailable, startMeshdns } from './meshdns.js';
import { CLIENT_CPU, commandOutput, runStamp, SERVER_CPU, setNiceness, type Pinned } from './proc.js';
import { sizeLabel } from './report.js';
import { liveClients, measureAxfr, measureIxfr, measureNsupdate, measurePipelined, settle, type Target } from './xfr-measure.js';
import { renderXfrSize, type ServerXfr, type XfrResults, type XfrSizeResult } from './xfr-report.js';
import { generateZone, type GeneratedZone } from './zone-gen.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, '.bench-out');
const START_TIMEOUT_MS = 300_000;

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    'axfr-repeat': { type: 'string', default: '3' },
    'ixfr-repeat': { type: 'string', default: '5' },
    'ixfr-change': { type: 'string', default: '10' },
    updates: { type: 'string' },
    'update-seconds': { type: 'string' },
    depth: { type: 'string', default: '16' },
    servers: { type: 'string', default: 'knotd,meshdns' },
    'cpu-prof': { type: 'boolean', default: false },
    nice: { type: 'string' },
  },
});
const settings = {
  quick: opt.quick,
  sizes: (opt.sizes ?? (opt.quick ? '10000' : '1000000')).split(',').map(Number),
  axfrRepeat: Number(opt['axfr-repeat']),
  ixfrRepeat: Number(opt['ixfr-repeat']),
  ixfrChange: Number(opt['ixfr-change']),
  updates: Number(opt.updates ?? (opt.quick ? '500' : '2000')),
  updateSeconds: Number(opt['update-seconds'] ?? (opt.quick ? '20' : '60')),
  depth: Number(opt.depth),
  servers: opt.servers.split(',') as Array<'knotd' | 'meshdns'>,
  cpuProf: opt['cpu-prof'],
  nice: opt.nice !== undefined ? Number(opt.nice) : undefined,
};
for (const [k, v] of Object.entries(settings)) {
  if (typeof v === 'number' && !(Number.isInteger(v) && (k === 'nice' || v >= 1))) throw new RangeError(`--${k}: expected an integer, got "${String(v)}"`);
}
for (const n of settings.sizes) if (!Number.isInteger(n) || n < 100) throw new RangeError(`--sizes: expected integers >= 100, got "${n}"`);
for (const s of settings.servers) if (s !== 'knotd' && s !== 'meshdns') throw new RangeError(`--servers: knotd and/or meshdns, got "${s}"`);
setNiceness(settings.nice);

function log(s: string): void {
  process.stderr.write(`[bench:xfr] ${s}\n`);
}
const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

// Servers still running: stopped by the finally blocks, or on SIGINT/SIGTERM, or killed at exit;
// so are nsupdate processes (by pid) and temp dirs.
const running = new Set<{ proc: Pinned; stop: () => Promise<void> }>();
const tempDirs = new Set<string>();
const stopAll = async (): Promise<void> => {
  for (const pid of liveClients) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  for (const r of [...running]) await r.stop().catch(() => undefined);
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
};
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping servers`);
    void stopAll().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  for (const r of running) r.proc.child.kill('SIGKILL');
  for (const pid of liveClients) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Records in a zone file written by zone-gen (one record per line, besides $ORIGIN/$TTL). */
function zoneFileRecords(file: string): number {
  let n = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) if (line !== '' && !line.startsWith('$') && !line.startsWith(';')) n++;
  return n;
}

const MESHDNS_CONFIG = [
  '# written by bench/xfr-run.ts: 127.0.0.1 may transfer and update every zone',
  'acls:',
  '  - name: bench',
  '    address: [127.0.0.1]',
  '    action: [transfer, update]',
  'defaults:',
  '  acl: [bench]',
  '',
].join('\n');

async function benchServer(kind: 'knotd' | 'meshdns', zone: GeneratedZone, size: XfrSizeResult, tmp: string): Promise<ServerXfr> {
  const port = await freePort();
  let proc: Pinned;
  let stop: () => Promise<void>;
  if (kind === 'knotd') {
    const k = startKnotd({ cpu: SERVER_CPU, port, origin: zone.origin, zoneFile: zone.zoneFile, replication: true });
    size.commands.push(`${k.proc.commandLine}   # conf: ${k.confFile} (1 udp/tcp/background worker, acl bench: 127.0.0.1 transfer+update, journal-content changes)`);
    proc = k.proc;
    stop = k.stop;
  } else {
    const dataDir = join(OUT, 'data', `xfr-n${zone.names}`);
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    const configFile = join(tmp, 'meshdns-xfr.yaml');
    writeFileSync(configFile, MESHDNS_CONFIG);
    const cpuProfDir = settings.cpuProf ? join(OUT, 'cpu-prof', `xfr-n${zone.names}`) : undefined;
    const m = startMeshdns({ root: ROOT, cpu: SERVER_CPU, port, zoneDir: zone.zoneDir, dataDir, cpuProfDir, configFile });
    size.commands.push(`${m.commandLine}   # ${configFile}: acls [{name: bench, address: [127.0.0.1], action: [transfer, update]}], defaults {acl: [bench]}`);
    proc = m;
    stop = async () => {
      await m.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  const entry = { proc, stop };
  running.add(entry);
  const result: ServerXfr = { updates: [] };
  size.servers[kind] = result;
  try {
    result.startMs = (await waitForAnswer(port, zone.origin, 'SOA', expectSoa, START_TIMEOUT_MS, proc.exitReason)) - proc.spawnedAt;
    await waitForAnswer(port, zone.probe.name, 'A', expectA(zone.probe.address), START_TIMEOUT_MS, proc.exitReason);
    const idle = await settle(proc.pid);
    log(`${kind} answers after ${Math.round(result.startMs)} ms; idle ${Math.round(idle)} ms later`);
    const t: Target = { name: kind, port, proc, origin: zone.origin };
    const step = async (what: string, f: () => Promise<void>): Promise<void> => {
      try {
        await f();
      } catch (e) {
        size.errors.push(`${kind} ${what}: ${errText(e)}`);
        log(`${kind} ${what} failed: ${errText(e)}`);
        if (proc.exitReason() !== undefined) throw e;
      }
    };
    await step('AXFR', async () => void (result.axfr = await measureAxfr(t, settings.axfrRepeat)));
    await step('IXFR', async () => void (result.ixfr = await measureIxfr(t, settings.ixfrRepeat, settings.ixfrChange)));
    await settle(proc.pid);
    await step('nsupdate UDP', async () => void result.updates.push(await measureNsupdate(t, settings.updates, false, tmp, settings.updateSeconds)));
    await settle(proc.pid);
    await step('nsupdate TCP', async () => void result.updates.push(await measureNsupdate(t, settings.updates, true, tmp, settings.updateSeconds)));
    await settle(proc.pid);
    await step('pipelined UPDATEs', async () => void result.updates.push(await measurePipelined(t, settings.updates, settings.depth, settings.updateSeconds)));
    for (const u of result.updates) size.commands.push(u.command);
    for (const n of result.ixfr?.notes ?? []) size.errors.push(`${kind} IXFR: ${n}`);
  } finally {
    await stop();
    running.delete(entry);
  }
  return result;
}

async function benchSize(names: number): Promise<XfrSizeResult> {
  const t0 = performance.now();
  const zone = generateZone(names, OUT);
  const records = zoneFileRecords(zone.zoneFile);
  log(`zone ${sizeLabel(names)}: ${zone.zoneFile}, ${records} records (${Math.round(performance.now() - t0)} ms to generate or reuse and count)`);
  const size: XfrSizeResult = {
    names, zoneFile: zone.zoneFile, zoneFileBytes: statSync(zone.zoneFile).size, zoneFileRecords: records, servers: {}, commands: [], checks: [], errors: [],
  };
  const tmp = mkdtempSync(join(tmpdir(), 'meshdns-bench-xfr-'));
  tempDirs.add(tmp);
  try {
    for (const kind of settings.servers) {
      if (kind === 'meshdns' && !meshdnsAvailable(ROOT)) {
        size.errors.push('meshdns skipped: dist/server/cli.js not found (build it first)');
        continue;
      }
      try {
        await benchServer(kind, zone, size, tmp);
      } catch (e) {
        size.errors.push(`${kind}: ${errText(e)}`);
        log(`${kind} failed: ${errText(e)}`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    tempDirs.delete(tmp);
  }
  // The same zone must come out of both servers: SOA + every record + SOA.
  const k = size.servers.knotd?.axfr?.records;
  const m = size.servers.meshdns?.axfr?.records;
  for (const [name, n] of [['knotd', k], ['meshdns', m]] as const) {
    if (n !== undefined && n !== records + 1) size.errors.push(`${name} AXFR carried ${n} records; the zone file has ${records} (+1 closing SOA = ${records + 1})`);
  }
  if (k !== undefined && m !== undefined) {
    if (k === m) size.checks.push(`both servers transferred ${k} records (zone file ${records} + closing SOA): same count`);
    else size.errors.push(`MISMATCH: knotd transferred ${k} records, meshdns ${m}`);
  }
  return size;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  // The bench process runs the AXFR/IXFR/UPDATE clients: keep it (all its threads) off the server's CPU.
  execFileSync('taskset', ['-a', '-p', '-c', CLIENT_CPU, String(process.pid)], { stdio: 'ignore' });
  const results: XfrResults = {
    ...runStamp(settings, { knotd: knotdVersion(), nsupdate: commandOutput('sh', ['-c', 'nsupdate -V 2>&1']) }),
    sizes: [],
  };
  console.log(`meshdns bench:xfr — ${results.startedAt}`);
  console.log(`node ${results.environment['node']}, ${results.environment['knotd']}, ${results.environment['nsupdate']}, ${results.environment['cores']}× ${results.environment['cpu']}`);
  console.log(
    `servers pinned to CPU ${SERVER_CPU}; this process (AXFR/IXFR/pipelined clients) and nsupdate to CPU ${CLIENT_CPU}; ` +
      `${settings.axfrRepeat} AXFRs, ${settings.ixfrRepeat} IXFR rounds of ${settings.ixfrChange} records, ${settings.updates} UPDATEs per client (≤ ${settings.updateSeconds} s)` +
      (settings.nice !== undefined ? `; servers and nsupdate at nice ${settings.nice}` : ''),
  );
  const file = join(OUT, 'xfr-results.json');
  for (const n of settings.sizes) {
    const size = await benchSize(n);
    results.sizes.push(size);
    console.log(renderXfrSize(size));
    writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  }
  console.log('\nCommand lines used (temp paths vary per run):');
  for (const s of results.sizes) for (const c of s.commands) console.log(`  ${c}`);
  console.log(`\nResults JSON: ${file}`);
}

main().catch(async (e: unknown) => {
  console.error(e);
  await stopAll();
  process.exitCode = 1;
});
