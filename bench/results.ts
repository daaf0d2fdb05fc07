// Shapes of what one benchmark run records (also the layout of .bench-out/results.json).

import type { DnsperfResult } from './dnsperf.js';
import type { Memory, RunStamp } from './proc.js';

export type ServerName = 'raw-dgram' | 'raw-lookup' | 'knotd' | 'meshdns' | 'meshdns-dgram';
export type Proto = 'udp' | 'tcp';

/** The warm-up: one pass over the query file (capped by --warmup seconds), right after start. */
export interface WarmUp {
  readonly dnsperf: DnsperfResult;
  readonly cpuMicrosPerQuery: number;
  /** Share of the query file the warm-up got through (1 = a whole pass). */
  readonly passFraction: number;
}

export interface LoadRun {
  readonly server: ServerName;
  readonly proto: Proto;
  readonly warmUp?: WarmUp;
  /** The measured run, after the warm-up (the best by QPS when --repeat > 1). */
  readonly dnsperf: DnsperfResult;
  /** QPS of every measured run (--repeat runs, plus any reruns of noisy ones). */
  readonly allQps: readonly number[];
  /** Measured runs repeated because steal or other processes passed the noise thresholds (absent in older results files). */
  readonly noisyReruns?: number;
  /** utime+stime of the server's process tree during the measured run. */
  readonly cpuMicros: number;
  readonly cpuMicrosPerQuery: number;
  /** Server CPU over dnsperf's run time; well under 100% means the server was not the bottleneck. */
  readonly serverCpuPct: number;
  /** CPU used meanwhile by every other user process on the machine (other engineers' work, in % of one core). */
  readonly otherProcsCpuPct: number;
  /** Hypervisor steal on the server's CPU during the run, %. */
  readonly serverCpuStealPct: number;
  /** The same on dnsperf's CPU: a starved client offers fewer queries (absent in older results files). */
  readonly clientCpuStealPct?: number;
}

/** The noise warning's thresholds: a run past them is rerun (--noisy-reruns) and flagged if it stays noisy. */
export const NOISE = { otherProcsCpuPct: 10, stealPct: 5 } as const;

export function isNoisy(r: { otherProcsCpuPct: number; serverCpuStealPct: number; clientCpuStealPct?: number | undefined }): boolean {
  return r.otherProcsCpuPct > NOISE.otherProcsCpuPct || r.serverCpuStealPct > NOISE.stealPct || (r.clientCpuStealPct ?? 0) > NOISE.stealPct;
}

export interface Startup {
  /** knotd: spawn → first authoritative SOA answer (zone file parsed and loaded). */
  knotdLoadMs?: number;
  /** knotd: spawn → first correct answer to the probe name (it re-reads the zone file). */
  knotdRestartMs?: number;
  /** meshdns, empty data dir: spawn → {"msg":"ready"}. */
  meshdnsImportReadyMs?: number;
  /** meshdns, empty data dir: spawn → first correct answer to the probe name. */
  meshdnsImportFirstAnswerMs?: number;
  /** meshdns, zone already in LMDB: spawn → first correct answer to the probe name. */
  meshdnsRestartFirstAnswerMs?: number;
  /** meshdns, zone already in LMDB: spawn → {"msg":"ready"}. */
  meshdnsRestartReadyMs?: number;
}

export interface SizeResult {
  readonly names: number;
  readonly queries: number;
  readonly queryMix: Readonly<Record<string, number>>;
  readonly zoneFile: string;
  readonly zoneFileBytes: number;
  readonly probe: { readonly name: string; readonly address: string };
  readonly runs: LoadRun[];
  readonly startup: Startup;
  /** VmRSS after the load runs: knotd, meshdns (the process that imported), meshdns-restarted (started from LMDB, after a short UDP load). */
  readonly memory: Partial<Record<ServerName | 'meshdns-restarted', Memory>>;
  /** Every command line used, in order, so the numbers can be reproduced by hand. */
  readonly commands: string[];
  readonly errors: string[];
}

export interface BenchResults extends RunStamp {
  readonly sizes: SizeResult[];
}
