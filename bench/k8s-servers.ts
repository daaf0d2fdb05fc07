// `npm run bench:k8s`: meshdns with the Kubernetes watcher (the real CLI, a config file, a fresh LMDB
// folder, an unrelated zone file for the stall probe) and a knotd secondary of the watcher's zone.
// Neither is pinned to a core: they share the machine with kube-apiserver and etcd, as in a cluster.
//
// The watcher's zone is not in zones[], so what applies to it is defaults: `defaults.acl` lets
// 127.0.0.1 transfer it (knotd, and the bench's `dig AXFR`), `defaults.notify` sends every commit's
// NOTIFY to knotd. knotd lets 127.0.0.1 NOTIFY it and keeps a journal so it can follow by IXFR.

import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { meshdnsCli } from './meshdns.js';
import { spawnPinned, type Pinned } from './proc.js';

const ALL_CPUS = `0-${Math.max(0, cpus().length - 1)}`;
export const PROBE_ZONE = 'probe.test.';
export const PROBE_NAME = `www.${PROBE_ZONE}`;

export interface MeshdnsK8sOptions {
  root: string;
  dir: string;
  port: number;
  adminPort: number;
  knotdPort: number;
  kubeconfig: string;
  zone: string;
  debounce: string;
  /** limits.recordsPerRRset; undefined: meshdns's default (1,000). */
  rrsetLimit: number | undefined;
  cpuProfDir?: string | undefined;
}

export interface LogLine {
  at: number;
  line: Record<string, unknown>;
}

export interface MeshdnsK8s {
  proc: Pinned;
  /** Every `kubernetes: …` log line with the performance.now() it was read at. */
  readonly kubeLines: LogLine[];
  /** GET on the admin API, parsed JSON. */
  api(path: string): Promise<unknown>;
  stop(): Promise<void>;
}

export function meshdnsConfig(o: MeshdnsK8sOptions): string {
  return [
    'acls:',
    '  - name: loopback',
    '    address: [127.0.0.1/32]',
    '    action: [transfer]',
    'defaults:',
    '  acl: [loopback]',
    `  notify: [{address: "127.0.0.1:${o.knotdPort}"}]`,
    // every Ready node's address sits in one RRset at nodes.names (www): 2,000 nodes need more than
    // the default limit of 1,000 records per RRset
    ...(o.rrsetLimit === undefined ? [] : ['limits:', `  recordsPerRRset: ${o.rrsetLimit}`]),
    'kubernetes:',
    `  kubeconfig: ${JSON.stringify(o.kubeconfig)}`,
    `  zones: [${o.zone}]`,
    '  sources: [service, ingress, node, endpointslice, dnsendpoint]',
    '  defaultTtl: 30',
    '  nodes:',
    '    labelSelector: "serve-public=true"',
    `    names: [www.${o.zone}]`,
    `    perNode: "{name}.nodes.${o.zone}"`,
    '    addressTypes: [ExternalIP, annotation]',
    `  debounce: ${o.debounce}`,
    '',
  ].join('\n');
}

export function startMeshdnsK8s(o: MeshdnsK8sOptions): MeshdnsK8s {
  rmSync(o.dir, { recursive: true, force: true });
  const zoneDir = join(o.dir, 'zones');
  mkdirSync(zoneDir, { recursive: true });
  writeFileSync(join(zoneDir, `${PROBE_ZONE}zone`), [
    `$ORIGIN ${PROBE_ZONE}`, '$TTL 300',
    `@ SOA ns.${PROBE_ZONE} hostmaster.${PROBE_ZONE} 1 3600 600 604800 300`,
    `@ NS ns.${PROBE_ZONE}`, 'ns A 192.0.2.1', 'www A 192.0.2.80', '',
  ].join('\n'));
  const configFile = join(o.dir, 'meshdns.yaml');
  writeFileSync(configFile, meshdnsConfig(o));
  const nodeFlags = o.cpuProfDir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', o.cpuProfDir] : [];
  const proc = spawnPinned(ALL_CPUS, process.execPath, [
    ...nodeFlags, meshdnsCli(o.root), 'serve', '--config', configFile,
    '--listen', `127.0.0.1:${o.port}`, '--zone-dir', zoneDir, '--data', join(o.dir, 'data'),
    '--admin-listen', `127.0.0.1:${o.adminPort}`, '--log-level', 'info',
  ]);
  const kubeLines: LogLine[] = [];
  createInterface({ input: proc.child.stdout! }).on('line', (text) => {
    if (!text.includes('"kubernetes:')) return;
    const at = performance.now();
    try {
      kubeLines.push({ at, line: JSON.parse(text) as Record<string, unknown> });
    } catch {
      // not a JSON line
    }
  });
  return {
    proc,
    kubeLines,
    async api(path) {
      const response = await fetch(`http://127.0.0.1:${o.adminPort}${path}`);
      return response.json();
    },
    stop: () => proc.stop(),
  };
}

export interface KnotdSecondary {
  proc: Pinned;
  stop(): Promise<void>;
}

/** knotd as a secondary of `zone` from meshdns at `primaryPort`: NOTIFY from 127.0.0.1, IXFR with a journal. */
export function startKnotdSecondary(dir: string, port: number, primaryPort: number, zone: string): KnotdSecondary {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'knot.conf');
  writeFileSync(conf, [
    'server:',
    `    rundir: "${dir}"`,
    `    listen: 127.0.0.1@${port}`,
    '    udp-workers: 1',
    '    tcp-workers: 1',
    '    background-workers: 1',
    'log:',
    '  - target: stderr',
    '    any: info',
    'database:',
    `    storage: "${dir}"`,
    'remote:',
    '  - id: meshdns',
    `    address: 127.0.0.1@${primaryPort}`,
    'acl:',
    '  - id: notify-in',
    '    address: 127.0.0.1',
    '    action: notify',
    'template:',
    '  - id: default',
    `    storage: "${dir}"`,
    '    zonefile-sync: -1',
    '    zonefile-load: none',
    '    journal-content: changes',
    '    semantic-checks: off',
    'zone:',
    `  - domain: ${zone}`,
    '    master: meshdns',
    '    acl: notify-in',
    '',
  ].join('\n'));
  const proc = spawnPinned(ALL_CPUS, 'knotd', ['-c', conf]);
  return {
    proc,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** VmRSS and VmHWM (peak) of a process, MiB. */
export function rssMiB(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
}

const run = promisify(execFile);

/** The zone by `dig AXFR`: its SOA serial and how many records each name pattern holds. */
export async function axfr(port: number, zone: string): Promise<{ serial: number; records: number; byName: (pattern: RegExp) => number }> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), zone, 'AXFR', '+noall', '+answer', '+nocmd'], { maxBuffer: 256 * 1024 * 1024 });
  const lines = stdout.split('\n').filter((l) => l.length > 0 && !l.startsWith(';'));
  const soa = lines.find((l) => /\sSOA\s/.test(l));
  const serial = Number(soa?.split(/\s+/)[6] ?? Number.NaN);
  const records = lines.length - 1; // the closing SOA repeats the first
  return { serial, records, byName: (pattern) => lines.filter((l) => pattern.test(l.split(/\s/)[0] ?? '')).length };
}
