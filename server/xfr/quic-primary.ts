import { DoqClient } from '../quic/doq-client.js';
import { PeerCheckError, type PeerCheck } from '../quic/peer-check.js';
import { peerCertificateProblem } from '../tls/peer-verify.js';
import { authenticationOf, describePrimary, type OpenOptions, type PrimaryEndpoint, type PrimaryStream } from './primary-stream.js';
import { TransferError } from './transfer-error.js';

/**
 * Transfers in over QUIC (XoQ, RFC 9250 §4.2): each request on a new DoQ connection and stream,
 * the primary authenticated as for XoT (RFC 9103 §9.3: SPKI pin, or CA and hostname; without
 * either, opportunistic) by the same check, before anything is sent. The transfer code speaks framed messages with its own message ID and
 * checks the answers carry it; DoQ requires ID 0 on the wire (§4.2.1), so the ID is set to 0 going
 * out and given back to each message coming in. TSIG is unaffected: its MAC covers the Original
 * ID field (RFC 8945 §4.3.3), which keeps the ID the message was signed with.
 */
export async function openQuic(primary: PrimaryEndpoint, options: OpenOptions): Promise<PrimaryStream> {
  const where = describePrimary(primary);
  // the same check as XoT's (tls/peer-verify.ts), on the chain quiche hands over once the handshake is done
  const check: PeerCheck = authenticationOf(primary) === 'none'
    ? { mode: 'opportunistic' }
    : { mode: 'custom', verify: (chain) => peerCertificateProblem(chain, primary) };
  let client: DoqClient;
  try {
    client = await DoqClient.connect({
      host: primary.host, port: primary.port, check, timeoutMs: options.idleTimeoutMs,
      ...(primary.hostname !== undefined ? { serverName: primary.hostname } : {}),
    });
  } catch (err) {
    if (err instanceof PeerCheckError) throw new TransferError(`QUIC authentication of ${where} failed: ${err.message}`);
    throw new TransferError(`QUIC connection to ${where} failed: ${(err as Error).message}`);
  }
  return new DoqPrimaryStream(client, where, options.idleTimeoutMs);
}

/** The stream the transfer code sees: one framed request written, the answer's framed messages read. */
class DoqPrimaryStream implements PrimaryStream {
  private readonly chunks: Buffer[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private failure: Error | undefined;
  private sent = false;
  private idleTimer: NodeJS.Timeout;

  constructor(private readonly client: DoqClient, private readonly where: string, idleTimeoutMs: number) {
    this.idleTimer = setTimeout(() => this.destroy(new TransferError(`transfer timed out: nothing received for ${idleTimeoutMs / 1000} s`)), idleTimeoutMs);
    void client.closed.then((info) => {
      if (!this.ended) this.destroy(new TransferError(`the QUIC connection to ${where} closed: ${info.by} ${info.app ? 'application' : 'transport'} error ${info.code}${info.reason ? ` (${info.reason})` : ''}`));
    });
  }

  write(data: Buffer): void {
    if (this.sent) return this.destroy(new TransferError('a DoQ stream carries one request (RFC 9250 §4.2)'));
    this.sent = true;
    if (data.length < 4 || data.readUInt16BE(0) !== data.length - 2) return this.destroy(new TransferError('the request is not one framed message'));
    const query = data.subarray(2);
    const id = query.readUInt16BE(0);
    this.client.exchange(Buffer.from(query), (msg) => this.push(msg, id)).then(() => this.finish(), (err: Error) => this.destroy(new TransferError(`XoQ from ${this.where}: ${err.message}`)));
  }

  private push(msg: Buffer, id: number): void {
    this.idleTimer.refresh();
    const framed = Buffer.allocUnsafe(2 + msg.length);
    framed.writeUInt16BE(msg.length, 0);
    msg.copy(framed, 2);
    if (msg.length >= 2) framed.writeUInt16BE(id, 2);
    this.chunks.push(framed);
    this.wake?.();
  }

  private finish(): void {
    this.ended = true;
    clearTimeout(this.idleTimer);
    this.wake?.();
    void this.client.close();
  }

  destroy(error?: Error): void {
    if (error !== undefined && this.failure === undefined && !this.ended) this.failure = error;
    this.ended = true;
    clearTimeout(this.idleTimer);
    this.wake?.();
    void this.client.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      const next = this.chunks.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return;
      await new Promise<void>((resolve) => { this.wake = resolve; });
      this.wake = undefined;
    }
  }
}


