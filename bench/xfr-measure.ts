// The three measurements of `npm run bench:xfr` against one running server: AXFR of the whole zone,
// IXFR of a 10-record UPDATE, and UPDATE throughput (nsupdate batches and a pipelined TCP client).

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectA, waitForAnswer } from './dns-probe.js';
import { allCpuSnapshot, CLIENT_CPU, CLK_TCK, cpuDelta, cpuSnapshot, foreignCpuDelta, pinnedCommand, shellQuote, sleep, type Pinned } from './proc.js';
import { exchange, pipelined, transfer, type TransferResult } from './xfr-client.js';
import type { AxfrFigures, IxfrFigures, IxfrRun, UpdateFigures } from './xfr-report.js';
import { answerSoaSerial, ixfrQuery, queryMessage, rcodeOf, updateMessage, type AddA } from './xfr-wire.js';

export interface Target {
  readonly name: 'knotd' | 'meshdns';
  readonly port: number;
  readonly proc: Pinned;
  readonly origin: string;
}

const TRANSFER_TIMEOUT_MS = 600_000;
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
let nextId = 1;
const newId = (): number => (nextId = (nextId + 1) & 0xffff);

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function log(s: string): void {
  process.stderr.write(`[bench:xfr] ${s}\n`);
}

/** Waits until the server's process tree uses < 5% of a core over 250 ms (after an import, GC, …); ≤ 30 s. */
export async function settle(pid: number): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < 30_000) {
    const before = cpuSnapshot(pid);
    await sleep(250);
    if (cpuDelta(before, cpuSnapshot(pid)) < 0.05 * 250_000) break;
  }
  return performance.now() - t0;
}

export async function soaSerial(port: number, origin: string): Promise<number> {
  const r = await exchange(port, queryMessage(newId(), origin, 'SOA'));
  const serial = rcodeOf(r) === 0 ? answerSoaSerial(r) : undefined;
  if (serial === undefined) throw new Error(`no SOA serial for ${origin} (rcode ${RCODES[rcodeOf(r)]})`);
  return serial;
}

/** `count` AXFRs one after the other, each on a new connection. */
export async function measureAxfr(t: Target, count: number): Promise<AxfrFigures> {
  const runs: Array<TransferResult & { othersCpuPct: number }> = [];
  for (let i = 0; i < count; i++) {
    const tree = new Set([...cpuSnapshot(t.proc.pid).keys(), process.pid]);
    const all0 = allCpuSnapshot();
    const r = await transfer(t.port, queryMessage(newId(), t.origin, 'AXFR'), false, t.proc.pid, TRANSFER_TIMEOUT_MS);
    // other users' processes meanwhile, in % of one core: the noise on a shared machine
    const othersCpuPct = foreignCpuDelta(all0, allCpuSnapshot(), tree) / (10 * r.ms);
    if (!r.lastIsSoa) throw new Error('AXFR did not end with a SOA');
    log(`${t.name} AXFR ${i + 1}/${count}: ${r.ms.toFixed(0)} ms, ${r.records} records in ${r.messages} messages, ${(r.bytes / 2 ** 20).toFixed(1)} MiB, server CPU ${r.serverCpuMs?.toFixed(0)} ms, client CPU ${r.clientCpuMs.toFixed(0)} ms, other processes ${othersCpuPct.toFixed(0)}% of a core`);
    runs.push({ ...r, othersCpuPct });
  }
  const first = runs[0]!;
  const consistent = runs.every((r) => r.records === first.records);
  return {
    runs: runs.map((r) => ({ ms: r.ms, serverCpuMs: r.serverCpuMs ?? NaN, clientCpuMs: r.clientCpuMs, othersCpuPct: r.othersCpuPct, messages: r.messages, records: r.records, bytes: r.bytes })),
    medianMs: median(runs.map((r) => r.ms)),
    minMs: Math.min(...runs.map((r) => r.ms)),
    medianServerCpuMs: median(runs.map((r) => r.serverCpuMs ?? NaN)),
    medianClientCpuMs: median(runs.map((r) => r.clientCpuMs)),
    records: consistent ? first.records : NaN,
    messages: first.messages,
    bytes: first.bytes,
    serial: first.serial ?? NaN,
  };
}

const addr = (i: number): string => `100.${64 + ((i >>> 16) & 63)}.${(i >>> 8) & 255}.${i & 255}`;

/**
 * `count` rounds of: one UPDATE adding `change` A records (one message), then an IXFR from the serial
 * before it, timed from the request to the closing SOA on an open connection.
 */
export async function measureIxfr(t: Target, count: number, change: number): Promise<IxfrFigures> {
  const runs: IxfrRun[] = [];
  const notes: string[] = [];
  for (let round = 0; round < count; round++) {
    const old = await soaSerial(t.port, t.origin);
    const adds: AddA[] = Array.from({ length: change }, (_, j) => ({ name: `ixfr-r${round}-${j}.${t.origin}`, ttl: 3600, address: addr(round * change + j) }));
    const u0 = performance.now();
    const resp = await exchange(t.port, updateMessage(newId(), t.origin, adds));
    const updateMs = performance.now() - u0;
    if (rcodeOf(resp) !== 0) throw new Error(`UPDATE of ${change} records: ${RCODES[rcodeOf(resp)] ?? rcodeOf(resp)}`);
    // the answer should follow the commit; poll in case a server answers first and publishes later
    let serial = await soaSerial(t.port, t.origin);
    const p0 = performance.now();
    while (serial === old && performance.now() - p0 < 5_000) {
      await sleep(2);
      serial = await soaSerial(t.port, t.origin);
    }
    const r = await transfer(t.port, ixfrQuery(newId(), t.origin, old), true, t.proc.pid, 60_000);
    const expected = change + 4; // SOA(new), SOA(old), SOA(new), the additions, SOA(new)
    if (!r.incremental) notes.push(`round ${round + 1}: IXFR answered with ${r.records} records, not a difference`);
    else if (r.records !== expected) notes.push(`round ${round + 1}: IXFR held ${r.records} records, expected ${expected}`);
    log(`${t.name} IXFR ${round + 1}/${count}: ${r.ms.toFixed(2)} ms, ${r.records} records, serial ${old} → ${r.serial} (UPDATE answered in ${updateMs.toFixed(1)} ms)`);
    runs.push({ ms: r.ms, serverCpuMs: r.serverCpuMs ?? NaN, records: r.records, bytes: r.bytes, incremental: r.incremental, fromSerial: old, toSerial: r.serial ?? NaN, updateMs });
  }
  return {
    change,
    runs,
    medianMs: median(runs.map((r) => r.ms)),
    minMs: Math.min(...runs.map((r) => r.ms)),
    medianUpdateMs: median(runs.map((r) => r.updateMs)),
    notes,
  };
}

function adds(label: string, count: number, origin: string): AddA[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${label}-${i}.${origin}`, ttl: 3600, address: addr(i) }));
}

/** Both the first and the last added record answer on the server (UDP). */
async function verify(t: Target, list: readonly AddA[]): Promise<boolean> {
  if (list.length === 0) return false;
  try {
    for (const a of [list[0]!, list[list.length - 1]!]) await waitForAnswer(t.port, a.name, 'A', expectA(a.address), 5_000, t.proc.exitReason);
    return true;
  } catch (e) {
    log(`${t.name}: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
}

const CPU_MARK = '__nsupdate_cpu_ticks__';
const PID_MARK = '__nsupdate_pid__';

/** Client processes running now (nsupdate), so xfr-run can end them by pid on SIGINT/SIGTERM. */
export const liveClients = new Set<number>();

/**
 * UPDATEs of one record each from one nsupdate batch of `count` "update add / send" pairs (it waits
 * for each answer before sending the next). Ended after `capSeconds` when not done: the updates
 * committed are then counted from the SOA serial (one commit per sequential UPDATE).
 */
export async function measureNsupdate(t: Target, count: number, tcp: boolean, dir: string, capSeconds: number): Promise<UpdateFigures> {
  const method = tcp ? 'nsupdate -v (TCP)' : 'nsupdate (UDP)';
  const list = adds(`nsu-${tcp ? 'tcp' : 'udp'}`, count, t.origin);
  const file = join(dir, `nsupdate-${t.name}-${tcp ? 'tcp' : 'udp'}.txt`);
  const lines = [`server 127.0.0.1 ${t.port}`, `zone ${t.origin}`];
  for (const a of list) lines.push(`update add ${a.name} ${a.ttl} A ${a.address}`, 'send');
  writeFileSync(file, lines.join('\n') + '\n');
  const [exe, args] = pinnedCommand(CLIENT_CPU, 'nsupdate', [...(tcp ? ['-v'] : []), file]);
  const serialBefore = await soaSerial(t.port, t.origin);
  const before = cpuSnapshot(t.proc.pid);
  const t0 = performance.now();
  // The shell reports nsupdate's pid (to end it at the cap), then its CPU time: the shell's
  // cutime/cstime (fields 16, 17 of /proc/$$/stat) once it has waited for it.
  const script = `"$@" & echo "${PID_MARK} $!" >&2; wait $!; rc=$?; echo "${CPU_MARK} $(cut -d' ' -f16,17 /proc/$$/stat)" >&2; exit $rc`;
  let capped = false;
  const { stderr, code } = await new Promise<{ stderr: string; code: number }>((resolve) => {
    const sh = spawn('sh', ['-c', script, 'sh', exe, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let errOut = '';
    let pid: number | undefined;
    const timer = setTimeout(() => {
      capped = true;
      try {
        if (pid !== undefined) process.kill(pid, 'SIGTERM');
      } catch {
        // it ended on its own meanwhile
      }
    }, capSeconds * 1000);
    sh.stderr.on('data', (d: Buffer) => {
      errOut += d.toString();
      const m = new RegExp(`${PID_MARK} (\\d+)`).exec(errOut);
      if (m && pid === undefined) liveClients.add((pid = Number(m[1])));
    });
    sh.on('close', (c) => {
      clearTimeout(timer);
      if (pid !== undefined) liveClients.delete(pid);
      resolve({ stderr: errOut, code: c ?? 1 });
    });
  });
  const ms = performance.now() - t0;
  const serverCpuMs = cpuDelta(before, cpuSnapshot(t.proc.pid)) / 1000;
  const m = new RegExp(`${CPU_MARK} (\\d+) (\\d+)`).exec(stderr);
  const clientCpuMs = m ? ((Number(m[1]) + Number(m[2])) * 1000) / CLK_TCK : NaN;
  const failures = stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(CPU_MARK) && !l.startsWith(PID_MARK) && !(capped && /^(sh: \d+: )?(Terminated|Killed)|^Communication with .* failed: /.test(l)));
  const serialAfter = await soaSerial(t.port, t.origin);
  const done = capped ? Math.min(count, (serialAfter - serialBefore) >>> 0) : count;
  const figures = await finishUpdates(t, method, list.slice(0, done), ms, serverCpuMs, clientCpuMs, serialBefore, serialAfter);
  return {
    ...figures,
    ...(capped ? { cappedAfterSeconds: capSeconds } : {}),
    command: `${shellQuote([exe, ...args])}   # ${count}× "update add … / send"${capped ? `, ended after ${capSeconds} s` : ''}`,
    // at the cap nsupdate is sent SIGTERM: it cancels the UPDATE in flight, says so and exits 2
    failures: (code === 0 || capped) && failures.length === 0 ? [] : [`exit ${code}`, ...failures.slice(0, 5)],
  };
}

/** `count` UPDATEs of one record each over one TCP connection, up to `depth` unanswered; none sent after `capSeconds`. */
export async function measurePipelined(t: Target, count: number, depth: number, capSeconds: number): Promise<UpdateFigures> {
  const list = adds('pipe', count, t.origin);
  const messages = list.map((a, i) => updateMessage(i & 0xffff, t.origin, [a]));
  const serialBefore = await soaSerial(t.port, t.origin);
  const before = cpuSnapshot(t.proc.pid);
  const r = await pipelined(t.port, messages, depth, capSeconds * 1000, TRANSFER_TIMEOUT_MS);
  const serverCpuMs = cpuDelta(before, cpuSnapshot(t.proc.pid)) / 1000;
  const serialAfter = await soaSerial(t.port, t.origin);
  const figures = await finishUpdates(t, `pipelined TCP (≤ ${depth} in flight)`, list.slice(0, r.sent), r.ms, serverCpuMs, r.clientCpuMs, serialBefore, serialAfter);
  const bad = Object.entries(r.rcodes).filter(([rc]) => rc !== '0');
  return {
    ...figures,
    ...(r.capped ? { cappedAfterSeconds: capSeconds } : {}),
    command: `bench/xfr-client.ts pipelined(): one TCP connection to 127.0.0.1:${t.port}, ${count} UPDATEs, ≤ ${depth} in flight${r.capped ? `, none sent after ${capSeconds} s` : ''}`,
    failures: bad.map(([rc, n]) => `${n}× ${RCODES[Number(rc)] ?? rc}`),
  };
}

async function finishUpdates(
  t: Target, method: string, list: readonly AddA[], ms: number, serverCpuMs: number, clientCpuMs: number, serialBefore: number, serialAfter: number,
): Promise<Omit<UpdateFigures, 'command' | 'failures'>> {
  const resolves = await verify(t, list);
  const f = {
    method,
    count: list.length,
    ms,
    perSecond: (1000 * list.length) / ms,
    serverCpuMs,
    serverCpuPct: (100 * serverCpuMs) / ms,
    serverUsPerUpdate: (1000 * serverCpuMs) / list.length,
    clientCpuPct: (100 * clientCpuMs) / ms,
    serialBefore,
    serialAfter,
    resolves,
  };
  log(`${t.name} ${method}: ${list.length} UPDATEs in ${ms.toFixed(0)} ms = ${f.perSecond.toFixed(0)}/s, server ${f.serverUsPerUpdate.toFixed(0)} µs CPU/update (${f.serverCpuPct.toFixed(0)}%), client CPU ${f.clientCpuPct.toFixed(0)}%, serial ${serialBefore} → ${serialAfter}, last record resolves: ${resolves}`);
  return f;
}
