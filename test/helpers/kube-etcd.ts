// Debian's etcd-server (3.4) on loopback ports for the test API server, with its data in a folder
// of the caller's (fresh per start).
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { findFreePort } from './knotd.js';
import { pollUntil, startHarnessChild, type HarnessChild } from './kube-process.js';

export interface TestEtcd {
  readonly clientUrl: string;
  readonly child: HarnessChild;
  /** Resolves when /health answers true. */
  ready(): Promise<void>;
  /** Compacts the key space to the current revision (physically); resolves with that revision. */
  compact(): Promise<number>;
}

/** Debian's /usr/bin/etcd, or env MESHDNS_ETCD. */
function requireEtcd(): string {
  const etcd = process.env['MESHDNS_ETCD'] ?? 'etcd';
  const probe = spawnSync(etcd, ['--version'], { stdio: 'ignore' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(`${etcd} is not installed: apt-get install -y etcd-server (.ci/run installs it)`);
  }
  return etcd;
}

/** A POST to etcd's JSON gateway (int64 fields come back as strings). */
async function gateway(clientUrl: string, route: string, body: object): Promise<Record<string, unknown>> {
  const response = await fetch(`${clientUrl}/v3/${route}`, { method: 'POST', body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`etcd ${route}: HTTP ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export async function startEtcd(dir: string): Promise<TestEtcd> {
  const etcd = requireEtcd();
  const [clientPort, peerPort] = await Promise.all([findFreePort(), findFreePort()]);
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const dataDir = path.join(dir, 'etcd');
  await mkdir(dataDir, { mode: 0o700 });
  const child = startHarnessChild(etcd, [
    '--name', 'test',
    '--data-dir', dataDir,
    '--listen-client-urls', clientUrl,
    '--advertise-client-urls', clientUrl,
    '--listen-peer-urls', peerUrl,
    '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `test=${peerUrl}`,
    '--initial-cluster-state', 'new',
    '--logger', 'zap',
    '--log-level', 'warn',
  ], path.join(dir, 'etcd.log'));

  const healthy = async (): Promise<boolean> => {
    if (!child.alive()) throw new Error(`etcd exited: ${child.logTail()}`);
    try {
      const response = await fetch(`${clientUrl}/health`);
      return response.ok && ((await response.json()) as { health?: string }).health === 'true';
    } catch {
      return false;
    }
  };
  return {
    clientUrl,
    child,
    ready: () => pollUntil(healthy, 20_000, () => `etcd not healthy within 20 s: ${child.logTail()}`, 20),
    async compact() {
      const status = await gateway(clientUrl, 'maintenance/status', {});
      const revision = Number((status['header'] as { revision: string }).revision);
      await gateway(clientUrl, 'kv/compaction', { revision: String(revision), physical: true });
      return revision;
    },
  };
}
