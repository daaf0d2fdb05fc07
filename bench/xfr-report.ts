// Shapes of `.bench-out/xfr-results.json` and the tables `npm run bench:xfr` prints. Informational
// only: targets are marked met / MISSED, nothing fails on a miss.

import { f0, f1, f2, ratio, sizeLabel, table } from './report.js';
import type { RunStamp } from './proc.js';

export interface AxfrRun {
  readonly ms: number;
  readonly serverCpuMs: number;
  readonly clientCpuMs: number;
  /** CPU of every other user process on the machine during the transfer, % of one core (noise). */
  readonly othersCpuPct: number;
  readonly messages: number;
  readonly records: number;
  readonly bytes: number;
}

export interface AxfrFigures {
  readonly runs: readonly AxfrRun[];
  readonly medianMs: number;
  readonly minMs: number;
  readonly medianServerCpuMs: number;
  readonly medianClientCpuMs: number;
  /** Records in the transfer, both SOAs included (NaN when the runs disagreed). */
  readonly records: number;
  readonly messages: number;
  readonly bytes: number;
  readonly serial: number;
}

export interface IxfrRun {
  readonly ms: number;
  readonly serverCpuMs: number;
  readonly records: number;
  readonly bytes: number;
  readonly incremental: boolean;
  readonly fromSerial: number;
  readonly toSerial: number;
  /** The UPDATE that made the change: request → answer. */
  readonly updateMs: number;
}

export interface IxfrFigures {
  readonly change: number;
  readonly runs: readonly IxfrRun[];
  readonly medianMs: number;
  readonly minMs: number;
  readonly medianUpdateMs: number;
  readonly notes: readonly string[];
}

export interface UpdateFigures {
  readonly method: string;
  readonly count: number;
  readonly ms: number;
  readonly perSecond: number;
  readonly serverCpuMs: number;
  readonly serverCpuPct: number;
  readonly serverUsPerUpdate: number;
  readonly clientCpuPct: number;
  readonly serialBefore: number;
  readonly serialAfter: number;
  /** The first and the last added record answer afterwards. */
  readonly resolves: boolean;
  /** Set when the run was ended at the time cap (--update-seconds): `count` is what got committed by then. */
  readonly cappedAfterSeconds?: number;
  readonly command: string;
  readonly failures: readonly string[];
}

export interface ServerXfr {
  /** spawn → first authoritative SOA answer (meshdns: import into an empty LMDB). */
  startMs?: number;
  axfr?: AxfrFigures;
  ixfr?: IxfrFigures;
  updates: UpdateFigures[];
}

export interface XfrSizeResult {
  readonly names: number;
  readonly zoneFile: string;
  readonly zoneFileBytes: number;
  /** Records in the zone file (each once); an AXFR carries one more (the closing SOA). */
  readonly zoneFileRecords: number;
  readonly servers: Partial<Record<'knotd' | 'meshdns', ServerXfr>>;
  readonly commands: string[];
  /** Cross-checks that passed (e.g. both servers transferred the same record count). */
  readonly checks: string[];
  readonly errors: string[];
}

export interface XfrResults extends RunStamp {
  readonly sizes: XfrSizeResult[];
}

const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'n/a' : ok ? 'met' : 'MISSED');
const ms2 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '-' : x < 100 ? x.toFixed(2) : f0(x));

export function renderXfrSize(s: XfrSizeResult): string {
  const out: string[] = [];
  const label = sizeLabel(s.names);
  const k = s.servers.knotd;
  const m = s.servers.meshdns;
  out.push(`\n=== ${label} names — zone file ${f0(s.zoneFileBytes / 1024)} KiB, ${f0(s.zoneFileRecords)} records ===`);

  out.push(`\nAXFR over TCP (${label}): request → closing SOA, ${Math.max(k?.axfr?.runs.length ?? 0, m?.axfr?.runs.length ?? 0)} transfers each`);
  const axfrRow = (name: string, x: ServerXfr | undefined): string[] => {
    const a = x?.axfr;
    if (!a) return [name, '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-'];
    return [
      name, f0(a.medianMs), f0(a.minMs), a.runs.map((r) => f0(r.ms)).join(' / '), f0(a.records), f0(a.messages), f1(a.bytes / 2 ** 20),
      f0((1000 * a.records) / a.medianMs), f0(a.medianServerCpuMs), f0((100 * a.medianServerCpuMs) / a.medianMs), f0((100 * a.medianClientCpuMs) / a.medianMs),
      a.runs.map((r) => f0(r.othersCpuPct)).join(' / '),
    ];
  };
  out.push(table(
    ['server', 'median ms', 'min ms', 'all ms', 'records', 'messages', 'MiB', 'records/s', 'server CPU ms', 'server CPU %', 'client CPU %', 'noise: others %'],
    [axfrRow('knotd', k), axfrRow('meshdns', m)],
  ));
  const axMed = ratio(m?.axfr?.medianMs, k?.axfr?.medianMs);
  out.push(table(
    ['ratio (AXFR)', 'median time', 'min time', 'server CPU', 'target'],
    [['meshdns / knotd', f2(axMed), f2(ratio(m?.axfr?.minMs, k?.axfr?.minMs)), f2(ratio(m?.axfr?.medianServerCpuMs, k?.axfr?.medianServerCpuMs)),
      `median time ≤ 1.5: ${verdict(axMed === undefined ? undefined : axMed <= 1.5)}`]],
  ));

  const change = m?.ixfr?.change ?? k?.ixfr?.change ?? 10;
  out.push(`\nIXFR of a ${change}-record UPDATE (${label}): request → closing SOA on an open connection; one UPDATE + one IXFR per round`);
  const ixfrRow = (name: string, x: ServerXfr | undefined): string[] => {
    const i = x?.ixfr;
    if (!i) return [name, '-', '-', '-', '-', '-', '-', ''];
    return [
      name, ms2(i.medianMs), ms2(i.minMs), i.runs.map((r) => ms2(r.ms)).join(' / '), [...new Set(i.runs.map((r) => r.records))].join(', '),
      i.runs.every((r) => r.incremental) ? 'yes' : 'NO', ms2(i.medianUpdateMs), `< 10 ms: ${verdict(i.medianMs < 10)}`,
    ];
  };
  out.push(table(['server', 'median ms', 'min ms', 'all ms', 'records', 'incremental', 'UPDATE ms (median)', 'target'], [ixfrRow('knotd', k), ixfrRow('meshdns', m)]));

  out.push(`\nUPDATE throughput (${label}): one record per UPDATE message, each committed`);
  const rows: string[][] = [];
  for (const [name, x] of [['knotd', k], ['meshdns', m]] as const) {
    for (const u of x?.updates ?? []) {
      rows.push([
        name, u.method, `${f0(u.count)}${u.cappedAfterSeconds !== undefined ? ' (cap)' : ''}`, f1(u.ms / 1000), f0(u.perSecond), f0(u.serverUsPerUpdate), f0(u.serverCpuPct), f0(u.clientCpuPct),
        `+${f0(u.serialAfter - u.serialBefore)}`, u.resolves ? 'yes' : 'NO', u.failures.length === 0 ? '-' : u.failures.join('; '),
      ]);
    }
  }
  out.push(table(['server', 'client', 'updates', 'wall s', 'updates/s', 'server µs CPU/update', 'server CPU %', 'client CPU %', 'serial', 'last resolves', 'failures'], rows));
  const methods = [...new Set([...(k?.updates ?? []), ...(m?.updates ?? [])].map((u) => u.method))];
  out.push(table(
    ['ratio (UPDATE) meshdns / knotd', 'updates/s', 'server µs CPU/update'],
    methods.map((method) => {
      const ku = k?.updates.find((u) => u.method === method);
      const mu = m?.updates.find((u) => u.method === method);
      return [method, f2(ratio(mu?.perSecond, ku?.perSecond)), f2(ratio(mu?.serverUsPerUpdate, ku?.serverUsPerUpdate))];
    }),
  ));
  const nsBound = [...(k?.updates ?? []), ...(m?.updates ?? [])].filter((u) => u.method.startsWith('nsupdate') && u.clientCpuPct > 80);
  if ([...(k?.updates ?? []), ...(m?.updates ?? [])].some((u) => u.cappedAfterSeconds !== undefined)) {
    out.push('(cap): the run hit --update-seconds; "updates" is what was committed (answered) by then.');
  }
  if (nsBound.length > 0) out.push(`note: nsupdate used > 80% of its core in ${nsBound.length} run(s): there, the client limited updates/s; see the pipelined rows.`);

  if (k?.startMs !== undefined || m?.startMs !== undefined) out.push(`\nstart (spawn → SOA answers): knotd ${f0(k?.startMs)} ms (load), meshdns ${f0(m?.startMs)} ms (import into an empty LMDB)`);
  if (s.checks.length > 0) out.push(`\nChecks (${label}):\n` + s.checks.map((c) => `  - ${c}`).join('\n'));
  if (s.errors.length > 0) out.push(`\nErrors (${label}):\n` + s.errors.map((e) => `  - ${e}`).join('\n'));
  return out.join('\n');
}
