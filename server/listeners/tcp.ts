import net from 'node:net';
import type { Logger } from 'pino';
import type { QueryPipeline } from '../query/pipeline.js';
import type { ListenAddress } from '../config.js';
import { bindError } from './bind-error.js';
import { Transport, type TransportId } from '../query/stats.js';

export interface TcpOptions {
  /** Idle time after which a connection is closed (RFC 7766 §6.2.3). */
  idleTimeoutMs: number;
  maxConnections: number;
}

/**
 * DNS over TCP (RFC 7766): 2-byte length framing, many queries per connection, pipelined queries
 * answered as they complete (synchronously, so in order), idle timeout, a cap on connections.
 */
export async function listenTcp(address: ListenAddress, pipeline: QueryPipeline, options: TcpOptions, log: Logger): Promise<net.Server> {
  const server = net.createServer({ noDelay: true, allowHalfOpen: false }, (socket) =>
    serveConnection(socket, pipeline, options, address.family === 6 ? Transport.TCP6 : Transport.TCP4),
  );
  server.maxConnections = options.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(bindError('tcp', address, err)));
    server.listen({ port: address.port, host: address.host, ipv6Only: address.family === 6, backlog: 1024 }, () => resolve());
  });
  server.on('error', (err) => log.warn({ err }, 'tcp listener error'));
  return server;
}

function serveConnection(socket: net.Socket, pipeline: QueryPipeline, options: TcpOptions, transport: TransportId): void {
  let pending: Buffer | undefined;
  let streaming = false;
  const peer = socket.remoteAddress ?? '';
  const answers: Answers = { socket, chunks: [] };
  socket.setTimeout(options.idleTimeoutMs, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  // a client that half-closes after its last queries still gets their answers: write them before
  // net.Socket's own 'end' listener shuts our side (allowHalfOpen: false)
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
      const response = pipeline.handle(data.subarray(p + 2, p + 2 + len), transport, peer);
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
    socket.setTimeout(options.idleTimeoutMs);
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
  readonly socket: net.Socket;
  chunks: Buffer[];
}

/**
 * Connections with answers waiting. Every connection that was readable in this event-loop turn is
 * answered first, and the writes go out together afterwards (setImmediate runs after the turn's I/O
 * callbacks): a client reading many connections is woken once for the lot instead of once per
 * connection, which on loopback and in VMs (a wake-up is an interprocessor interrupt) is a large
 * share of the cost of an answer. Each connection still gets one write per turn.
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

function drainedOrClosed(socket: net.Socket): Promise<void> {
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
