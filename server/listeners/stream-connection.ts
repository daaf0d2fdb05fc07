import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { MessageHandler, TransportId } from '../transports.js';

/** A connection as the stream handling uses it: a duplex byte stream (net.Socket, tls.TLSSocket). */
export type StreamSocket = Duplex;

/** Why the server refused or closed a connection (the `reason` label of the TCP metrics). */
export type CloseReason = 'client_limit' | 'full' | 'evicted' | 'io_timeout' | 'idle_timeout' | 'write_stall';

/** What one connection is held to (StreamOptions with its defaults filled in). */
export interface ConnectionLimits {
  readonly idleTimeoutMs: number;
  readonly ioTimeoutMs: number;
  readonly maxUnsentBytes: number;
}

/** The service a connection belongs to: its idle list, its counts. */
export interface ConnectionOwner {
  /** Connections between messages, the longest idle first (a Set keeps insertion order). */
  readonly idle: Set<StreamConnection>;
  closedBy(reason: CloseReason, peer: string): void;
  pausedReading(): void;
  released(connection: StreamConnection): void;
}

/** Queries read on while a transfer streams (they are answered after it), before reading stops. */
const MAX_PENDING_WHILE_STREAMING = 256 * 1024;

/**
 * One connection (RFC 7766): 2-octet length framing, pipelined queries answered as they complete
 * (synchronously, so in order), answers written once per event-loop turn (see `flushAnswers`), and
 * the limits that keep a client from holding the server's memory or a connection slot:
 * - backpressure (§6.2.1): once the answers not yet taken by the kernel pass `maxUnsentBytes`,
 *   reading stops, mid-chunk if need be, until the socket drains;
 * - an idle timeout between messages (§6.2.3) that only a whole message resets, and an I/O
 *   deadline for one message from its first octet (Knot's tcp-idle-timeout and tcp-io-timeout):
 *   a client trickling octets cannot keep the connection;
 * - a write stall (the client reads nothing while answers wait, or a transfer cannot go on) is
 *   given the idle timeout, then the connection is closed.
 */
export class StreamConnection {
  /** Answers not yet written: length prefixes and messages, in order, and their octets. */
  private chunks: Buffer[] = [];
  private queuedBytes = 0;
  /** Octets read and not yet answered: a message begun, or the rest of a read held back. */
  private pending: Buffer | undefined;
  /** A message has begun and is not whole: the I/O deadline runs. */
  private inMessage = false;
  private streaming = false;
  /** Reading stopped until the unsent answers drain. */
  private backpressured = false;
  /** performance.now() when the connection last went idle (accepted, or its last whole message). */
  idleSince = performance.now();
  private readonly idleTimer: NodeJS.Timeout;
  private ioTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly socket: StreamSocket,
    readonly peer: string,
    /** What the per-client limit counts this connection against (clientKey). */
    readonly client: string,
    private readonly handler: MessageHandler,
    private readonly transport: TransportId,
    private readonly limits: ConnectionLimits,
    private readonly owner: ConnectionOwner,
  ) {
    this.idleTimer = setTimeout(this.onIdleTimer, limits.idleTimeoutMs).unref();
    owner.idle.add(this);
    socket.on('data', this.onData);
    socket.on('drain', this.onDrain);
    socket.on('error', () => socket.destroy());
    // a client that half-closes after its last queries still gets their answers: write them before
    // the socket's own 'end' listener shuts our side (allowHalfOpen: false)
    socket.prependListener('end', this.onEnd);
    socket.once('close', this.onClose);
  }

  /** Between messages, nothing in flight and nothing unsent: may be closed to make room (RFC 7766 §6.2.3). */
  get idle(): boolean {
    return !this.inMessage && !this.backpressured && !this.streaming && this.chunks.length === 0 && this.socket.writableLength === 0;
  }

  /** Answers not yet handed to the kernel (queued for this turn's write, and in the socket's buffer). */
  get unsentBytes(): number {
    return this.queuedBytes + this.socket.writableLength;
  }

  /** Reading is stopped until the client takes its answers. */
  get paused(): boolean {
    return this.backpressured;
  }

  close(reason: CloseReason): void {
    if (this.socket.destroyed) return;
    this.owner.closedBy(reason, this.peer);
    this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    this.pending = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    if (this.streaming || this.backpressured) {
      // read on once the transfer is done or the answers drained
      if (this.pending.length > MAX_PENDING_WHILE_STREAMING) this.socket.pause();
      return;
    }
    this.answerQueries(false);
  };

  private answerQueries(unbounded: boolean): void {
    const data = this.pending;
    this.pending = undefined;
    if (!data) return;
    let p = 0;
    let whole = false;
    const out = this.chunks;
    const queuedBefore = out.length;
    const room = unbounded ? Infinity : this.limits.maxUnsentBytes - this.socket.writableLength;
    while (data.length - p >= 2) {
      const len = data.readUInt16BE(p);
      if (data.length - p - 2 < len) break;
      const response = this.handler.handle(data.subarray(p + 2, p + 2 + len), this.transport, this.peer);
      p += 2 + len;
      whole = true;
      if (response === undefined) continue;
      if (response instanceof Uint8Array) {
        out.push(lengthPrefix(response.length), response);
        this.queuedBytes += 2 + response.length;
        // RFC 7766 §6.2.1: a client that does not read its answers must not have the server hold
        // them all; stop reading (the rest of this read waits in `pending`) until they drain
        if (this.queuedBytes > room) {
          this.pauseReading();
          break;
        }
        continue;
      }
      // a zone transfer: what came before goes first, then the stream; later queries wait for it
      this.flush();
      if (p < data.length) this.pending = Buffer.from(data.subarray(p));
      this.inMessage = false;
      void this.stream(response);
      return;
    }
    if (p < data.length) this.pending = Buffer.from(data.subarray(p));
    if (!this.backpressured) this.noteProgress(whole);
    if (queuedBefore === 0 && out.length > 0) queueForFlush(this);
  }

  /** After a read: start the I/O deadline when a message begins, the idle timeout when one ends. */
  private noteProgress(whole: boolean): void {
    if (this.pending !== undefined) {
      // the deadline runs from a message's first octet; octets of the same message do not move it
      if (whole || !this.inMessage) {
        this.inMessage = true;
        if (this.ioTimer) this.ioTimer.refresh();
        else this.ioTimer = setTimeout(this.onIoTimer, this.limits.ioTimeoutMs).unref();
        this.owner.idle.delete(this);
      }
      if (whole) this.idleTimer.refresh();
      return;
    }
    this.inMessage = false;
    if (whole) this.wentIdle();
  }

  private wentIdle(): void {
    this.idleTimer.refresh();
    this.idleSince = performance.now();
    // move to the end of the idle list: the longest idle stay first
    this.owner.idle.delete(this);
    this.owner.idle.add(this);
  }

  private pauseReading(): void {
    this.backpressured = true;
    this.inMessage = false;
    this.socket.pause();
    this.owner.idle.delete(this);
    this.owner.pausedReading();
    // from here the idle timer measures a write stall: the client has that long to read
    this.idleTimer.refresh();
  }

  /** Reads on after a drain or a transfer: the queries held back first. */
  private resumeReading(): void {
    this.backpressured = false;
    this.inMessage = false;
    this.socket.resume();
    if (this.pending) this.answerQueries(false);
    else this.wentIdle();
  }

  private readonly onIoTimer = (): void => {
    if (this.inMessage && !this.backpressured && !this.streaming) this.close('io_timeout');
  };

  private readonly onIdleTimer = (): void => {
    // a message being received is held to the I/O deadline instead
    if (this.inMessage && !this.backpressured && !this.streaming) return;
    this.close(this.backpressured || this.streaming ? 'write_stall' : 'idle_timeout');
  };

  private readonly onDrain = (): void => {
    // the client is reading: a large answer or a backlog going out is progress, not idleness
    this.idleTimer.refresh();
    if (this.backpressured && this.chunks.length === 0) this.resumeReading();
  };

  private readonly onEnd = (): void => {
    // the client has sent all it will: what it sent is answered now, whatever the bound (reading
    // stopped at the bound, so what is left is at most one read)
    if (!this.streaming && this.pending) {
      this.backpressured = false;
      this.answerQueries(true);
    }
    this.flush();
  };

  private readonly onClose = (): void => {
    clearTimeout(this.idleTimer);
    if (this.ioTimer) clearTimeout(this.ioTimer);
    this.owner.released(this);
  };

  /** Writes the queued answers in one write. */
  flush(): void {
    const chunks = this.chunks;
    if (chunks.length === 0) return;
    this.chunks = [];
    this.queuedBytes = 0;
    if (this.socket.destroyed) return;
    const more = this.socket.write(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    // the kernel took (nearly) all of it, so no 'drain' will come: read on now
    if (more && this.backpressured) this.resumeReading();
  }

  private async stream(messages: Iterable<Buffer>): Promise<void> {
    this.streaming = true;
    this.owner.idle.delete(this);
    this.idleTimer.refresh();
    try {
      for (const message of messages) {
        if (this.socket.destroyed) return;
        const more = this.socket.write(Buffer.concat([lengthPrefix(message.length), message]));
        this.idleTimer.refresh();
        // a client gone mid-transfer closes without 'drain' (or 'error'): stop rather than wait
        // forever with the transfer's LMDB snapshot held open; one that stops reading is closed
        // as a write stall
        if (!more) await drainedOrClosed(this.socket);
      }
    } catch {
      // a transfer that cannot finish must not look finished: drop the connection (RFC 5936 §4.2)
      this.socket.destroy();
      return;
    } finally {
      this.streaming = false;
    }
    this.resumeReading();
  }
}

/**
 * Connections with answers waiting. Every connection that was readable in this event-loop turn is
 * answered first, and the writes go out together afterwards (setImmediate runs after the turn's I/O
 * callbacks): a client reading many connections is woken once for the lot instead of once per
 * connection, which on loopback and in VMs (a wake-up is an interprocessor interrupt) is a large
 * share of the cost of an answer. Each connection still gets one write per turn. Shared by every
 * stream transport.
 */
let toFlush: StreamConnection[] = [];

function queueForFlush(connection: StreamConnection): void {
  if (toFlush.length === 0) setImmediate(flushAnswers);
  toFlush.push(connection);
}

function flushAnswers(): void {
  const batch = toFlush;
  toFlush = [];
  for (const connection of batch) connection.flush();
}

function drainedOrClosed(socket: StreamSocket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

function lengthPrefix(length: number): Buffer {
  const frame = Buffer.allocUnsafe(2);
  frame.writeUInt16BE(length, 0);
  return frame;
}
