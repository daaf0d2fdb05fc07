// meshdns for the benchmark: the real CLI, pinned to a CPU, on one zone directory and a data dir.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnPinned, type Pinned } from './proc.js';

export interface MeshdnsOptions {
  readonly root: string;
  readonly cpu: string;
  readonly port: number;
  readonly zoneDir: string;
  readonly dataDir: string;
  /** When set, run node with --cpu-prof and write the profile there (written on a clean exit). */
  readonly cpuProfDir?: string | undefined;
  /** A config file (--config) for what has no flag, e.g. the ACLs of `npm run bench:xfr`. */
  readonly configFile?: string | undefined;
}

export function meshdnsCli(root: string): string {
  return join(root, 'dist', 'server', 'cli.js');
}

export function meshdnsAvailable(root: string): boolean {
  return existsSync(meshdnsCli(root));
}

let helpText: string | undefined;

/**
 * Flags the bench adds beyond the contract when this build knows them: the admin API (default
 * 127.0.0.1:8053) moves to an ephemeral port, so a meshdns run by someone else cannot make the bench's
 * fail to bind — it still starts, so its startup cost stays in the figures.
 */
function extraArgs(root: string): string[] {
  if (helpText === undefined) {
    const r = spawnSync(process.execPath, [meshdnsCli(root), '--help'], { encoding: 'utf8', timeout: 30_000 });
    helpText = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  }
  return helpText.includes('--admin-listen') ? ['--admin-listen', '127.0.0.1:0'] : [];
}

export function startMeshdns(o: MeshdnsOptions): Pinned {
  const nodeFlags = o.cpuProfDir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', o.cpuProfDir] : [];
  return spawnPinned(o.cpu, process.execPath, [
    ...nodeFlags,
    meshdnsCli(o.root),
    'serve',
    ...(o.configFile !== undefined ? ['--config', o.configFile] : []),
    '--listen', `127.0.0.1:${o.port}`,
    '--zone-dir', o.zoneDir,
    '--data', o.dataDir,
    '--log-level', 'info', // the "listening" and "ready" lines are info; nothing on the query path logs at info
    ...extraArgs(o.root),
  ]);
}

/** The contract says {"msg":"ready"}; early builds log "ready; try: dig ..." — accept both. */
export const isReady = (l: Record<string, unknown>): boolean => typeof l['msg'] === 'string' && /^ready\b/.test(l['msg']);
export const isListening = (l: Record<string, unknown>): boolean => l['msg'] === 'listening';
