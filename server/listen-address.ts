import { isIP } from 'node:net';

/** The transports one listen entry can run (the DNS listeners; the admin and metrics listeners ignore it). */
export type ListenTransport = 'udp' | 'tcp';

export interface ListenAddress {
  host: string;
  port: number;
  family: 4 | 6;
  /** As written, for messages. */
  text: string;
  /** Which DNS transports run on this address: a plain `ADDR:PORT` means UDP and TCP. */
  transports: readonly ListenTransport[];
}

type Fail = (key: string, value: unknown, why: string) => never;

/** `127.0.0.1:5300`, `[::1]:5300`. */
export function parseListen(value: unknown, key: string, fail: Fail): ListenAddress {
  if (typeof value !== 'string') return fail(key, value, 'must be a string ADDR:PORT');
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(value) ?? /^([^:[\]]+):(\d+)$/.exec(value);
  if (!m) return fail(key, value, 'is not ADDR:PORT (IPv6 as [::1]:5300)');
  const host = m[1]!;
  const port = Number(m[2]);
  const family = isIP(host);
  if (family === 0) return fail(key, value, `has "${host}", which is not an IP address`);
  if (port > 65535) return fail(key, value, `has port ${port}, above 65535`);
  return { host, port, family: family as 4 | 6, text: value, transports: ['udp', 'tcp'] };
}
