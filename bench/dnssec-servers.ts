// The two signers of `npm run bench:dnssec`, with the same policy: ECDSA P-256 (13), one CSK,
// NSEC or NSEC3 (0 iterations, no salt: RFC 9276), 1 or 2 signing threads, and 127.0.0.1 allowed
// to UPDATE. knotd: `dnssec-signing: on` with a policy (single-type-signing, signing-threads);
// meshdns: the real CLI with a policy in its config, the zone file big enough (> 4 MiB) to load in
// the loader process, whose sign pool gets MESHDNS_SIGN_THREADS threads.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshdns } from './meshdns.js';
import { spawnPinned, type Pinned } from './proc.js';

export interface SignerOptions {
  readonly root: string;
  /** CPUs the server may use (taskset): one per signing thread. */
  readonly cpus: string;
  readonly port: number;
  readonly origin: string;
  readonly zoneDir: string;
  readonly zoneFile: string;
  readonly denial: 'nsec' | 'nsec3';
  readonly threads: number;
}

export interface Signer {
  readonly proc: Pinned;
  /** What was run, for the report. */
  readonly describe: string;
  stop(): Promise<void>;
}

export function startKnotdSigner(o: SignerOptions): Signer {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-bench-knotd-dnssec-'));
  const confFile = join(dir, 'knot.conf');
  writeFileSync(confFile, [
    'server:',
    `    rundir: "${dir}"`,
    `    listen: 127.0.0.1@${o.port}`,
    '    udp-workers: 1',
    '    tcp-workers: 1',
    '    background-workers: 1',
    'log:',
    '  - target: stderr',
    '    any: info',
    'database:',
    `    storage: "${dir}"`,
    'acl:',
    '  - id: bench',
    '    address: 127.0.0.1',
    '    action: update',
    'policy:',
    '  - id: bench',
    '    algorithm: ecdsap256sha256',
    '    single-type-signing: on',
    `    nsec3: ${o.denial === 'nsec3' ? 'on' : 'off'}`,
    '    nsec3-iterations: 0',
    '    nsec3-salt-length: 0',
    `    signing-threads: ${o.threads}`,
    'template:',
    '  - id: default',
    `    storage: "${dir}"`,
    '    zonefile-sync: -1',
    '    zonefile-load: whole',
    '    journal-content: none', // a 1M-name zone's signing changeset overflows the default journal: knotd then never serves the zone
    '    semantic-checks: off',
    'zone:',
    `  - domain: ${o.origin}`,
    `    file: "${o.zoneFile}"`,
    '    dnssec-signing: on',
    '    dnssec-policy: bench',
    '    acl: bench',
    '',
  ].join('\n'));
  const proc = spawnPinned(o.cpus, 'knotd', ['-c', confFile]);
  return {
    proc,
    describe: `${proc.commandLine}   # policy: ecdsap256sha256, single-type-signing, nsec3 ${o.denial === 'nsec3' ? 'on' : 'off'} (0 iterations, no salt), signing-threads ${o.threads}; journal-content none; acl update 127.0.0.1`,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function startMeshdnsSigner(o: SignerOptions): Signer {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-bench-dnssec-'));
  const configFile = join(dir, 'meshdns.yaml');
  writeFileSync(configFile, [
    '# written by bench/dnssec-servers.ts',
    'policies:',
    '  - name: bench',
    '    algorithm: ecdsap256sha256',
    '    keys: csk',
    `    denial: ${o.denial}`,
    '    nsec3: {iterations: 0, saltLength: 0, optOut: false}',
    'acls:',
    '  - name: bench',
    '    address: [127.0.0.1]',
    '    action: [update]',
    'defaults:',
    '  dnssec: bench',
    '  acl: [bench]',
    '',
  ].join('\n'));
  process.env['MESHDNS_SIGN_THREADS'] = String(o.threads); // the server's environment is this process's
  const proc = startMeshdns({ root: o.root, cpu: o.cpus, port: o.port, zoneDir: o.zoneDir, dataDir: join(dir, 'data'), configFile });
  return {
    proc,
    describe: `MESHDNS_SIGN_THREADS=${o.threads} ${proc.commandLine}   # policy: ecdsap256sha256, csk, ${o.denial} (0 iterations, no salt); acl update 127.0.0.1`,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
