import type { Logger } from 'pino';
import type { ListenAddress } from '../listen-address.js';
import { buildQuicheConfig, SERVER_LIMITS } from '../quic/config.js';
import { QuicEndpoint, QuicEndpointCounters, type QuicServerPolicy } from '../quic/endpoint.js';
import { transportOf, type MessageHandler } from '../transports.js';
import { bindError } from './bind-error.js';
import { clientKey } from './client-key.js';
import { DoqCounters, DoqStreams } from './quic-doq.js';
import type { HandshakeCounters } from './tls.js';
import { STREAM_DEFAULTS, type StreamOptions } from './stream.js';

/** RFC 9250 §4.1.1. */
export const DOQ_ALPN = 'doq';

export interface DoqOptions {
  /** The server's certificate chain and key (PEM). */
  certPem: string;
  keyPem: string;
  /** Idle timeout (RFC 9250 §5.5: QUIC's, advertised in the handshake). */
  idleTimeoutMs: number;
  /** Longest a handshake may take before the connection is dropped. */
  handshakeTimeoutMs: number;
  maxConnections: number;
  /** Connections from one client (IPv4 address, IPv6 /64), handshakes in progress included. */
  maxConnectionsPerClient: number;
  /** Queries a client may have in flight on one connection (MAX_STREAMS, raised as they finish). */
  maxStreamsPerConnection: number;
}

export const DOQ_DEFAULTS = {
  handshakeTimeoutMs: 5_000,
  maxStreamsPerConnection: SERVER_LIMITS.maxStreams,
} as const;

/**
 * What a `transport: quic` listen entry runs with: the certificate of the tls listeners, the TCP
 * idle timeout and connection caps, the TLS handshake timeout.
 */
export function doqOptionsFor(identity: { certPem: string; keyPem: string }, tcp: StreamOptions, handshakeTimeoutMs: number | undefined): DoqOptions {
  return {
    certPem: identity.certPem,
    keyPem: identity.keyPem,
    idleTimeoutMs: tcp.idleTimeoutMs,
    handshakeTimeoutMs: handshakeTimeoutMs ?? DOQ_DEFAULTS.handshakeTimeoutMs,
    maxConnections: tcp.maxConnections,
    maxConnectionsPerClient: tcp.maxConnectionsPerClient ?? STREAM_DEFAULTS.maxConnectionsPerClient,
    maxStreamsPerConnection: DOQ_DEFAULTS.maxStreamsPerConnection,
  };
}

/** A bound DoQ listener. */
export interface DoqListener {
  readonly port: number;
  readonly counters: DoqCounters;
  readonly endpointCounters: QuicEndpointCounters;
  /** Connections now, handshakes in progress included. */
  connections(): number;
  handshakeCounters(): HandshakeCounters;
  /** A rotated certificate: used for connections from now on. */
  useIdentity(certPem: string, keyPem: string): void;
  close(): Promise<void>;
}

/** Limit-hit log lines: at most one a minute. */
const LIMIT_LOG_INTERVAL_MS = 60_000;

/**
 * DNS over QUIC (RFC 9250) on one address: a QUIC endpoint (server/quic/) whose connections are
 * admitted under a total cap and a per-client cap, and whose streams the DoQ handling serves
 * through the same pipeline as UDP and TCP.
 */
export async function listenQuic(address: ListenAddress, handler: MessageHandler, options: DoqOptions, log: Logger): Promise<DoqListener> {
  const counters = new DoqCounters();
  const perClient = new Map<string, number>();
  let total = 0;
  let lastLimitLog = -Infinity;
  const released = (client: string): void => {
    total--;
    const n = (perClient.get(client) ?? 1) - 1;
    if (n > 0) perClient.set(client, n);
    else perClient.delete(client);
  };
  let lastFaultLog = -Infinity;
  const fault = (err: unknown): void => {
    const now = performance.now();
    if (now - lastFaultLog < LIMIT_LOG_INTERVAL_MS) return;
    lastFaultLog = now;
    log.error({ err, faults: counters.internalErrors }, 'fault in DoQ handling; the connection was closed (at most one such line a minute)');
  };
  const streams = new DoqStreams(handler, transportOf('quic', address.family), counters, released, fault);
  const refuse = (why: string, host: string): 'refuse' => {
    counters.handshake.failures.refused++;
    const now = performance.now();
    if (now - lastLimitLog >= LIMIT_LOG_INTERVAL_MS) {
      lastLimitLog = now;
      log.warn({ reason: why, client: host, refused: counters.handshake.failures.refused }, 'quic connection refused at a limit (at most one such line a minute)');
    }
    return 'refuse';
  };
  const buildConfig = (certPem: string, keyPem: string) => buildQuicheConfig('server', { alpn: [DOQ_ALPN], certPem, keyPem }, {
    ...SERVER_LIMITS, idleTimeoutMs: options.idleTimeoutMs, maxStreams: options.maxStreamsPerConnection,
  });
  const policy: QuicServerPolicy = {
    config: buildConfig(options.certPem, options.keyPem),
    handshakeTimeoutMs: options.handshakeTimeoutMs,
      admit: (host) => {
        const client = clientKey(host);
        const from = perClient.get(client) ?? 0;
        if (from >= options.maxConnectionsPerClient) return refuse('client_limit', host);
        if (total >= options.maxConnections) return refuse('full', host);
        perClient.set(client, from + 1);
        total++;
        counters.handshake.pending++;
        return { handlers: streams, state: DoqStreams.stateFor(client) };
      },
  };
  let endpoint: QuicEndpoint;
  try {
    endpoint = await QuicEndpoint.bind(address.host, address.port, address.family, policy);
  } catch (err) {
    throw bindError('quic', address, err as NodeJS.ErrnoException);
  }
  return {
    port: endpoint.port,
    counters,
    endpointCounters: endpoint.counters,
    connections: () => total,
    handshakeCounters: () => counters.handshake,
    useIdentity: (certPem, keyPem) => {
      // new connections get the new certificate; open ones keep theirs
      policy.config = buildConfig(certPem, keyPem);
    },
    close: () => endpoint.close(0, 'server shutting down'),
  };
}
