import type { Logger } from 'pino';

/** Lines per second per kind before the rest are counted instead of written. */
export const DEFAULT_LOG_LINES_PER_SECOND = 5;

interface KindState {
  second: number;
  written: number;
  suppressed: number;
  /** The logger of the last suppressed line: where its summary goes. */
  log: Logger | undefined;
}

/**
 * Rate-limited logging of per-packet problems (a refused NOTIFY, a failed TSIG check, a refused
 * transfer): each kind may write `perSecond` lines a second; the rest are counted, and one line
 * "suppressed N similar log lines" follows when the kind logs again or at `flush` (start.ts runs it
 * on a timer). A flood of bad packets then costs a few lines a second, not one line per packet.
 * Kinds are fixed strings of the code, so the map stays small.
 */
export class LogLimiter {
  /** Lines not written, over every kind (a metric). */
  suppressed = 0;
  private readonly kinds = new Map<string, KindState>();

  constructor(private readonly perSecond = DEFAULT_LOG_LINES_PER_SECOND, private readonly clock: () => number = Date.now) {}

  /** Whether a line of `kind` may be written to `log` now (the caller writes it). */
  allow(log: Logger, kind: string): boolean {
    const second = Math.floor(this.clock() / 1000);
    let state = this.kinds.get(kind);
    if (state === undefined) {
      state = { second, written: 0, suppressed: 0, log: undefined };
      this.kinds.set(kind, state);
    }
    if (state.second !== second) {
      this.summarize(kind, state);
      state.second = second;
      state.written = 0;
    }
    if (state.written < this.perSecond) {
      state.written++;
      return true;
    }
    state.suppressed++;
    state.log = log;
    this.suppressed++;
    return false;
  }

  /** Writes the summary of every kind that has suppressed lines not yet reported. */
  flush(): void {
    for (const [kind, state] of this.kinds) this.summarize(kind, state);
  }

  private summarize(kind: string, state: KindState): void {
    if (state.suppressed === 0 || state.log === undefined) return;
    state.log.warn({ kind, suppressed: state.suppressed }, `suppressed ${state.suppressed} similar log lines`);
    state.suppressed = 0;
  }
}
