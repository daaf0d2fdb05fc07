import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { QuicConnection, type ConnectionHost, type QuicConnectionHandlers } from './connection.js';
import { CONNECTION_ID_LENGTH, MAX_DATAGRAM_SIZE, PacketType, Quiche, type QuicheConfig, type QuicheConnection } from './native.js';
import { dcidKey, isLongHeader, longHeaderIds, packetVersion } from './packet.js';

/** RFC 9000 §20.1: the server refuses a connection (our caps). */
const CONNECTION_REFUSED = 0x2;
/** RFC 9000 §14.1: a client's first datagram is padded to at least this. */
const MIN_INITIAL_DATAGRAM = 1200;

/** What a server endpoint decides for each new connection. */
export interface QuicServerPolicy {
  /** Read for each new connection: replacing it (a rotated certificate) affects new connections only. */
  config: QuicheConfig;
  /** Longest a handshake may take; a client that never finishes it is dropped silently. */
  readonly handshakeTimeoutMs: number;
  /** Handlers (and the owner's state) for a new connection from that address, or a refusal (sent as CONNECTION_REFUSED). */
  admit(host: string, port: number): { handlers: QuicConnectionHandlers; state: unknown } | 'refuse';
  /** A connection was dropped before its handshake completed (timeout). */
  onHandshakeTimeout?(conn: QuicConnection): void;
}

/** Datagrams the endpoint threw away, by why. */
export class QuicEndpointCounters {
  /** Not QUIC, or for no connection we know and not a valid Initial. */
  dropped = 0;
  /** quiche refused a packet of a known connection (undecryptable, bad frames). */
  rejected = 0;
  versionNegotiations = 0;
  refused = 0;
  datagramsIn = 0;
  datagramsOut = 0;
}

/** Refusals answered with a CONNECTION_CLOSE per second; the rest are dropped. */
const REFUSALS_PER_SECOND = 200;

/** Room for the packets of one flush: datagrams are cut from it, so a send never copies. */
const SLAB_SIZE = 64 * 1024;

/**
 * A UDP socket carrying QUIC connections (quiche): datagrams routed to connections by
 * destination connection ID, new clients admitted by the server policy, each connection's
 * packets sent once per event-loop turn (a burst of queries in many datagrams is answered in as
 * few as quiche can pack), one timer per connection for quiche's loss and idle timers.
 */
export class QuicEndpoint implements ConnectionHost {
  private readonly connections = new Map<string, QuicConnection>();
  private dirty: QuicConnection[] = [];
  private flushQueued = false;
  private slab = Buffer.allocUnsafe(SLAB_SIZE);
  private slabUsed = 0;
  private localInfo: { host: string; port: number };
  readonly counters = new QuicEndpointCounters();
  private closing = false;
  private socketClosed = false;
  private refusalWindowStart = 0;
  private refusalsInWindow = 0;

  private constructor(private readonly socket: dgram.Socket, private readonly server: QuicServerPolicy | undefined) {
    const a = socket.address();
    this.localInfo = { host: a.address, port: a.port };
    socket.on('message', this.onMessage);
    socket.on('error', () => { /* ICMP errors on a connected peer: quiche's timers take care of it */ });
  }

  /** Binds a socket; with a policy it accepts connections, without it only connects out. */
  static async bind(host: string, port: number, family: 4 | 6, server?: QuicServerPolicy): Promise<QuicEndpoint> {
    const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', ipv6Only: family === 6, recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new QuicEndpoint(socket, server);
  }

  get port(): number {
    return this.localInfo.port;
  }

  /** Opens a client connection; `handlers.onEstablished` says when it is ready. */
  connect(host: string, port: number, serverName: string | undefined, config: QuicheConfig, handlers: QuicConnectionHandlers): QuicConnection {
    const scid = randomBytes(CONNECTION_ID_LENGTH);
    const native = Quiche.Connection.connect(serverName ?? null, scid, this.localInfo, { host, port }, config);
    const conn = new QuicConnection(native, 'client', host, port, handlers, this);
    this.register(conn, scid.toString('latin1'));
    this.wantsFlush(conn);
    return conn;
  }

  private register(conn: QuicConnection, key: string): void {
    conn.keys.push(key);
    this.connections.set(key, conn);
  }

  private readonly onMessage = (data: Buffer, rinfo: dgram.RemoteInfo): void => {
    this.counters.datagramsIn++;
    const key = dcidKey(data, CONNECTION_ID_LENGTH);
    if (key === undefined) {
      this.counters.dropped++;
      return;
    }
    const conn = this.connections.get(key);
    if (conn !== undefined) {
      this.receive(conn, data, rinfo);
      return;
    }
    if (this.server !== undefined && !this.closing && isLongHeader(data)) this.accept(this.server, data, rinfo, key);
    else this.counters.dropped++;
  };

  private receive(conn: QuicConnection, data: Buffer, rinfo: dgram.RemoteInfo): void {
    // the same peer address each time (migration is off): one RecvInfo per connection, not per datagram
    let info = conn.recvInfo;
    if (info === undefined || info.from.port !== rinfo.port || info.from.host !== rinfo.address) {
      info = { to: this.localInfo, from: { host: rinfo.address, port: rinfo.port } };
      conn.recvInfo = info;
    }
    try {
      conn.conn.recv(data, info);
    } catch {
      // a packet quiche could not use (it may have closed the connection: the flush will see it)
      this.counters.rejected++;
    }
    conn.afterReceive();
    this.wantsFlush(conn);
  }

  private accept(server: QuicServerPolicy, data: Buffer, rinfo: dgram.RemoteInfo, key: string): void {
    const version = packetVersion(data);
    if (version !== 0 && !Quiche.versionIsSupported(version)) {
      // RFC 9000 §6.1: tell the client which versions we speak (only in answer to a full-size datagram, §14.1)
      const ids = longHeaderIds(data);
      if (data.length < MIN_INITIAL_DATAGRAM || ids === undefined) {
        this.counters.dropped++;
        return;
      }
      const out = Buffer.allocUnsafe(MAX_DATAGRAM_SIZE);
      const n = Quiche.negotiateVersion(ids.scid, ids.dcid, out);
      this.counters.versionNegotiations++;
      this.socket.send(out.subarray(0, n), rinfo.port, rinfo.address);
      return;
    }
    let header;
    try {
      header = Quiche.Header.fromSlice(data, CONNECTION_ID_LENGTH);
    } catch {
      this.counters.dropped++;
      return;
    }
    if (header.ty !== PacketType.Initial || data.length < MIN_INITIAL_DATAGRAM) {
      this.counters.dropped++;
      return;
    }
    const decision = server.admit(rinfo.address, rinfo.port);
    const scid = randomBytes(CONNECTION_ID_LENGTH);
    let native;
    try {
      native = Quiche.Connection.accept(scid, null, this.localInfo, { host: rinfo.address, port: rinfo.port }, server.config);
    } catch {
      this.counters.dropped++;
      return;
    }
    if (decision === 'refuse') {
      this.refuse(native, data, rinfo);
      return;
    }
    const conn = new QuicConnection(native, 'server', rinfo.address, rinfo.port, decision.handlers, this);
    conn.state = decision.state;
    try {
      native.recv(data, { to: this.localInfo, from: { host: rinfo.address, port: rinfo.port } });
    } catch {
      // an Initial that does not decrypt (garbage with a valid header): no state is kept for it,
      // and its slot goes back at once rather than at the handshake timeout
      this.counters.rejected++;
      conn.finish(false);
      return;
    }
    this.register(conn, scid.toString('latin1'));
    // the client keeps using its own DCID until our first packet reaches it
    this.register(conn, key);
    const timer = setTimeout(() => {
      if (conn.established || conn.closed) return;
      server.onHandshakeTimeout?.(conn);
      this.remove(conn, true);
    }, server.handshakeTimeoutMs);
    timer.unref();
    conn.afterReceive();
    this.wantsFlush(conn);
  }

  /**
   * RFC 9000 §5.2.2: an Initial with CONNECTION_CLOSE (CONNECTION_REFUSED), no state kept. quiche's
   * client ignores a bare close in a short datagram, so the close follows the server's first
   * flight. That costs a signature: past REFUSALS_PER_SECOND the rest are dropped silently.
   */
  private refuse(native: QuicheConnection, data: Buffer, rinfo: dgram.RemoteInfo): void {
    this.counters.refused++;
    const now = performance.now();
    if (now - this.refusalWindowStart >= 1000) {
      this.refusalWindowStart = now;
      this.refusalsInWindow = 0;
    }
    if (++this.refusalsInWindow > REFUSALS_PER_SECOND) return;
    const orphan = new QuicConnection(native, 'server', rinfo.address, rinfo.port, { onData: () => {} }, this);
    try {
      native.recv(data, { to: this.localInfo, from: { host: rinfo.address, port: rinfo.port } });
      this.sendPackets(orphan);
      native.close(false, CONNECTION_REFUSED, Buffer.from('too many connections'));
    } catch { /* nothing more to say to it */ }
    this.sendPackets(orphan);
  }

  wantsFlush(conn: QuicConnection): void {
    if (conn.flushQueued) return;
    conn.flushQueued = true;
    this.dirty.push(conn);
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushQueued = false;
    const batch = this.dirty;
    this.dirty = [];
    for (const conn of batch) {
      conn.flushQueued = false;
      if (conn.closed) continue;
      this.sendPackets(conn);
      this.afterSend(conn);
    }
  };

  private sendPackets(conn: QuicConnection): void {
    if (this.socketClosed) return;
    const native = conn.conn;
    for (;;) {
      if (SLAB_SIZE - this.slabUsed < MAX_DATAGRAM_SIZE) {
        this.slab = Buffer.allocUnsafe(SLAB_SIZE);
        this.slabUsed = 0;
      }
      const room = this.slab.subarray(this.slabUsed, this.slabUsed + MAX_DATAGRAM_SIZE);
      let sent;
      try {
        sent = native.send(room);
      } catch {
        break;
      }
      if (sent === null) break;
      const n = sent[0];
      this.slabUsed += n;
      this.counters.datagramsOut++;
      this.socket.send(room.subarray(0, n), conn.remotePort, conn.remoteHost);
    }
  }

  /** Arms the connection's timer for quiche's next deadline, or retires a closed connection. */
  private afterSend(conn: QuicConnection): void {
    const native = conn.conn;
    if (native.isClosed()) {
      this.remove(conn, native.isTimedOut());
      return;
    }
    const ms = native.timeout();
    if (ms === null) return;
    const at = performance.now() + ms;
    // quiche's onTimeout is harmless when called early: keep an earlier timer, replace a later one
    if (conn.timer !== undefined && conn.deadline <= at + 1) return;
    if (conn.timer !== undefined) clearTimeout(conn.timer);
    conn.deadline = at;
    conn.timer = setTimeout(this.onTimer, ms + 1, conn);
  }

  private readonly onTimer = (conn: QuicConnection): void => {
    conn.timer = undefined;
    if (conn.closed) return;
    conn.conn.onTimeout();
    this.sendPackets(conn);
    this.afterSend(conn);
  };

  private remove(conn: QuicConnection, timedOut: boolean): void {
    if (conn.timer !== undefined) clearTimeout(conn.timer);
    conn.timer = undefined;
    for (const key of conn.keys) if (this.connections.get(key) === conn) this.connections.delete(key);
    conn.finish(timedOut);
  }

  /** Closes every connection (application code `code`), waits for the CONNECTION_CLOSEs to go, closes the socket. */
  async close(code = 0, reason = ''): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const all = new Set(this.connections.values());
    for (const conn of all) {
      conn.close(true, code, reason);
      this.sendPackets(conn);
      this.remove(conn, false);
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.socketClosed = true;
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
