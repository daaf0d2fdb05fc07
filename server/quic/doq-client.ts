import { connectQuic, type QuicClientConnection, type QuicConnectOptions } from './client.js';
import type { QuicCloseInfo, QuicConnection } from './connection.js';

/** RFC 9250 §4.1.1. */
export const DOQ_ALPN = 'doq';

export class DoqExchangeError extends Error {
  override name = 'DoqExchangeError';
  readonly code = 'MESHDNS_ERR_DOQ';
}

interface Exchange {
  pending: Buffer | undefined;
  readonly messages: Buffer[];
  readonly onMessage: ((msg: Buffer) => void) | undefined;
  resolve(messages: Buffer[]): void;
  reject(err: Error): void;
}

/**
 * A DoQ client (RFC 9250): each exchange on its own stream, the query with Message ID 0 and a
 * FIN, the answer's framed messages (one, or a transfer's many) read until the server's FIN.
 * At the server's stream limit, exchanges wait for MAX_STREAMS instead of failing.
 */
export class DoqClient {
  private readonly exchanges = new Map<number, Exchange>();
  private readonly waiting: (() => void)[] = [];
  private client!: QuicClientConnection;
  private ended: QuicCloseInfo | undefined;

  static async connect(options: Omit<QuicConnectOptions, 'alpn'>): Promise<DoqClient> {
    const doq = new DoqClient();
    doq.client = await connectQuic({ ...options, alpn: [DOQ_ALPN] }, {
      onData: (conn, id, chunk, fin) => doq.onData(conn, id, chunk, fin),
      onReset: (_conn, id, code) => doq.fail(id, new DoqExchangeError(`the server reset the stream (code ${code})`)),
      onStreamsAvailable: (conn) => doq.streamsAvailable(conn),
    });
    void doq.client.closed.then((info) => doq.connectionEnded(info));
    return doq;
  }

  get connection(): QuicConnection {
    return this.client.conn;
  }

  /** Resolves when the connection is gone. */
  get closed(): Promise<QuicCloseInfo> {
    return this.client.closed;
  }

  /** Sends `query` (its ID set to 0) on a new stream; resolves with every message of the answer. */
  async exchange(query: Buffer, onMessage?: (msg: Buffer) => void): Promise<Buffer[]> {
    const framed = Buffer.allocUnsafe(2 + query.length);
    framed.writeUInt16BE(query.length, 0);
    query.copy(framed, 2);
    if (query.length >= 2) framed.writeUInt16BE(0, 2); // RFC 9250 §4.2.1: Message ID 0
    const { id, answer } = await this.openStream(onMessage);
    this.client.conn.write(id, framed, true);
    return answer;
  }

  /**
   * A new stream (waiting at the server's limit) whose answer is collected: the caller writes the
   * query on `id` itself (tests write it in pieces, or without the FIN).
   */
  async openStream(onMessage?: (msg: Buffer) => void): Promise<{ id: number; answer: Promise<Buffer[]> }> {
    const conn = this.client.conn;
    let id = this.ended ? undefined : conn.openStream();
    while (id === undefined) {
      if (this.ended) throw new DoqExchangeError(`the connection is closed (${this.ended.reason || this.ended.code})`);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      id = this.ended ? undefined : conn.openStream();
    }
    const streamId = id;
    const answer = new Promise<Buffer[]>((resolve, reject) => {
      this.exchanges.set(streamId, { pending: undefined, messages: [], onMessage, resolve, reject });
    });
    return { id: streamId, answer };
  }

  /** One query, one answer. */
  async query(query: Buffer): Promise<Buffer> {
    const [answer] = await this.exchange(query);
    if (answer === undefined) throw new DoqExchangeError('the server closed the stream without an answer');
    return answer;
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private onData(_conn: QuicConnection, id: number, chunk: Buffer, fin: boolean): void {
    const ex = this.exchanges.get(id);
    if (ex === undefined) return;
    let data = ex.pending ? Buffer.concat([ex.pending, chunk]) : chunk;
    let p = 0;
    while (data.length - p >= 2) {
      const len = data.readUInt16BE(p);
      if (data.length - p - 2 < len) break;
      const msg = Buffer.from(data.subarray(p + 2, p + 2 + len));
      p += 2 + len;
      if (ex.onMessage) ex.onMessage(msg);
      else ex.messages.push(msg);
    }
    data = data.subarray(p);
    ex.pending = data.length > 0 ? Buffer.from(data) : undefined;
    if (!fin) return;
    this.exchanges.delete(id);
    if (ex.pending) ex.reject(new DoqExchangeError('the stream ended inside a message'));
    else ex.resolve(ex.messages);
  }

  private fail(id: number, err: Error): void {
    const ex = this.exchanges.get(id);
    if (ex === undefined) return;
    this.exchanges.delete(id);
    ex.reject(err);
  }

  private streamsAvailable(conn: QuicConnection): void {
    let left = conn.streamsLeft();
    while (this.waiting.length > 0 && left-- > 0) this.waiting.shift()!();
  }

  private connectionEnded(info: QuicCloseInfo): void {
    this.ended = info;
    const err = new DoqExchangeError(`the connection closed: ${info.by}${info.app ? ` application error ${info.code}` : ` transport error ${info.code}`}${info.reason ? ` (${info.reason})` : ''}`);
    for (const ex of this.exchanges.values()) ex.reject(err);
    this.exchanges.clear();
    for (const wake of this.waiting.splice(0)) wake();
  }
}
