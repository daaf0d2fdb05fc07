import type { Duplex } from 'node:stream';
import type { MessageHandler, TransportId } from '../transports.js';

/**
 * DNS over a byte stream (RFC 7766; the same framing carries DoT, RFC 7858, and DoQ, RFC 9250
 * §4.2): 2-octet length framing, many queries per connection, pipelined queries answered as they
 * complete (synchronously, so in order), an idle timeout, a cap on connections. Any stream
 * transport plugs in by handing each accepted connection to `StreamService.accept`.
 */

export interface StreamOptions {
  /** Idle time after which a connection is closed (RFC 7766 §6.2.3). */
  idleTimeoutMs: number;
  maxConnections: number;
}

/** A connection as the stream handling uses it: a duplex byte stream with an idle timer (net.Socket, tls.TLSSocket). */
export interface StreamSocket extends Duplex {
  setTimeout(timeout: number, callback?: () => void): this;
}

/** The connections of one listener: what it caps, and the handler they feed. */
export class StreamService {
  private open = 0;
  private readonly closed = (): void => {
    this.open--;
  };

  constructor(
    private readonly handler: MessageHandler,
    private readonly transport: TransportId,
    private readonly options: StreamOptions,
  ) {}

  /** Connections being served now. */
  get connections(): number {
    return this.open;
  }

  /** Serves a new connection; beyond the cap it is closed at once (false). */
  accept(socket: StreamSocket, peer: string): boolean {
    if (this.open >= this.options.maxConnections) {
      socket.destroy();
      return false;
    }
    this.open++;
    socket.once('close', this.closed);
    serveConnection(socket, peer, this.handler, this.options.idleTimeoutMs, this.transport);
    return true;
  }
}

function serveConnection(socket: StreamSocket, peer: string, handler: MessageHandler, idleTimeoutMs: number, transport: TransportId): void {
  let pending: Buffer | undefined;
  let streaming = false;
  const answers: Answers = { socket, chunks: [] };
  socket.setTimeout(idleTimeoutMs, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  // a client that half-closes after its last queries still gets their answers: write them before
  // the socket's own 'end' listener shuts our side (allowHalfOpen: false)
  socket.prependListener('end', () => writeAnswers(answers));

  const answerQueries = (): void => {
    const data = pending;
    pending = undefined;
    if (!data) return;
    let p = 0;
    const out = answers.chunks;
    const queuedBefore = out.length;
    while (data.length - p >= 2) {
      const len = data.readUInt16BE(p);
      if (data.length - p - 2 < len) break;
      const response = handler.handle(data.subarray(p + 2, p + 2 + len), transport, peer);
      p += 2 + len;
      if (response === undefined) continue;
      if (response instanceof Uint8Array) {
        out.push(lengthPrefix(response.length), response);
        continue;
      }
      // a zone transfer: what came before goes first, then the stream; later queries wait for it
      writeAnswers(answers);
      if (p < data.length) pending = Buffer.from(data.subarray(p));
      void stream(response);
      return;
    }
    if (p < data.length) pending = Buffer.from(data.subarray(p));
    if (queuedBefore === 0 && out.length > 0) queueForFlush(answers);
  };

  const stream = async (messages: Iterable<Buffer>): Promise<void> => {
    streaming = true;
    socket.setTimeout(0);
    try {
      for (const message of messages) {
        if (socket.destroyed) return;
        const more = socket.write(Buffer.concat([lengthPrefix(message.length), message]));
        // a client gone mid-transfer closes without 'drain' (or 'error'): stop rather than wait
        // forever with the transfer's LMDB snapshot held open
        if (!more) await drainedOrClosed(socket);
      }
    } catch {
      // a transfer that cannot finish must not look finished: drop the connection (RFC 5936 §4.2)
      socket.destroy();
      return;
    } finally {
      streaming = false;
    }
    socket.setTimeout(idleTimeoutMs);
    socket.resume();
    answerQueries();
  };

  socket.on('data', (chunk: Buffer) => {
    pending = pending ? Buffer.concat([pending, chunk]) : chunk;
    if (!streaming) answerQueries();
    else if (pending.length > MAX_PENDING_WHILE_STREAMING) socket.pause(); // read on once the transfer is done
  });
}

const MAX_PENDING_WHILE_STREAMING = 256 * 1024;

/** A connection's answers not yet written: length prefixes and messages, in order. */
interface Answers {
  readonly socket: StreamSocket;
  chunks: Buffer[];
}

/**
 * Connections with answers waiting. Every connection that was readable in this event-loop turn is
 * answered first, and the writes go out together afterwards (setImmediate runs after the turn's I/O
 * callbacks): a client reading many connections is woken once for the lot instead of once per
 * connection, which on loopback and in VMs (a wake-up is an interprocessor interrupt) is a large
 * share of the cost of an answer. Each connection still gets one write per turn. Shared by every
 * stream transport.
 */
let toFlush: Answers[] = [];

function queueForFlush(answers: Answers): void {
  if (toFlush.length === 0) setImmediate(flushAnswers);
  toFlush.push(answers);
}

function flushAnswers(): void {
  const batch = toFlush;
  toFlush = [];
  for (const answers of batch) writeAnswers(answers);
}

function writeAnswers(answers: Answers): void {
  const chunks = answers.chunks;
  if (chunks.length === 0) return;
  answers.chunks = [];
  if (!answers.socket.destroyed) answers.socket.write(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
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
