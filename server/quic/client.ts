import { isIP } from 'node:net';
import { buildQuicheConfig, CLIENT_LIMITS, type QuicLimits } from './config.js';
import type { QuicCloseInfo, QuicConnection, QuicConnectionHandlers } from './connection.js';
import { QuicEndpoint } from './endpoint.js';
import { checkPeer, PeerCheckError, type PeerCheck } from './peer-check.js';

/** TLS alert bad_certificate (RFC 8446 §6.2) as a QUIC CRYPTO_ERROR (RFC 9001 §4.8). */
const CRYPTO_BAD_CERTIFICATE = 0x100 + 42;

export class QuicConnectError extends Error {
  override name = 'QuicConnectError';
  readonly code = 'MESHDNS_ERR_QUIC_CONNECT';
}

export interface QuicConnectOptions {
  host: string;
  port: number;
  alpn: readonly string[];
  check: PeerCheck;
  /** SNI; with CA verification, the name checked (default: the check's hostname). */
  serverName?: string;
  /** Longest the handshake may take. */
  timeoutMs?: number;
  limits?: Partial<QuicLimits>;
}

/** A client connection with the endpoint (its own UDP socket) it lives on. */
export interface QuicClientConnection {
  readonly conn: QuicConnection;
  /** Closes the connection and its socket. */
  close(): Promise<void>;
  /** Resolves when the connection is gone, with how it ended. */
  readonly closed: Promise<QuicCloseInfo>;
}

/**
 * Connects to a QUIC server on a fresh UDP socket and checks its certificate (peer-check.ts)
 * before anything is sent; resolves once the connection may carry streams. `handlers` receive
 * the streams' data afterwards.
 */
export async function connectQuic(options: QuicConnectOptions, handlers: Omit<QuicConnectionHandlers, 'onEstablished' | 'onClosed'>): Promise<QuicClientConnection> {
  const family = isIP(options.host) === 6 ? 6 : 4;
  const endpoint = await QuicEndpoint.bind(family === 6 ? '::' : '0.0.0.0', 0, family);
  const check = options.check;
  const config = buildQuicheConfig('client', {
    alpn: options.alpn,
    ...(check.mode === 'ca' ? (check.caPem !== undefined ? { caPem: check.caPem } : {}) : { verifyInCode: true }),
  }, { ...CLIENT_LIMITS, ...options.limits });
  const serverName = options.serverName ?? (check.mode === 'ca' && isIP(check.hostname) === 0 ? check.hostname : undefined);
  let resolveClosed!: (info: QuicCloseInfo) => void;
  const closed = new Promise<QuicCloseInfo>((resolve) => { resolveClosed = resolve; });
  return new Promise<QuicClientConnection>((resolve, reject) => {
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void endpoint.close().then(() => reject(err));
    };
    const timer = setTimeout(() => fail(new QuicConnectError(`no QUIC handshake with ${options.host}:${options.port} within ${(options.timeoutMs ?? 5000) / 1000} s`)), options.timeoutMs ?? 5000);
    const conn = endpoint.connect(options.host, options.port, serverName, config, {
      ...handlers,
      onEstablished: (c) => {
        try {
          checkPeer(check, c.peerCertificates());
        } catch (err) {
          c.close(false, CRYPTO_BAD_CERTIFICATE, 'certificate rejected');
          fail(err as PeerCheckError);
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve({ conn: c, close: () => endpoint.close(), closed });
      },
      onHandshakeFailed: (_c, info) => fail(new QuicConnectError(failureText(options, info))),
      onClosed: (_c, info) => {
        resolveClosed(info);
        void endpoint.close();
        if (!settled) fail(new QuicConnectError(failureText(options, info)));
      },
    });
    void conn;
  });
}

/** TLS alerts a client sees most (RFC 8446 §6.2), for the message. */
const ALERTS: Record<number, string> = {
  40: 'handshake_failure', 42: 'bad_certificate', 43: 'unsupported_certificate', 45: 'certificate_expired',
  46: 'certificate_unknown', 48: 'unknown_ca', 80: 'internal_error', 120: 'no_application_protocol',
};

function failureText(options: QuicConnectOptions, info: QuicCloseInfo): string {
  const where = `${options.host}:${options.port}`;
  // RFC 9001 §4.8: a TLS alert travels as CRYPTO_ERROR 0x100 + alert
  if (!info.app && info.code >= 0x100 && info.code < 0x200) {
    const alert = info.code - 0x100;
    const side = info.by === 'local' ? 'we refused the server\'s certificate' : 'the server refused the handshake';
    return `QUIC connection to ${where} failed: ${side} (TLS alert ${alert}${ALERTS[alert] ? ` ${ALERTS[alert]}` : ''})`;
  }
  return `QUIC connection to ${where} failed: ${info.by} ${info.app ? 'application' : 'transport'} error ${info.code}${info.reason ? ` (${info.reason})` : ''}`;
}
