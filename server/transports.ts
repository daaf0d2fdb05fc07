/**
 * The DNS transports as one table: listeners, the per-transport counters, the metrics labels and
 * the query log all read it. A row's index is its id, the small number the pipeline gets per
 * message.
 */

export type TransportProto = 'udp' | 'tcp' | 'tls' | 'quic';

export interface TransportRow {
  readonly id: number;
  readonly proto: TransportProto;
  readonly family: 4 | 6;
  /** As logged: `udp4`, `tcp6`... */
  readonly name: string;
  /** Carried in a byte stream with 2-octet length framing (RFC 7766 §8; RFC 7858; RFC 9250 §4.2): no truncation, transfers allowed. */
  readonly stream: boolean;
  /** A listener exists for it (the metrics show its size histograms). */
  readonly served: boolean;
}

export const Transport = { UDP4: 0, UDP6: 1, TCP4: 2, TCP6: 3, TLS4: 4, TLS6: 5, QUIC4: 6, QUIC6: 7 } as const;
export type TransportId = (typeof Transport)[keyof typeof Transport];

const row = (id: TransportId, proto: TransportProto, family: 4 | 6, stream: boolean, served: boolean): TransportRow =>
  ({ id, proto, family, name: `${proto}${family}`, stream, served });

export const TRANSPORTS: readonly TransportRow[] = [
  row(Transport.UDP4, 'udp', 4, false, true),
  row(Transport.UDP6, 'udp', 6, false, true),
  row(Transport.TCP4, 'tcp', 4, true, true),
  row(Transport.TCP6, 'tcp', 6, true, true),
  row(Transport.TLS4, 'tls', 4, true, true),
  row(Transport.TLS6, 'tls', 6, true, true),
  row(Transport.QUIC4, 'quic', 4, true, true),
  row(Transport.QUIC6, 'quic', 6, true, true),
];

/** The protocols in table order, each once: what per-protocol counters are indexed by. */
export const PROTOS: readonly TransportProto[] = [...new Set(TRANSPORTS.map((t) => t.proto))];

/** Per transport id: 1 when it is a stream transport (one typed-array load on the query path). */
export const IS_STREAM = Uint8Array.from(TRANSPORTS, (t) => (t.stream ? 1 : 0));

/** Per transport id: the index of its protocol in PROTOS. */
export const PROTO_INDEX = Uint8Array.from(TRANSPORTS, (t) => PROTOS.indexOf(t.proto));

/** The row of a protocol on an address family. */
export function transportOf(proto: TransportProto, family: 4 | 6): TransportId {
  const found = TRANSPORTS.find((t) => t.proto === proto && t.family === family);
  if (!found) throw new RangeError(`no transport "${proto}" for IPv${family}`);
  return found.id as TransportId;
}

/** What a listener hands each message to (the query pipeline). */
export interface MessageHandler {
  /**
   * One message in, its answer out: a Buffer, nothing (silence), or over a stream a lazy sequence
   * of messages (zone transfers). `peer` is the client's address, or how to get it; `binding` the
   * listener's metrics row (the `server` label).
   */
  handle(msg: Buffer, transport: TransportId, peer?: PeerAddress, binding?: number): Buffer | Iterable<Buffer> | undefined;
}

/** A client's address as text, or a function giving it: only signed and special messages need it. */
export type PeerAddress = string | (() => string);
