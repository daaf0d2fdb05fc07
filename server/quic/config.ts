import { Quiche, type QuicheConfig } from './native.js';

/**
 * What a QUIC endpoint promises its peers (the transport parameters of RFC 9000 §18.2) and holds
 * itself to. The library's defaults (100 streams, no idle timeout, 10 MiB per connection) suit
 * neither DNS clients, which open a stream per query, nor a server facing the open Internet.
 */
export interface QuicLimits {
  /** Idle timeout (RFC 9000 §10.1), also the longest a handshake may take in total. */
  idleTimeoutMs: number;
  /** Bidirectional streams the peer may have open at once; quiche raises MAX_STREAMS as they finish. */
  maxStreams: number;
  /** Octets the peer may send on one stream before we read them: a DNS message and its prefix fit. */
  maxStreamData: number;
  /** Octets the peer may have in flight on the whole connection. */
  maxConnectionData: number;
  /** Receive window for streams we open (a transfer we pull): grows up to MAX_STREAM_WINDOW. */
  maxLocalStreamData: number;
}

export const SERVER_LIMITS: QuicLimits = {
  idleTimeoutMs: 10_000,
  maxStreams: 1024,
  maxStreamData: 65_537,
  maxConnectionData: 1024 * 1024,
  maxLocalStreamData: 65_537,
};

export const CLIENT_LIMITS: QuicLimits = {
  idleTimeoutMs: 30_000,
  maxStreams: 0,
  maxStreamData: 65_537,
  maxConnectionData: 16 * 1024 * 1024,
  maxLocalStreamData: 4 * 1024 * 1024,
};

export interface QuicTlsOptions {
  alpn: readonly string[];
  /** PEM chain and key: required for a server. */
  certPem?: string;
  keyPem?: string;
  /** PEM CA certificates; when set (client), the chain is verified by BoringSSL against them. */
  caPem?: string;
  /**
   * Client: ask for the peer's chain but let the handshake finish when BoringSSL cannot verify
   * it, so our own check (SPKI pin, or none: opportunistic) decides.
   */
  verifyInCode?: boolean;
}

const encoder = new TextEncoder();

/** A quiche config for one side; 0-RTT stays off (RFC 9250 §4.5: we accept no early data at all). */
export function buildQuicheConfig(role: 'server' | 'client', tls: QuicTlsOptions, limits: QuicLimits): QuicheConfig {
  const verifyPeer = role === 'client';
  const config = Quiche.Config.withBoringSslCtx(
    verifyPeer,
    verifyPeer && tls.verifyInCode === true,
    tls.caPem !== undefined ? encoder.encode(tls.caPem) : null,
    tls.keyPem !== undefined ? [encoder.encode(tls.keyPem)] : null,
    tls.certPem !== undefined ? [encoder.encode(tls.certPem)] : null,
    'ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256:rsa_pkcs1_sha256:ecdsa_secp384r1_sha384:rsa_pss_rsae_sha384:rsa_pkcs1_sha384:rsa_pss_rsae_sha512:rsa_pkcs1_sha512:ed25519',
  );
  config.setApplicationProtos([...tls.alpn]);
  config.setMaxIdleTimeout(limits.idleTimeoutMs);
  config.setMaxRecvUdpPayloadSize(Quiche.MAX_UDP_PACKET_SIZE);
  config.setMaxSendUdpPayloadSize(Quiche.MAX_DATAGRAM_SIZE);
  config.setInitialMaxData(limits.maxConnectionData);
  config.setInitialMaxStreamDataBidiRemote(limits.maxStreamData);
  config.setInitialMaxStreamDataBidiLocal(limits.maxLocalStreamData);
  config.setInitialMaxStreamDataUni(0);
  config.setInitialMaxStreamsBidi(limits.maxStreams);
  // RFC 9250 §4.2: DoQ uses no unidirectional streams
  config.setInitialMaxStreamsUni(0);
  config.setDisableActiveMigration(true);
  config.grease(true);
  return config;
}
