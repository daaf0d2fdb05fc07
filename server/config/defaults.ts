import type { SerialPolicy } from '../../zones/serial.js';

/** The values used when the file and the flags say nothing; the schema shows them to editors. */
export const DEFAULTS = {
  listen: ['127.0.0.1:5300'],
  data: './data',
  logLevel: 'info',
  maxUdpPayload: 1232,
  tcpIdleTimeoutSeconds: 10,
  tcpMaxConnections: 1024,
  /** A message's deadline from its first octet (Knot: 500 ms; 2 s covers a segment lost once, RFC 6298's 1 s initial RTO, on a long path). */
  tcpIoTimeoutSeconds: 2,
  /** 1/16 of the cap: one address cannot take the lot; RFC 7766 §6.2.1 asks clients for one connection per server. */
  tcpMaxConnectionsPerClient: 64,
  /** Unsent answers per connection before reading it stops: four 64 KiB messages. */
  tcpMaxUnsentBytes: 256 * 1024,
  answerCacheSize: 200_000,
  /** Zones with a metrics label of their own: each costs one series per listener, QTYPE and RCODE seen. */
  metricsZoneLabels: 50,
  /** A TLS client that has not finished its handshake by then is cut off (it holds a connection slot). */
  tlsHandshakeTimeoutSeconds: 5,
  serialPolicy: 'increment' as SerialPolicy,
  adminListen: '127.0.0.1:8053',
  /** Response rate limiting, when an `rrl:` section turns it on (BIND's and Knot's usual figures). */
  rrl: { responsesPerSecond: 20, slip: 2, ipv4Prefix: 24, ipv6Prefix: 56 },
};
