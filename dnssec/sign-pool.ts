/**
 * Threads that sign a whole zone beside the thread that commits it (issue 13: a first load signs
 * with both cores). The commit stays synchronous: the signing thread hands batches of RRsets to
 * the pool through shared memory and waits for them with Atomics.wait, signing too meanwhile
 * (sign-pool-batch.ts, sign-pool-job.ts).
 *
 * Blocking a thread on Atomics.wait is only right off the query path, so there is no pool unless
 * the process says it may block: the zone loader process calls `useSignPool` (server/
 * zone-load-worker.ts); the server's own thread never does, and signs alone.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { JobMessage } from './sign-pool-worker.js';

/**
 * Records below which a zone is signed by the calling thread alone: starting the threads and
 * loading their keys costs a few tens of milliseconds, what one thread signs of ~1,000 RRsets.
 */
export const POOL_MIN_RECORDS = 5000;

export class SignPool {
  private readonly workers: Worker[] = [];
  private broken = false;

  /** `threads` signing threads in all: the caller and `threads - 1` workers. */
  constructor(readonly threads: number) {}

  /** Whether the pool has workers that can take a job. */
  get usable(): boolean {
    return this.threads > 1 && !this.broken;
  }

  /** Hands a job to every worker (started on first use); they sign until its STOP word is set. */
  post(message: JobMessage): void {
    while (this.workers.length < this.threads - 1) {
      const worker = new Worker(new URL('./sign-pool-worker.js', import.meta.url));
      // a worker that fails is noticed by the signing thread (items left unfinished); no new jobs then
      worker.on('error', () => { this.broken = true; });
      worker.on('exit', () => { this.broken = true; });
      worker.unref();
      this.workers.push(worker);
    }
    for (const worker of this.workers) worker.postMessage(message);
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    for (const worker of workers) worker.removeAllListeners('exit');
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

let configured: { threads: number; minRecords: number } | undefined;
let pool: SignPool | undefined;

/**
 * Lets whole-zone signing in this process use `threads` threads (default: the cores) for zones of
 * at least `minRecords` records. Only for a process (or thread) that answers no queries.
 */
export function useSignPool(threads = availableParallelism(), minRecords = POOL_MIN_RECORDS): void {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`sign threads must be a positive integer, not ${threads}`);
  configured = { threads, minRecords };
  if (pool && pool.threads !== threads) {
    void pool.close();
    pool = undefined;
  }
}

/** The pool to sign a zone of `records` records with; undefined: sign on the calling thread. */
export function signPoolFor(records: number): SignPool | undefined {
  if (!configured || configured.threads < 2 || records < configured.minRecords) return undefined;
  pool ??= new SignPool(configured.threads);
  return pool.usable ? pool : undefined;
}

/** Stops the pool's threads (tests; a process that exits needs not). */
export async function closeSignPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  configured = undefined;
  await p?.close();
}
