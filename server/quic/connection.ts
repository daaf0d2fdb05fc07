import { isDone, Shutdown, streamErrorCode, type QuicheConnection } from './native.js';

/** How a connection ended, as the peer or we said it (RFC 9000 §19.19). */
export interface QuicCloseInfo {
  /** Who closed: 'local', 'peer', or 'timeout' (idle or handshake). */
  readonly by: 'local' | 'peer' | 'timeout';
  /** An application error code (DoQ's, RFC 9250 §4.3) rather than a transport one. */
  readonly app: boolean;
  readonly code: number;
  readonly reason: string;
  /** The handshake had completed. */
  readonly established: boolean;
}

/** What a connection tells its owner. Callbacks run synchronously inside the endpoint's I/O. */
export interface QuicConnectionHandlers {
  /** The handshake completed (a client verifies the peer's chain here and may close). */
  onEstablished?(conn: QuicConnection): void;
  /** Octets on a stream; `chunk` is only valid during the call. A FIN may come alone (empty chunk). */
  onData(conn: QuicConnection, streamId: number, chunk: Buffer, fin: boolean): void;
  /** The peer abandoned its side of a stream (RESET_STREAM). */
  onReset?(conn: QuicConnection, streamId: number, code: number): void;
  /** The peer asked us to stop sending on a stream (STOP_SENDING): what was queued is dropped. */
  onStopped?(conn: QuicConnection, streamId: number, code: number): void;
  /** Everything written to a stream has been handed to quiche (flow control opened up). */
  onDrained?(conn: QuicConnection, streamId: number): void;
  /** More streams may be opened (the peer raised MAX_STREAMS). */
  onStreamsAvailable?(conn: QuicConnection): void;
  onClosed?(conn: QuicConnection, info: QuicCloseInfo): void;
  /** The handshake failed (we or the peer sent CONNECTION_CLOSE before it completed); `onClosed` follows after draining. */
  onHandshakeFailed?(conn: QuicConnection, info: QuicCloseInfo): void;
  /** A handler threw: the connection is closed with INTERNAL_ERROR (0x1) after this. */
  onFault?(conn: QuicConnection, err: unknown): void;
}

/** Octets written to a stream that quiche could not take yet (the peer's flow control window). */
interface Unsent {
  chunks: Buffer[];
  fin: boolean;
}

/** What a connection needs from the endpoint that owns its socket. */
export interface ConnectionHost {
  /** Schedules this connection's packets to be sent at the end of the event-loop turn. */
  wantsFlush(conn: QuicConnection): void;
}

/** Largest stream read in one call (a DNS message with its prefix is at most 65,537 octets). */
const READ_CHUNK = 65_536;
const scratch = Buffer.allocUnsafe(READ_CHUNK);

/**
 * One QUIC connection over quiche: reads each readable stream into the handlers, holds what
 * flow control refuses until the stream is writable again, and lets the endpoint flush packets.
 * Streams are numbers; there is no stream object per query (the DoQ listener keeps its own state).
 */
export class QuicConnection {
  private readonly unsent = new Map<number, Unsent>();
  /** Streams handed out by openStream and not yet written to. */
  private readonly reserved = new Set<number>();
  /** Streams that may get more data: read part-way, or opened by us and not finished. */
  private readonly watched = new Set<number>();
  /** The next stream the peer may open (client-initiated bidirectional for a server, RFC 9000 §2.1). */
  private nextPeerBidi: number;
  private nextLocalBidi: number;
  private wasEstablished = false;
  private handshakeFailureReported = false;
  private closedInfo: QuicCloseInfo | undefined;
  private localClose: { app: boolean; code: number; reason: string } | undefined;
  /** Owner's state (the DoQ listener's per-connection record). */
  state: unknown;
  /** The endpoint's bookkeeping: its timer, its map keys. */
  timer: NodeJS.Timeout | undefined;
  deadline = 0;
  readonly keys: string[] = [];
  flushQueued = false;
  recvInfo: { to: { host: string; port: number }; from: { host: string; port: number } } | undefined;

  constructor(
    readonly conn: QuicheConnection,
    readonly role: 'server' | 'client',
    readonly remoteHost: string,
    readonly remotePort: number,
    private handlers: QuicConnectionHandlers,
    private readonly host: ConnectionHost,
  ) {
    this.nextLocalBidi = role === 'client' ? 0 : 1;
    this.nextPeerBidi = role === 'client' ? 1 : 0;
  }

  setHandlers(handlers: QuicConnectionHandlers): void {
    this.handlers = handlers;
  }

  get established(): boolean {
    return this.wasEstablished;
  }

  get closed(): boolean {
    return this.closedInfo !== undefined;
  }

  /** Peer certificates (DER, leaf first), once the handshake is done. */
  peerCertificates(): Uint8Array[] {
    return this.conn.peerCertChain() ?? [];
  }

  /** The negotiated ALPN protocol. */
  alpn(): string {
    return Buffer.from(this.conn.applicationProto()).toString('latin1');
  }

  /**
   * After the endpoint fed a datagram in: handshake progress, then every readable and writable
   * stream. A fault in an owner's handler closes this connection (INTERNAL_ERROR), never the server.
   */
  afterReceive(): void {
    try {
      this.progress();
    } catch (err) {
      this.handlers.onFault?.(this, err);
      // 0x1 is INTERNAL_ERROR both as the application's (DoQ, RFC 9250 §4.3) and as QUIC's own code
      this.close(this.wasEstablished, 0x1, 'internal error');
    }
  }

  private progress(): void {
    const conn = this.conn;
    if (!this.wasEstablished) {
      // RFC 9250 §4.5: no 0-RTT, so no stream is read before the handshake is complete; quiche keeps
      // what arrived early (a query in the handshake's last flight) and it is read right here
      if (!conn.isEstablished()) {
        this.reportFailedHandshake();
        return;
      }
      this.wasEstablished = true;
      this.handlers.onEstablished?.(this);
      if (this.localClose) return;
    }
    this.readStreams();
    if (this.unsent.size > 0) this.writeStreams();
    if (this.handlers.onStreamsAvailable && this.role === 'client' && this.streamsLeft() > 0) this.handlers.onStreamsAvailable(this);
  }

  /**
   * Reads every readable stream. quiche's `readable()` iterator costs ~40 µs a call through this
   * binding (more than answering the query), so the streams that can have data are probed one by
   * one (~0.2 µs each): the peer's next new streams in order, then those read part-way or opened
   * by us; `readable()` is only the fallback when quiche still says something is readable (a
   * stream that arrived out of order, say).
   */
  /** A handshake that already failed (a TLS alert either way) is reported now, not when draining ends. */
  private reportFailedHandshake(): void {
    if (this.handshakeFailureReported || !this.handlers.onHandshakeFailed) return;
    const local = this.conn.localError();
    const error = local ?? this.conn.peerError();
    if (!error) return;
    this.handshakeFailureReported = true;
    this.handlers.onHandshakeFailed(this, {
      by: local ? 'local' : 'peer', app: error.isApp, code: error.errorCode, reason: Buffer.from(error.reason).toString('utf8'), established: false,
    });
  }

  private readStreams(): void {
    const conn = this.conn;
    if (!conn.isReadable()) return;
    while (conn.streamReadable(this.nextPeerBidi)) {
      const id = this.nextPeerBidi;
      this.nextPeerBidi += 4;
      this.readStream(id);
      if (this.localClose) return;
    }
    if (this.watched.size > 0) {
      for (const id of this.watched) {
        if (!conn.isReadable()) return;
        if (conn.streamReadable(id)) this.readStream(id);
        if (this.localClose) return;
      }
    }
    if (!conn.isReadable()) return;
    for (const id of conn.readable()) {
      // the peer's streams are numbered in order (RFC 9000 §2.1): later ones may come before this
      if ((id & 0x3) === (this.nextPeerBidi & 0x3) && id >= this.nextPeerBidi) this.nextPeerBidi = id + 4;
      this.readStream(id);
      if (this.localClose) return;
    }
  }

  private readStream(id: number): void {
    const conn = this.conn;
    for (;;) {
      let got: [number, boolean] | null;
      try {
        got = conn.streamRecv(id, scratch);
      } catch (err) {
        this.watched.delete(id);
        const code = streamErrorCode(err, 'StreamReset');
        if (code !== undefined) this.handlers.onReset?.(this, id, code);
        return;
      }
      if (got === null) {
        this.watched.add(id);
        return;
      }
      this.handlers.onData(this, id, scratch.subarray(0, got[0]), got[1]);
      if (got[1]) {
        this.watched.delete(id);
        return;
      }
      if (this.localClose) return;
    }
  }

  /** Streams with octets waiting for flow control: each tried again (cheaper than quiche's `writable()` iterator). */
  private writeStreams(): void {
    for (const [id, pending] of this.unsent) {
      if (this.push(id, pending)) {
        this.unsent.delete(id);
        this.handlers.onDrained?.(this, id);
      }
    }
  }

  /** Hands queued octets to quiche until it refuses; true when all (and the FIN) went. */
  private push(id: number, pending: Unsent): boolean {
    const chunks = pending.chunks;
    while (chunks.length > 0) {
      const chunk = chunks[0]!;
      const last = chunks.length === 1;
      const taken = this.send(id, chunk, last && pending.fin);
      if (taken === undefined) {
        this.unsent.delete(id);
        return false;
      }
      if (taken < chunk.length) {
        chunks[0] = chunk.subarray(taken);
        return false;
      }
      chunks.shift();
    }
    return true;
  }

  /** quiche's stream_send: octets taken, or undefined when the stream is gone (STOP_SENDING, reset). */
  private send(id: number, data: Buffer, fin: boolean): number | undefined {
    try {
      const n = this.conn.streamSend(id, data, fin);
      return n ?? 0;
    } catch (err) {
      if (isDone(err)) return 0;
      const code = streamErrorCode(err, 'StreamStopped');
      if (code !== undefined) this.handlers.onStopped?.(this, id, code);
      return undefined;
    }
  }

  /**
   * Writes to a stream, in order after anything still queued; what flow control refuses waits
   * for the peer. Returns true when quiche took it all (false: wait for `onDrained`).
   */
  write(id: number, data: Buffer, fin: boolean): boolean {
    if (this.closedInfo || this.localClose) return false;
    this.host.wantsFlush(this);
    if (this.reserved.size > 0) this.reserved.delete(id);
    const pending = this.unsent.get(id);
    if (pending !== undefined) {
      pending.chunks.push(data);
      pending.fin = fin;
      return false;
    }
    const taken = this.send(id, data, fin);
    if (taken === undefined) return false;
    // (quiche always takes an empty write carrying a FIN)
    if (taken === data.length) return true;
    this.unsent.set(id, { chunks: [data.subarray(taken)], fin });
    return false;
  }

  /** Octets queued on a stream beyond what quiche took. */
  unsentBytes(id: number): number {
    const pending = this.unsent.get(id);
    return pending ? pending.chunks.reduce((n, c) => n + c.length, 0) : 0;
  }

  /** Abandons a stream: RESET_STREAM and/or STOP_SENDING with an application code (RFC 9000 §3.5). */
  shutdownStream(id: number, direction: 'read' | 'write' | 'both', code: number): void {
    this.host.wantsFlush(this);
    if (direction !== 'write') this.watched.delete(id);
    if (direction !== 'read') this.unsent.delete(id);
    try {
      if (direction !== 'write') this.conn.streamShutdown(id, Shutdown.Read, code);
    } catch { /* already finished */ }
    try {
      if (direction !== 'read') this.conn.streamShutdown(id, Shutdown.Write, code);
    } catch { /* already finished */ }
  }

  /**
   * The next stream we may open, or undefined at the peer's limit (call again from
   * `onStreamsAvailable`): never throws at the limit.
   */
  openStream(): number | undefined {
    if (this.streamsLeft() <= 0) return undefined;
    const id = this.nextLocalBidi;
    this.nextLocalBidi += 4;
    this.reserved.add(id);
    this.watched.add(id);
    return id;
  }

  /** Streams we may still open: quiche counts a stream once written to, so ours not yet written count here. */
  streamsLeft(): number {
    return this.conn.peerStreamsLeftBidi() - this.reserved.size;
  }

  /** Closes the connection (CONNECTION_CLOSE); an application code is DoQ's (RFC 9250 §4.3). */
  close(app: boolean, code: number, reason = ''): void {
    if (this.closedInfo || this.localClose) return;
    this.localClose = { app, code, reason };
    this.unsent.clear();
    try {
      this.conn.close(app, code, Buffer.from(reason));
    } catch { /* already closing */ }
    this.host.wantsFlush(this);
  }

  /** The endpoint saw quiche report the connection closed: tell the owner once. */
  finish(timedOut: boolean): void {
    if (this.closedInfo) return;
    const peer = this.conn.peerError();
    const local = this.localClose;
    let info: QuicCloseInfo;
    if (local) info = { by: 'local', ...local, established: this.wasEstablished };
    else if (peer) info = { by: 'peer', app: peer.isApp, code: peer.errorCode, reason: Buffer.from(peer.reason).toString('utf8'), established: this.wasEstablished };
    else {
      const mine = this.conn.localError();
      info = mine && !timedOut
        ? { by: 'local', app: mine.isApp, code: mine.errorCode, reason: Buffer.from(mine.reason).toString('utf8'), established: this.wasEstablished }
        : { by: 'timeout', app: false, code: 0, reason: 'idle timeout', established: this.wasEstablished };
    }
    this.closedInfo = info;
    this.unsent.clear();
    try {
      this.handlers.onClosed?.(this, info);
    } catch (err) {
      this.handlers.onFault?.(this, err);
    }
  }

  get closeInfo(): QuicCloseInfo | undefined {
    return this.closedInfo;
  }
}
