/**
 * The QUIC library as the rest of meshdns sees it: quiche (Cloudflare's QUIC in Rust) through the
 * N-API binding that `@matrixai/quic` ships prebuilt. This is the only file that imports the
 * package; swapping the library means rewriting this file, `config.ts` and `connection.ts`.
 *
 * The package's own JavaScript layer (QUICServer/QUICConnection/QUICStream on web streams and
 * async events) is not used: it costs ~1.5 ms of CPU per DoQ query, drops streams that arrive
 * with the handshake's last flight, and its `newStream` throws at the peer's stream limit (see the
 * README, "DNS over QUIC"). The binding underneath is quiche's synchronous connection API.
 */
import quiche from '@matrixai/quic/native/quiche.js';
import type { Config, Connection, Header } from '@matrixai/quic/native/types.js';

export type { Config as QuicheConfig, Connection as QuicheConnection, Header as QuicheHeader };

export const Quiche = quiche;

/** Our connection IDs are this long, so a short header's DCID can be cut without a table. */
export const CONNECTION_ID_LENGTH: number = quiche.MAX_CONN_ID_LEN;

/** quiche's send buffer per datagram (it will not write past the path MTU it settled on). */
export const MAX_DATAGRAM_SIZE: number = quiche.MAX_DATAGRAM_SIZE;

export const PacketType = quiche.Type;
export const Shutdown = quiche.Shutdown;

/** quiche reports stream resets and STOP_SENDING as errors named `StreamReset(code)` / `StreamStopped(code)`. */
export function streamErrorCode(err: unknown, kind: 'StreamReset' | 'StreamStopped'): number | undefined {
  if (!(err instanceof Error) || !err.message.startsWith(kind)) return undefined;
  const m = /\((\d{1,16})\)/.exec(err.message);
  return m ? Number(m[1]) : 0;
}

/** quiche's "nothing to do" errors that the binding throws instead of returning. */
export function isDone(err: unknown): boolean {
  return err instanceof Error && err.message === 'Done';
}
