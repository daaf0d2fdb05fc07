import type { Logger } from 'pino';
import type { Readiness } from './admin/context.js';

/** How often readiness is looked at besides commits and reloads (a never-loaded zone's file removed commits nothing). */
const CHECK_MS = 2000;
/** Waiting zones named in one log line; the rest are counted. */
const NAMED_WAITING = 10;

export interface ReadinessLogSources {
  readiness(): Readiness;
  /** Zones that answer now (loaded, not expired). */
  answeringZones(): string[];
  /** Where the DNS listeners are, as `host:port` (`[v6]:port`). */
  addresses(): string[];
}

/**
 * Says "ready" in the log exactly when /readyz turns 200, and "not ready" when it turns 503, with
 * the real zone count and what is waiting. Nothing is said before the first zone sync is done
 * (/readyz is 503 until then).
 */
export class ReadinessLog {
  private ready: boolean | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pending = false;

  constructor(private readonly sources: ReadinessLogSources, private readonly log: Logger) {}

  /** The first zone sync is done: say where readiness stands, then follow it. */
  start(): void {
    this.check();
    this.timer = setInterval(() => this.check(), CHECK_MS);
    this.timer.unref();
  }

  /** Something that may move readiness happened (a commit, a reload): look once, soon. */
  changed(): void {
    if (this.timer === undefined || this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      if (this.timer !== undefined) this.check();
    });
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const r = this.sources.readiness();
    if (r.ready === this.ready) return;
    this.ready = r.ready;
    const zones = this.sources.answeringZones();
    const addresses = this.sources.addresses();
    if (r.ready) {
      const first = addresses[0];
      const at = first === undefined ? undefined : /^\[?(.*?)\]?:(\d+)$/.exec(first);
      const hint = zones.length === 0
        ? 'no zones yet: add <origin>.zone files to zoneDir, list zones in the config, or POST /api/v1/zones'
        : at ? `dig @${at[1]} -p ${at[2]} ${zones[0]} SOA` : undefined;
      this.log.info({ zones: zones.length, addresses, ...(hint ? { try: hint } : {}) }, 'ready');
      return;
    }
    this.log.warn({
      zones: zones.length, addresses, waiting: r.waiting.slice(0, NAMED_WAITING), waitingCount: r.waiting.length,
      ...(r.problems.length > 0 ? { problems: r.problems } : {}),
    }, `not ready: ${r.waiting.length} zone${r.waiting.length === 1 ? '' : 's'} waiting (GET /readyz or /api/v1/zones says why); loaded zones answer meanwhile`);
  }
}
