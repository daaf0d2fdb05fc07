import { isIP } from 'node:net';

/** The transports one listen entry can run (the DNS listeners; the admin and metrics listeners ignore it). */
export type ListenTransport = 'udp' | 'tcp' | 'tls' | 'quic';

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

/** A `listen:` entry once the schema pass has seen it: `"ADDR:PORT"` or `{address, transport}`. */
export type ListenEntry = string | { address: string; transport: ListenTransport };

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

/**
 * The DNS listen list: each entry an address with its transports. The same address, port and
 * transport twice is refused naming both entries (the second bind would fail with EADDRINUSE, or
 * on Linux with SO_REUSEPORT quietly split the traffic). Port 0 asks for a fresh port each time,
 * so it never repeats.
 */
export function parseListenList(entries: readonly ListenEntry[], key: string, fail: Fail): ListenAddress[] {
  const seen = new Map<string, string>();
  return entries.map((entry, i) => {
    const at = `${key}[${i}]`;
    const address = typeof entry === 'string'
      ? parseListen(entry, at, fail)
      : { ...parseListen(entry.address, `${at}.address`, fail), transports: [entry.transport] };
    for (const transport of address.transports) {
      if (address.port === 0) continue;
      const id = `${transport} ${canonicalHost(address)}:${address.port}`;
      const first = seen.get(id);
      if (first !== undefined) fail(at, entry, `listens on ${transport} ${address.text}, as ${first} already does`);
      seen.set(id, at);
    }
    return address;
  });
}

/** `::1`, `0:0::1` and `[::0001]` are one address. */
function canonicalHost(address: ListenAddress): string {
  if (address.family === 4) return address.host;
  try {
    return new URL(`http://[${address.host}]/`).hostname;
  } catch {
    return address.host.toLowerCase(); // a scoped address (fe80::1%eth0) is not a URL host
  }
}
