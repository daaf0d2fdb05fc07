import type { SerialPolicy } from '../../zones/serial.js';

/** The values used when the file and the flags say nothing; the schema shows them to editors. */
export const DEFAULTS = {
  listen: ['127.0.0.1:5300'],
  data: './data',
  logLevel: 'info',
  maxUdpPayload: 1232,
  tcpIdleTimeoutSeconds: 10,
  tcpMaxConnections: 1024,
  answerCacheSize: 200_000,
  serialPolicy: 'increment' as SerialPolicy,
  adminListen: '127.0.0.1:8053',
  /** Response rate limiting, when an `rrl:` section turns it on (BIND's and Knot's usual figures). */
  rrl: { responsesPerSecond: 20, slip: 2, ipv4Prefix: 24, ipv6Prefix: 56 },
};
