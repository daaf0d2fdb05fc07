import type net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { DOT_ALPN } from '../tls/alpn.js';
import type { CertificateSource, TlsIdentity } from '../tls/certificates.js';
import type { ListenAddress } from '../listen-address.js';
import { transportOf, type MessageHandler } from '../transports.js';
import { bindError } from './bind-error.js';
import { clientKey } from './client-key.js';
import { StreamService, type StreamOptions } from './stream.js';
import { withStreamEdns } from './stream-edns.js';


export interface TlsListenOptions {
  stream: StreamOptions;
  /** A client that has not finished its handshake by then is cut off. */
  handshakeTimeoutMs: number;
}

/** Handshakes of one TLS listener (the per-transport metrics). */
export class HandshakeCounters {
  handshakes = 0;
  /** By reason: timeout (never finished), refused (the handshake caps), error (anything else: garbage, no shared cipher, ...). */
  readonly failures = { timeout: 0, refused: 0, error: 0 };
  /** Handshakes under way now. */
  pending = 0;
  /** Handshakes that resumed a session (RFC 5077 tickets, TLS 1.3 PSK). */
  resumed = 0;
}

export interface TlsListener {
  server: tls.Server;
  service: StreamService;
  handshakes: HandshakeCounters;
}

/**
 * DNS over TLS (RFC 7858): node:tls on TLS 1.2 and 1.3, ALPN "dot", session resumption by
 * tickets, and once the handshake is done the same RFC 7766 stream handling as TCP (pipelining,
 * idle and I/O timeouts, caps, backpressure). A handshake has `handshakeTimeoutMs` to finish, and
 * handshakes under way are capped in all and per client like connections, so clients that never
 * finish one hold neither a connection slot nor the event loop. A new certificate from the source
 * is used for new connections; open ones keep theirs.
 */
export async function listenTls(
  address: ListenAddress, handler: MessageHandler, options: TlsListenOptions, certificates: CertificateSource, log: Logger,
): Promise<TlsListener> {
  const dotHandler = withStreamEdns(handler, { keepaliveMs: options.stream.idleTimeoutMs, pad: true });
  const service = new StreamService(dotHandler, transportOf('tls', address.family), options.stream, log);
  const handshakes = new HandshakeCounters();
  const maxPending = options.stream.maxConnections;
  const maxPendingPerClient = options.stream.maxConnectionsPerClient ?? maxPending;
  const pendingByClient = new Map<string, number>();
  const inHandshake = new Map<string, () => void>();
  const refused = new WeakSet<net.Socket>();
  const contextOptions = (identity: TlsIdentity): tls.SecureContextOptions => ({ cert: identity.certPem, key: identity.keyPem, minVersion: 'TLSv1.2' });

  const server = tls.createServer({
    ...contextOptions(certificates.current),
    ALPNProtocols: [DOT_ALPN],
    handshakeTimeout: options.handshakeTimeoutMs,
    allowHalfOpen: false,
    noDelay: true,
    // RFC 7858 §3.4 / RFC 8310: resumption saves the handshake's round trips and signatures
    sessionTimeout: 3600,
  });

  server.on('connection', (raw: net.Socket) => {
    const client = clientKey(raw.remoteAddress ?? '');
    const fromClient = pendingByClient.get(client) ?? 0;
    if (handshakes.pending >= maxPending || fromClient >= maxPendingPerClient) {
      handshakes.failures.refused++;
      refused.add(raw);
      raw.destroy();
      return;
    }
    handshakes.pending++;
    pendingByClient.set(client, fromClient + 1);
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      handshakes.pending--;
      const n = (pendingByClient.get(client) ?? 1) - 1;
      if (n > 0) pendingByClient.set(client, n);
      else pendingByClient.delete(client);
    };
    const key = `${raw.remoteAddress}|${raw.remotePort}`;
    raw.once('close', () => {
      settle();
      inHandshake.delete(key);
    });
    // 'secureConnection' hands over the TLS socket wrapping this one: found again by its peer address and port
    inHandshake.set(key, settle);
  });

  server.on('secureConnection', (socket: tls.TLSSocket) => {
    const key = `${socket.remoteAddress}|${socket.remotePort}`;
    inHandshake.get(key)?.();
    inHandshake.delete(key);
    handshakes.handshakes++;
    if (socket.isSessionReused()) handshakes.resumed++;
    service.accept(socket, socket.remoteAddress ?? '');
  });

  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
    // a connection closed above at the cap is counted once, as refused (the TLS socket over it
    // reports the reset; node:tls keeps the socket it wraps as `_parent`)
    const parent = (socket as unknown as { _parent?: net.Socket })._parent;
    if (parent !== undefined && refused.has(parent)) return;
    if (err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') handshakes.failures.timeout++;
    else handshakes.failures.error++;
    socket.destroy();
  });

  const unsubscribe = certificates.onChange((identity) => {
    // new connections get the new certificate; the session ticket keys stay, so resumption survives a rotation
    const ticketKeys = server.getTicketKeys();
    server.setSecureContext(contextOptions(identity));
    server.setTicketKeys(ticketKeys);
  });
  server.once('close', unsubscribe);

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(bindError('tls', address, err)));
    server.listen({ port: address.port, host: address.host, ipv6Only: address.family === 6, backlog: 1024 }, () => resolve());
  });
  server.on('error', (err) => log.warn({ err }, 'tls listener error'));
  return { server, service, handshakes };
}
