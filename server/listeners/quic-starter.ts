import type { Logger } from 'pino';
import type { ListenAddress } from '../listen-address.js';
import type { MessageHandler } from '../transports.js';
import type { Bound, DnsListenerOptions } from './dns-listeners.js';
import { DOQ_DEFAULTS, listenQuic } from './quic.js';
import { STREAM_DEFAULTS } from './stream.js';
import { withStreamEdns } from './stream-edns.js';

/**
 * A `transport: quic` listen entry: DoQ with the tls listeners' certificate (a rotated one is used
 * for new connections), the TCP idle timeout and connection caps, the TLS handshake timeout.
 */
export async function startQuic(address: ListenAddress, handler: MessageHandler, options: DnsListenerOptions, log: Logger): Promise<Bound> {
  const certificates = options.certificates;
  if (!certificates) throw new Error('a quic listener needs a certificate source');
  const identity = certificates.current;
  // RFC 9250 §5.4: answers to padded queries are padded (RFC 8467); keepalive never comes back (a query with it is refused)
  const doqHandler = withStreamEdns(handler, { keepaliveMs: 0, pad: true });
  const listener = await listenQuic(address, doqHandler, {
    certPem: identity.certPem,
    keyPem: identity.keyPem,
    idleTimeoutMs: options.tcp.idleTimeoutMs,
    handshakeTimeoutMs: options.tls?.handshakeTimeoutMs ?? DOQ_DEFAULTS.handshakeTimeoutMs,
    maxConnections: options.tcp.maxConnections,
    maxConnectionsPerClient: options.tcp.maxConnectionsPerClient ?? STREAM_DEFAULTS.maxConnectionsPerClient,
    maxStreamsPerConnection: DOQ_DEFAULTS.maxStreamsPerConnection,
  }, log);
  const unsubscribe = certificates.onChange((next) => listener.useIdentity(next.certPem, next.keyPem));
  return {
    proto: 'quic',
    port: listener.port,
    detail: { pin: identity.pin, maxStreamsPerConnection: DOQ_DEFAULTS.maxStreamsPerConnection },
    connections: () => listener.connections(),
    handshakes: listener.handshakeCounters(),
    quic: listener,
    close: async () => {
      unsubscribe();
      await listener.close();
    },
  };
}
