import { NODE_ADDRESSES_ANNOTATION } from '../records/annotations.js';
import type { AgentLog, AnnotationWriter, WriteResult } from './agent.js';
import { compareAddresses } from './global.js';

/**
 * The agent's output: the node's addresses in one annotation, `meshdns.io/addresses` by default,
 * comma-separated and sorted (IPv4 first, numerically), read back by the watcher's node records
 * (k8s/records/node.ts, with `commaList`). The node is read first and patched only when the value
 * differs, so a restarted agent does not write an unchanged annotation.
 */

export const DEFAULT_ANNOTATION = NODE_ADDRESSES_ANNOTATION;

/** The two API calls the writer makes; kube-node-api.ts implements them over k8s/client. */
export interface NodeApi {
  /** The annotation's current value on the node (undefined when absent); throws when the node cannot be read. */
  readAnnotation(node: string, key: string): Promise<string | undefined>;
  /** A JSON merge patch (RFC 7386) of the one annotation. */
  patchAnnotation(node: string, key: string, value: string): Promise<void>;
}

/** Why an API call failed, in one line an operator can act on (kube-node-api.ts's errors carry one). */
export function failureReason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface RetryPolicy {
  /** The first wait after a failure; it doubles after each further failure. */
  readonly initialMs: number;
  readonly maxMs: number;
  /** Attempts in all before the write gives up (Infinity: until it works or the writer is closed). */
  readonly attempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialMs: 1_000, maxMs: 60_000, attempts: Infinity };

/** The annotation value for a set of addresses: what `commaList` splits back into the same set. */
export function formatAddresses(addresses: readonly string[]): string {
  return [...new Set(addresses)].sort(compareAddresses).join(',');
}

export interface NodeAnnotationWriterOptions {
  readonly api: NodeApi;
  readonly node: string;
  readonly annotation?: string;
  readonly log: AgentLog;
  readonly retry?: RetryPolicy;
}

export class NodeAnnotationWriter implements AnnotationWriter {
  private readonly annotation: string;
  private readonly retry: RetryPolicy;
  private closed = false;
  private readonly waits = new Set<() => void>();

  constructor(private readonly options: NodeAnnotationWriterOptions) {
    this.annotation = options.annotation ?? DEFAULT_ANNOTATION;
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  /**
   * Writes the addresses, retrying with exponential backoff: a node not yet registered, RBAC not
   * yet granted and an API server away are all states that end by themselves, so every failure is
   * logged with its reason and tried again. Rejects only when the attempts run out or on close().
   */
  async write(addresses: string[]): Promise<WriteResult> {
    const value = formatAddresses(addresses);
    let delay = this.retry.initialMs;
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new Error('the agent is stopping');
      try {
        return await this.writeOnce(value);
      } catch (error) {
        const reason = failureReason(error);
        if (attempt >= this.retry.attempts || this.closed) throw error instanceof Error ? error : new Error(reason);
        this.options.log.warn(
          { annotation: this.annotation, value, attempt, retryInMs: delay, reason },
          `writing the node annotation failed: ${reason}; retrying in ${formatDelay(delay)}`,
        );
        await this.wait(delay);
        delay = Math.min(delay * 2, this.retry.maxMs);
      }
    }
  }

  /** Ends a backoff wait at once (the write in progress then rejects) and refuses further writes. */
  close(): void {
    this.closed = true;
    for (const wake of this.waits) wake();
    this.waits.clear();
  }

  private async writeOnce(value: string): Promise<WriteResult> {
    const current = await this.options.api.readAnnotation(this.options.node, this.annotation);
    if (current === value) return 'unchanged';
    await this.options.api.patchAnnotation(this.options.node, this.annotation, value);
    return 'written';
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waits.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waits.add(wake);
    });
  }
}

function formatDelay(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
