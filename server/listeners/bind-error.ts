import type { ListenAddress } from '../listen-address.js';

export class ListenError extends Error {
  override name = 'ListenError';
  readonly code = 'MESHDNS_ERR_LISTEN';
}

/** A one-line reason for a failed bind instead of a stack trace. */
export function bindError(proto: string, address: ListenAddress, err: unknown): ListenError {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${proto} ${address.text}`;
  if (code === 'EADDRINUSE') return new ListenError(`cannot listen on ${where}: the port is already in use`);
  if (code === 'EACCES') return new ListenError(`cannot listen on ${where}: permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)`);
  if (code === 'EADDRNOTAVAIL') return new ListenError(`cannot listen on ${where}: the address is not on this host`);
  return new ListenError(`cannot listen on ${where}: ${(err as Error).message}`);
}
