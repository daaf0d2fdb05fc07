import type { ListenAddress, ListenTransport } from '../listen-address.js';

/** CoreDNS's scheme per transport: plain DNS (UDP and TCP share it, `proto` tells them apart), DoT, DoQ. */
const SCHEME: Record<ListenTransport, string> = { udp: 'dns', tcp: 'dns', tls: 'tls', quic: 'quic' };

/** The metrics' `server` label of a listener, as CoreDNS writes it: `dns://127.0.0.1:53`, `tls://[::1]:853`. */
export function serverLabel(transport: ListenTransport, address: Pick<ListenAddress, 'host' | 'port'>): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${SCHEME[transport]}://${host}:${address.port}`;
}
