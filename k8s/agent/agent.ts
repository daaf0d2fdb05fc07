import { isGloballyReachable } from './global.js';
import { interfaceAddresses, interfaceFingerprint, keepGlobal, type InterfaceAddress } from './interfaces.js';
import type { StunOutcome } from './stun.js';

/**
 * The decision loop of `meshdns agent`: the node's globally reachable interface addresses, or when
 * it has none (a site behind NAT) the public address a STUN server sees, for the node annotation.
 * An interface poll hands the writer only a changed set; a refresh hands it the set either way, and
 * the writer patches only when the node's annotation differs. Everything it touches is injected, so
 * the loop is tested without a network, an API server or real time.
 */

/** `written`: the annotation was patched; `unchanged`: it already held these addresses. */
export type WriteResult = 'written' | 'unchanged';

/** Where the addresses go: the `meshdns.io/addresses` node annotation (node-annotation.ts). */
export interface AnnotationWriter {
  write(addresses: string[]): Promise<WriteResult>;
}

/** What one decision did (`meshdns agent --once` turns it into an exit status). */
export type DecisionOutcome = WriteResult | 'no-change' | 'unknown' | 'failed';

/** The public-address source, a `StunClient` in production. */
export interface PublicAddressSource {
  discover(): Promise<StunOutcome>;
}

export interface AgentClock {
  setInterval(run: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** The subset of a pino logger the agent uses. */
export interface AgentLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface AgentOptions {
  readonly writer: AnnotationWriter;
  readonly stun: PublicAddressSource;
  readonly log: AgentLog;
  readonly readInterfaces?: () => InterfaceAddress[];
  readonly clock?: AgentClock;
  /**
   * Full recomputation (STUN asked again when it is the source) that also hands an unchanged set to
   * the writer, which reads the node and patches only a different value: an annotation lost with a
   * re-registered Node object (or removed by hand) comes back within one refresh.
   */
  readonly refreshMs?: number;
  /** How often the interfaces are read and compared with the last reading. */
  readonly pollMs?: number;
}

const systemClock: AgentClock = {
  setInterval: (run, ms) => setInterval(run, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

export class NodeAddressAgent {
  private readonly readInterfaces: () => InterfaceAddress[];
  private readonly clock: AgentClock;
  private readonly refreshMs: number;
  private readonly pollMs: number;
  private timers: unknown[] = [];
  private fingerprint: string | undefined;
  private written: string[] | undefined;
  private running: Promise<void> | undefined;
  private rerun = false;
  private rerunVerifies = false;
  private stopping = false;

  constructor(private readonly options: AgentOptions) {
    this.readInterfaces = options.readInterfaces ?? (() => interfaceAddresses());
    this.clock = options.clock ?? systemClock;
    this.refreshMs = options.refreshMs ?? 60_000;
    this.pollMs = options.pollMs ?? 2_000;
    if (!(this.refreshMs > 0) || !(this.pollMs > 0)) {
      throw new RangeError(`agent intervals must be positive: refreshMs ${this.refreshMs}, pollMs ${this.pollMs}`);
    }
  }

  /** The last set written, or undefined before the first successful write. */
  get published(): readonly string[] | undefined {
    return this.written;
  }

  start(): void {
    if (this.timers.length > 0) return;
    this.stopping = false;
    this.timers = [
      this.clock.setInterval(() => void this.refresh(), this.refreshMs),
      this.clock.setInterval(() => this.poll(), this.pollMs),
    ];
    void this.refresh();
  }

  /** Stops the timers and waits for a decision in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) this.clock.clearInterval(timer);
    this.timers = [];
    this.rerun = false;
    this.rerunVerifies = false;
    await this.settled();
  }

  /** Resolves when no decision is running or queued. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Reads the interfaces and decides again when any address appeared or went away. */
  poll(): void {
    let addresses: InterfaceAddress[];
    try {
      addresses = this.readInterfaces();
    } catch (error) {
      this.options.log.warn({ err: error }, 'reading the network interfaces failed; keeping the last addresses');
      return;
    }
    if (interfaceFingerprint(addresses) !== this.fingerprint) void this.decide(false);
  }

  /** One decision that also has the writer check an unchanged set against the node. */
  refresh(): Promise<void> {
    return this.decide(true);
  }

  /** One decision; calls made while one runs are folded into a single rerun after it. */
  private decide(verify: boolean): Promise<void> {
    if (this.running) {
      this.rerun = true;
      this.rerunVerifies ||= verify;
      return this.running;
    }
    this.running = (async () => {
      let verifying = verify;
      do {
        this.rerun = false;
        await this.decideAndWrite(verifying);
        verifying = this.rerunVerifies;
        this.rerunVerifies = false;
      } while (this.rerun);
      this.running = undefined;
    })();
    return this.running;
  }

  /** One decision outside the timers (`--once`); waits for one in flight first. */
  async decideOnce(): Promise<DecisionOutcome> {
    await this.settled();
    return this.decideAndWrite(true);
  }

  private async decideAndWrite(verify: boolean): Promise<DecisionOutcome> {
    const addresses = await this.learn();
    // undefined: the addresses could not be learnt. The last value stays: a failed read or an
    // unanswered STUN request says nothing about the node's addresses, so it never empties the set.
    if (addresses === undefined) return 'unknown';
    const same = this.written !== undefined && sameSet(addresses, this.written);
    if (same && !verify) {
      this.options.log.debug({ addresses }, 'node addresses unchanged');
      return 'no-change';
    }
    try {
      const result = await this.options.writer.write([...addresses]);
      if (result === 'written') this.options.log.info({ addresses, previous: this.written ?? null }, same ? 'node addresses written again: the annotation had changed' : 'node addresses written');
      else if (same) this.options.log.debug({ addresses }, 'node addresses unchanged, and so is the annotation');
      else this.options.log.info({ addresses }, 'the node annotation already holds these addresses');
      this.written = addresses;
      return result;
    } catch (error) {
      // not remembered as written: the next refresh tries again
      const reason = error instanceof Error ? error.message : String(error);
      if (this.stopping) this.options.log.info({ addresses, reason }, 'stopped before the node addresses were written');
      else this.options.log.warn({ addresses, reason }, `writing the node addresses failed: ${reason}`);
      return 'failed';
    }
  }

  /** The addresses to publish, or undefined when they cannot be learnt now. */
  private async learn(): Promise<string[] | undefined> {
    let addresses: InterfaceAddress[];
    try {
      addresses = this.readInterfaces();
    } catch (error) {
      this.options.log.warn({ err: error }, 'reading the network interfaces failed; keeping the last addresses');
      return undefined;
    }
    this.fingerprint = interfaceFingerprint(addresses);
    const global = keepGlobal(addresses);
    if (global.length > 0) return global;
    let outcome: StunOutcome;
    try {
      outcome = await this.options.stun.discover();
    } catch (error) {
      this.options.log.warn({ err: error }, 'no global interface address and STUN failed; keeping the last addresses');
      return undefined;
    }
    if (!outcome.ok) {
      this.options.log.warn({ failures: outcome.failures }, 'no global interface address and no STUN answer; keeping the last addresses');
      return undefined;
    }
    // a STUN server inside the provider's NAT (CGNAT) reports a shared address: not worth publishing
    if (!isGloballyReachable(outcome.mapped.address)) {
      this.options.log.warn({ stun: { server: outcome.server, address: outcome.mapped.address } }, 'STUN reported an address that is not globally reachable; keeping the last addresses');
      return undefined;
    }
    return [outcome.mapped.address];
  }
}

function sameSet(sortedA: readonly string[], sortedB: readonly string[]): boolean {
  return sortedA.length === sortedB.length && sortedA.every((address, i) => address === sortedB[i]);
}
