import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { DEFAULTS } from '../config/defaults.js';
import type { MessageHandler, TransportId } from '../transports.js';
import { clientKey } from './client-key.js';
import { StreamConnection, type CloseReason, type ConnectionLimits, type ConnectionOwner, type StreamSocket } from './stream-connection.js';

export type { CloseReason, StreamSocket };

/**
 * DNS over a byte stream (RFC 7766; the same framing carries DoT, RFC 7858, and DoQ, RFC 9250
 * §4.2): 2-octet length framing, many queries per connection, pipelined queries answered as they
 * complete, backpressure, an idle timeout and an I/O deadline (stream-connection.ts), a cap on
 * connections and one per client. Any stream transport plugs in by handing each accepted
 * connection to `StreamService.accept`.
 */

export interface StreamOptions {
  /** Idle time between messages after which a connection is closed (RFC 7766 §6.2.3); only a whole message resets it. */
  idleTimeoutMs: number;
  /**
   * Time one message may take from its first octet (Knot's tcp-io-timeout); also how long a
   * connection is idle before it may be closed to make room for a new one. Default 2000.
   */
  ioTimeoutMs?: number;
  maxConnections: number;
  /** Connections from one client address (IPv6: one /64). Default 64. */
  maxConnectionsPerClient?: number;
  /** Answers not yet sent after which reading a connection stops until it drains (RFC 7766 §6.2.1). Default 256 KiB. */
  maxUnsentBytes?: number;
}

/** The optional StreamOptions when not given: the `tcp:` defaults of the config. */
export const STREAM_DEFAULTS = {
  ioTimeoutMs: 1000 * DEFAULTS.tcpIoTimeoutSeconds,
  maxConnectionsPerClient: DEFAULTS.tcpMaxConnectionsPerClient,
  maxUnsentBytes: DEFAULTS.tcpMaxUnsentBytes,
} as const;

/** Connections a StreamService refused or closed, by reason, and how often it stopped reading one. */
export class StreamCounters {
  readonly closed: Record<CloseReason, number> = { client_limit: 0, full: 0, evicted: 0, io_timeout: 0, idle_timeout: 0, write_stall: 0 };
  pausedReads = 0;

  static sum(all: Iterable<StreamCounters>): StreamCounters {
    const out = new StreamCounters();
    for (const c of all) {
      for (const reason of Object.keys(out.closed) as CloseReason[]) out.closed[reason] += c.closed[reason];
      out.pausedReads += c.pausedReads;
    }
    return out;
  }
}

/** Limits hit are logged at most this often, as one line with the counts since the last one. */
const LIMIT_LOG_INTERVAL_MS = 60_000;
/** Closings that mean a limit was hit (an idle timeout is the ordinary end of a connection). */
const LIMIT_REASONS: readonly CloseReason[] = ['client_limit', 'full', 'evicted', 'io_timeout', 'write_stall'];

/** The connections of one listener: what it caps, and the handler they feed. */
export class StreamService implements ConnectionOwner {
  readonly counters = new StreamCounters();
  readonly idle = new Set<StreamConnection>();
  private readonly all = new Set<StreamConnection>();
  private readonly perClient = new Map<string, number>();
  private readonly limits: ConnectionLimits;
  private readonly maxPerClient: number;
  private lastLimitLog = -Infinity;
  private readonly loggedCounts: Record<CloseReason, number> = { ...this.counters.closed };

  constructor(
    private readonly handler: MessageHandler,
    private readonly transport: TransportId,
    private readonly options: StreamOptions,
    private readonly log?: Logger,
  ) {
    this.limits = {
      idleTimeoutMs: options.idleTimeoutMs,
      ioTimeoutMs: options.ioTimeoutMs ?? STREAM_DEFAULTS.ioTimeoutMs,
      maxUnsentBytes: options.maxUnsentBytes ?? STREAM_DEFAULTS.maxUnsentBytes,
    };
    this.maxPerClient = options.maxConnectionsPerClient ?? STREAM_DEFAULTS.maxConnectionsPerClient;
  }

  /** Connections being served now. */
  get connections(): number {
    return this.all.size;
  }

  /** The connections being served now (for tests and status: unsent octets, paused reading). */
  connectionsNow(): Iterable<StreamConnection> {
    return this.all;
  }

  /**
   * Serves a new connection (true). Refused, closed at once (false): beyond the per-client limit,
   * or at the cap with no connection idle long enough to close instead (RFC 7766 §6.2.3: the one
   * idle the longest goes first).
   */
  accept(socket: StreamSocket, peer: string): boolean {
    const client = clientKey(peer);
    const fromClient = this.perClient.get(client) ?? 0;
    if (fromClient >= this.maxPerClient) return this.refuse(socket, 'client_limit', peer);
    if (this.all.size >= this.options.maxConnections && !this.evictIdle()) return this.refuse(socket, 'full', peer);
    this.perClient.set(client, fromClient + 1);
    this.all.add(new StreamConnection(socket, peer, client, this.handler, this.transport, this.limits, this));
    return true;
  }

  /**
   * Closes the connection idle the longest, if it has been idle for ioTimeout at least: a client
   * that just connected or just got its answer is given the time one message may take to send the
   * next, or a flood of new connections would close every other one before its first query.
   */
  private evictIdle(): boolean {
    const settled = performance.now() - this.limits.ioTimeoutMs;
    for (const c of this.idle) {
      if (c.idleSince > settled) return false;
      if (!c.idle) continue; // answers still going out
      c.close('evicted');
      this.released(c);
      return true;
    }
    return false;
  }

  private refuse(socket: StreamSocket, reason: CloseReason, peer: string): false {
    socket.on('error', () => undefined);
    socket.destroy();
    this.closedBy(reason, peer);
    return false;
  }

  closedBy(reason: CloseReason, peer: string): void {
    this.counters.closed[reason]++;
    if (!LIMIT_REASONS.includes(reason) || !this.log) return;
    const now = performance.now();
    if (now - this.lastLimitLog < LIMIT_LOG_INTERVAL_MS) return;
    this.lastLimitLog = now;
    const since: Partial<Record<CloseReason, number>> = {};
    for (const r of LIMIT_REASONS) {
      const n = this.counters.closed[r] - this.loggedCounts[r];
      if (n > 0) since[r] = n;
      this.loggedCounts[r] = this.counters.closed[r];
    }
    this.log.warn({ closed: since, last: { reason, client: peer } }, 'stream connection limits hit (at most one such line a minute)');
  }

  pausedReading(): void {
    this.counters.pausedReads++;
  }

  released(connection: StreamConnection): void {
    if (!this.all.delete(connection)) return;
    this.idle.delete(connection);
    const n = (this.perClient.get(connection.client) ?? 1) - 1;
    if (n > 0) this.perClient.set(connection.client, n);
    else this.perClient.delete(connection.client);
  }
}
