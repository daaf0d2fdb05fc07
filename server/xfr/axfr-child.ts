import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ZoneLimits } from '../../zones/limits.js';
import type { JournalLimits } from '../../zones/store/journal.js';
import type { TsigKey } from '../tsig/keys.js';
import type { PrimaryEndpoint } from './primary-stream.js';
import { TransferError, type Primary } from './xfr-in.js';

/** What the AXFR child needs (the key's secret travels over the IPC channel, never to a log). */
export interface AxfrJob {
  parentPid: number;
  dataPath: string;
  origin: string;
  host: string;
  port: number;
  key: { name: string; algorithm: string; secret: string } | undefined;
  idleTimeoutMs: number | undefined;
  /** How to connect: transport and the TLS verification settings (plain data). */
  endpoint: PrimaryEndpoint;
  /** Provenance of the records: `xfr:<primary>`. */
  source: string;
  /** Our serial when this is a refresh: an older zone is refused. */
  ours: number | undefined;
  journalLimits: JournalLimits;
  limits: ZoneLimits;
}

export type AxfrWorkerMessage = { kind: 'done'; serial: number; added: number } | { kind: 'failed'; message: string };

/** Transfers a whole zone in a child process (axfr-worker.ts), committed there through the write door. */
export function axfrInChild(
  primary: Primary, origin: string, job: Omit<AxfrJob, 'parentPid' | 'origin' | 'host' | 'port' | 'key' | 'idleTimeoutMs' | 'endpoint'>,
): Promise<{ serial: number; added: number }> {
  const key = primary.key && keyForChild(primary.key);
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./axfr-worker.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    child.on('message', (msg: AxfrWorkerMessage) => {
      settled = true;
      if (msg.kind === 'done') resolve({ serial: msg.serial, added: msg.added });
      else reject(new TransferError(msg.message));
    });
    child.once('error', (err) => {
      if (!settled) reject(err);
    });
    child.once('exit', (code) => {
      if (!settled) reject(new TransferError(`the transfer process exited with code ${code}`));
    });
    child.send({
      ...job, parentPid: process.pid, origin, host: primary.host, port: primary.port, key, idleTimeoutMs: primary.idleTimeoutMs,
      endpoint: { host: primary.host, port: primary.port, transport: primary.transport, pin: primary.pin, caFile: primary.caFile, hostname: primary.hostname },
    } satisfies AxfrJob);
  });
}

function keyForChild(key: TsigKey): AxfrJob['key'] {
  return { name: key.nameText, algorithm: key.algorithm, secret: key.secret.toString('base64') };
}
