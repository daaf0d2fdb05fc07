// knotd for the benchmark: one zone, pinned to a CPU, one UDP and one TCP worker (it gets one core,
// like meshdns), no journal, no zone-file write-back, fresh storage in a temp dir.
//
// Kept in bench/ rather than reusing test/helpers/knotd.ts because the benchmark needs the pid (CPU
// time, RSS), the taskset pinning and the raw spawn instant (load time), which a test helper that
// returns {port, stop()} after readiness does not expose.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandOutput, spawnPinned, type Pinned } from './proc.js';

export interface KnotdOptions {
  readonly cpu: string;
  readonly port: number;
  readonly origin: string;
  readonly zoneFile: string;
  /**
   * `npm run bench:xfr`: an ACL letting 127.0.0.1 transfer and update the zone, and a journal of
   * changes (journal-content: changes) so an UPDATE can be served as IXFR. Off: no ACL, no journal.
   */
  readonly replication?: boolean;
}

export interface Knotd {
  readonly proc: Pinned;
  readonly confFile: string;
  stop(): Promise<void>;
}

export function knotdVersion(): string {
  return commandOutput('knotd', ['--version']);
}

export function startKnotd(o: KnotdOptions): Knotd {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-bench-knotd-'));
  const confFile = join(dir, 'knot.conf');
  writeFileSync(
    confFile,
    [
      'server:',
      `    rundir: "${dir}"`,
      `    listen: 127.0.0.1@${o.port}`,
      '    udp-workers: 1',
      '    tcp-workers: 1',
      '    background-workers: 1',
      'control:',
      `    listen: "${join(dir, 'knot.sock')}"`,
      'log:',
      '  - target: stderr',
      '    any: warning',
      'database:',
      `    storage: "${dir}"`,
      ...(o.replication ? ['acl:', '  - id: bench', '    address: 127.0.0.1', '    action: [transfer, update]'] : []),
      'template:',
      '  - id: default',
      `    storage: "${dir}"`,
      '    zonefile-sync: -1',
      '    zonefile-load: whole',
      `    journal-content: ${o.replication ? 'changes' : 'none'}`,
      '    semantic-checks: off',
      'zone:',
      `  - domain: ${o.origin}`,
      `    file: "${o.zoneFile}"`,
      ...(o.replication ? ['    acl: bench'] : []),
      '',
    ].join('\n'),
  );
  const proc = spawnPinned(o.cpu, 'knotd', ['-c', confFile]);
  return {
    proc,
    confFile,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
