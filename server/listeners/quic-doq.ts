import type { QuicConnection, QuicConnectionHandlers } from '../quic/connection.js';
import type { MessageHandler, TransportId } from '../transports.js';
import { askedOptions } from './stream-edns.js';
import { HandshakeCounters } from './tls.js';

/** askedOptions' bit for edns-tcp-keepalive. */
const ASKED_KEEPALIVE = 1;

/** RFC 9250 §4.3: DoQ's application error codes. */
export const DoqError = {
  NO_ERROR: 0x0,
  INTERNAL_ERROR: 0x1,
  PROTOCOL_ERROR: 0x2,
  REQUEST_CANCELLED: 0x3,
  EXCESSIVE_LOAD: 0x4,
  UNSPECIFIED_ERROR: 0x5,
} as const;

/** What the DoQ service counts (per listener; summed for the metrics). */
export class DoqCounters {
  /** Handshakes done, failed (timeout: never finished; refused: the caps; error: TLS or transport), under way. */
  readonly handshake = new HandshakeCounters();
  connectionsOpen = 0;
  /** Streams (queries and transfers) received. */
  streams = 0;
  /** Connections closed with DOQ_PROTOCOL_ERROR (RFC 9250 §4.3.3). */
  protocolErrors = 0;
  /** Streams the client reset or stopped before its answer was complete. */
  cancelled = 0;
  idleTimeouts = 0;
  /** Connections closed or streams reset with DOQ_EXCESSIVE_LOAD (unfinished queries, transfers at once). */
  excessiveLoad = 0;
  /** Faults in our own handling (a bug): the connection was closed with DOQ_INTERNAL_ERROR. */
  internalErrors = 0;

  get handshakes(): number {
    return this.handshake.handshakes;
  }

  get handshakeFailures(): number {
    const f = this.handshake.failures;
    return f.timeout + f.refused + f.error;
  }

  get refused(): number {
    return this.handshake.failures.refused;
  }

  /** Stream counts summed (handshakes are summed with the TLS ones, by transport). */
  static sum(all: Iterable<DoqCounters>): DoqCounters {
    const out = new DoqCounters();
    for (const c of all) {
      out.connectionsOpen += c.connectionsOpen;
      out.streams += c.streams;
      out.protocolErrors += c.protocolErrors;
      out.cancelled += c.cancelled;
      out.idleTimeouts += c.idleTimeouts;
      out.excessiveLoad += c.excessiveLoad;
      out.internalErrors += c.internalErrors;
    }
    return out;
  }
}

/**
 * Octets of unfinished queries one connection may have us hold. QUIC flow control stops bounding
 * them once they are read, and a client may keep 1,024 streams each one octet short of a message.
 */
export const MAX_PARTIAL_BYTES = 256 * 1024;
/** Zone transfers at once on one connection (each holds an LMDB snapshot until it is done). */
export const MAX_TRANSFERS_PER_CONNECTION = 4;

/** A connection's streams that are part-way: a query not yet whole, an answer that did not fit, a transfer. */
interface DoqConnectionState {
  readonly client: string;
  /** Query octets received so far, per stream (only streams whose query came in pieces). */
  readonly partial: Map<number, Buffer>;
  /** Zone transfers being written, per stream: the next messages wait for flow control. */
  readonly transfers: Map<number, Iterator<Buffer>>;
  /** Streams answered whose FIN has not come yet: any further octet is a second query. */
  readonly awaitingFin: Set<number>;
  /** Octets held in `partial`. */
  partialBytes: number;
}

/**
 * DNS over QUIC (RFC 9250) on the streams of one listener's connections: one query per
 * client-initiated bidirectional stream, with the 2-octet length prefix (§4.2); the answer, or a
 * zone transfer's messages (§4.2: XoQ, one stream per transfer), written back on the same stream
 * with a FIN. The message is answered as soon as it is whole (the FIN may come in a later frame).
 */
export class DoqStreams implements QuicConnectionHandlers {
  constructor(
    private readonly handler: MessageHandler,
    private readonly transport: TransportId,
    private readonly counters: DoqCounters,
    private readonly released: (client: string) => void,
    private readonly fault: (err: unknown) => void = () => undefined,
  ) {}

  onFault(_conn: QuicConnection, err: unknown): void {
    this.counters.internalErrors++;
    this.fault(err);
  }

  /** The state a new connection starts with. */
  static stateFor(client: string): DoqConnectionState {
    return { client, partial: new Map(), transfers: new Map(), awaitingFin: new Set(), partialBytes: 0 };
  }

  onEstablished(conn: QuicConnection): void {
    this.counters.handshake.handshakes++;
    this.counters.handshake.pending--;
    this.counters.connectionsOpen++;
    // RFC 9250 §4.1.1: the ALPN "doq" is the only one offered, so a completed handshake negotiated it
    void conn;
  }

  onData(conn: QuicConnection, id: number, chunk: Buffer, fin: boolean): void {
    const s = conn.state as DoqConnectionState;
    // RFC 9250 §4.2: only client-initiated bidirectional streams carry queries (uni streams are refused by the limit of 0)
    if ((id & 0x3) !== 0) return this.protocolError(conn, 'query on a stream the client may not open');
    if (s.awaitingFin.has(id)) {
      if (chunk.length > 0) return this.protocolError(conn, 'more than one message on a stream'); // §4.3.3
      if (fin) s.awaitingFin.delete(id);
      return;
    }
    if (s.transfers.has(id)) {
      if (chunk.length > 0) return this.protocolError(conn, 'more than one message on a stream');
      return;
    }
    const before = s.partial.get(id);
    let data: Buffer;
    if (before === undefined) {
      this.counters.streams++;
      data = chunk;
    } else {
      data = Buffer.concat([before, chunk]);
      s.partialBytes -= before.length;
      s.partial.delete(id);
    }
    if (data.length < 2 || data.length < 2 + data.readUInt16BE(0)) {
      // §4.3.3: a FIN before the whole message is a protocol error
      if (fin) return this.protocolError(conn, 'stream ended inside a message');
      s.partialBytes += data.length;
      if (s.partialBytes > MAX_PARTIAL_BYTES) {
        this.counters.excessiveLoad++;
        conn.close(true, DoqError.EXCESSIVE_LOAD, 'too many unfinished queries');
        return;
      }
      s.partial.set(id, before === undefined ? Buffer.from(data) : data);
      return;
    }
    const length = data.readUInt16BE(0);
    if (data.length > 2 + length) return this.protocolError(conn, 'more than one message on a stream');
    // a copy: `chunk` is the connection's read buffer, and a transfer reads the query as it goes
    const msg = Buffer.from(data.subarray(2));
    // RFC 9250 §4.2.1: the Message ID is 0 on every DoQ message; anything else is a protocol error
    if (msg.length >= 2 && (msg[0] !== 0 || msg[1] !== 0)) return this.protocolError(conn, 'message ID is not 0');
    if (msg.length < 12) return this.protocolError(conn, 'message shorter than a DNS header');
    // RFC 9250 §5.5.2: edns-tcp-keepalive has no place in DoQ; a query carrying it is a protocol error
    if ((msg[10]! | msg[11]!) !== 0 && (askedOptions(msg) & ASKED_KEEPALIVE) !== 0) return this.protocolError(conn, 'edns-tcp-keepalive in a query');
    if (!fin) s.awaitingFin.add(id);
    this.answer(conn, s, id, msg);
  }

  private answer(conn: QuicConnection, s: DoqConnectionState, id: number, msg: Buffer): void {
    const response = this.handler.handle(msg, this.transport, conn.remoteHost);
    if (response === undefined) {
      // dropped by the router (not a query we answer): the stream is abandoned, not left open
      conn.shutdownStream(id, 'both', DoqError.REQUEST_CANCELLED);
      s.awaitingFin.delete(id);
      return;
    }
    if (response instanceof Uint8Array) {
      conn.write(id, framed(response), true);
      return;
    }
    const messages = response[Symbol.iterator]();
    if (s.transfers.size >= MAX_TRANSFERS_PER_CONNECTION) {
      messages.return?.();
      this.counters.excessiveLoad++;
      conn.shutdownStream(id, 'both', DoqError.EXCESSIVE_LOAD);
      s.awaitingFin.delete(id);
      return;
    }
    s.transfers.set(id, messages);
    this.pump(conn, s, id, messages);
  }

  /** Writes a transfer's messages while flow control takes them; the rest waits for `onDrained`. */
  private pump(conn: QuicConnection, s: DoqConnectionState, id: number, messages: Iterator<Buffer>): void {
    try {
      for (;;) {
        const next = messages.next();
        if (next.done === true) {
          s.transfers.delete(id);
          conn.write(id, Buffer.alloc(0), true);
          return;
        }
        if (!conn.write(id, framed(next.value), false)) return;
      }
    } catch {
      // RFC 5936 §4.2 spirit: a transfer that cannot finish must not look finished
      s.transfers.delete(id);
      conn.shutdownStream(id, 'write', DoqError.INTERNAL_ERROR);
    }
  }

  onDrained(conn: QuicConnection, id: number): void {
    const s = conn.state as DoqConnectionState;
    const messages = s.transfers.get(id);
    if (messages !== undefined) this.pump(conn, s, id, messages);
  }

  /** RFC 9250 §4.3.2: a client cancelling a query (RESET_STREAM) is answered with nothing more. */
  onReset(conn: QuicConnection, id: number): void {
    this.cancel(conn, id);
    conn.shutdownStream(id, 'write', DoqError.REQUEST_CANCELLED);
  }

  /** STOP_SENDING: the client does not want the answer; quiche resets our side. */
  onStopped(conn: QuicConnection, id: number): void {
    this.cancel(conn, id);
  }

  private cancel(conn: QuicConnection, id: number): void {
    const s = conn.state as DoqConnectionState;
    this.counters.cancelled++;
    const held = s.partial.get(id);
    if (held !== undefined) {
      s.partialBytes -= held.length;
      s.partial.delete(id);
    }
    s.awaitingFin.delete(id);
    const messages = s.transfers.get(id);
    if (messages !== undefined) {
      s.transfers.delete(id);
      messages.return?.();
    }
  }

  onClosed(conn: QuicConnection, info: { by: string; established: boolean }): void {
    const s = conn.state as DoqConnectionState;
    for (const messages of s.transfers.values()) messages.return?.();
    s.transfers.clear();
    s.partial.clear();
    if (info.established) this.counters.connectionsOpen--;
    else {
      this.counters.handshake.pending--;
      if (info.by === 'timeout') this.counters.handshake.failures.timeout++;
      else this.counters.handshake.failures.error++;
    }
    if (info.by === 'timeout' && info.established) this.counters.idleTimeouts++;
    this.released(s.client);
  }

  private protocolError(conn: QuicConnection, why: string): void {
    this.counters.protocolErrors++;
    conn.close(true, DoqError.PROTOCOL_ERROR, why);
  }
}

function framed(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(2 + message.length);
  out.writeUInt16BE(message.length, 0);
  out.set(message, 2);
  return out;
}
