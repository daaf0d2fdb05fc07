import net from 'node:net';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { DOT_ALPN } from '../tls/alpn.js';
import { peerCertificateProblem } from '../tls/peer-verify.js';
import { TransferError } from './transfer-error.js';

/**
 * The connection a transfer in (AXFR, IXFR) runs over, chosen by the primary's `transport`:
 * plain TCP (RFC 5936), TLS (XoT, RFC 9103) or QUIC (XoQ, RFC 9250 §4.2, registered by the QUIC
 * transport). Whatever carries it, a transfer sees a byte stream of 2-octet-length-framed messages.
 * SOA queries and NOTIFY do not come here: they stay on UDP/TCP (RFC 9103 §5).
 */

export type PrimaryTransport = 'tcp' | 'tls' | 'quic';

/** Where and how to reach a primary for a transfer (a subset of xfr-in's Primary, plain data: it crosses to the AXFR child). */
export interface PrimaryEndpoint {
  host: string;
  port: number;
  /** Default tcp. */
  transport?: PrimaryTransport | undefined;
  /** tls/quic: base64 SHA-256 of the primary's DER SubjectPublicKeyInfo; another key fails the connection. */
  pin?: string | undefined;
  /** tls/quic: a PEM file of CA certificates (strict, with hostname); absent with hostname: the system CAs. */
  caFile?: string | undefined;
  /** tls/quic: the name the certificate must carry (strict verification, RFC 9103 §9.3.3; also sent as SNI). */
  hostname?: string | undefined;
}

/** How a tls/quic primary is authenticated (RFC 9103 §9.3: strict with pin or CA+hostname; opportunistic otherwise). */
export type PrimaryAuthentication = 'none' | 'pin' | 'ca';

/** A connected, verified byte stream to a primary. */
export interface PrimaryStream extends AsyncIterable<Buffer> {
  write(data: Buffer): void;
  /** Closes it; with an error, the iteration throws it. */
  destroy(error?: Error): void;
}

export interface OpenOptions {
  /** Nothing received (handshake included) for this long ends the stream with a TransferError. */
  idleTimeoutMs: number;
}

/** Resolves once the stream is connected and the primary authenticated (nothing is sent before). */
export type PrimaryOpener = (primary: PrimaryEndpoint, options: OpenOptions) => Promise<PrimaryStream>;


const openers = new Map<PrimaryTransport, PrimaryOpener>([
  ['tcp', openTcp],
  ['tls', openTls],
]);

/** Adds (or replaces) how one transport opens a primary stream: the QUIC transport registers 'quic'. */
export function registerPrimaryOpener(transport: PrimaryTransport, opener: PrimaryOpener): void {
  openers.set(transport, opener);
}

export function openPrimaryStream(primary: PrimaryEndpoint, options: OpenOptions): Promise<PrimaryStream> {
  const transport = primary.transport ?? 'tcp';
  const opener = openers.get(transport);
  if (!opener) return Promise.reject(new TransferError(`transfers over ${transport} are not available in this build`));
  return opener(primary, options);
}

/** How the primary is authenticated with these settings (for logs: opportunistic is warned about). */
export function authenticationOf(primary: PrimaryEndpoint): PrimaryAuthentication {
  if ((primary.transport ?? 'tcp') === 'tcp') return 'none';
  if (primary.pin !== undefined) return 'pin';
  return primary.hostname !== undefined ? 'ca' : 'none';
}

/** `tls 192.0.2.9:853 (pin)`, for log lines and errors. */
export function describePrimary(primary: PrimaryEndpoint): string {
  const transport = primary.transport ?? 'tcp';
  const at = `${primary.host.includes(':') ? `[${primary.host}]` : primary.host}:${primary.port}`;
  if (transport === 'tcp') return at;
  const auth = authenticationOf(primary);
  return `${transport} ${at} (${auth === 'none' ? 'opportunistic, not authenticated' : auth === 'pin' ? 'pin' : `CA, ${primary.hostname}`})`;
}

function withIdleTimeout(socket: net.Socket, idleTimeoutMs: number): void {
  socket.setTimeout(idleTimeoutMs, () => socket.destroy(new TransferError(`transfer timed out: nothing received for ${idleTimeoutMs / 1000} s`)));
}

function streamOf(socket: net.Socket): PrimaryStream {
  return {
    write: (data) => void socket.write(data),
    destroy: (error) => void socket.destroy(error),
    [Symbol.asyncIterator]: () => socket[Symbol.asyncIterator]() as AsyncIterator<Buffer>,
  };
}

function openTcp(primary: PrimaryEndpoint, options: OpenOptions): Promise<PrimaryStream> {
  const socket = net.connect({ host: primary.host, port: primary.port });
  withIdleTimeout(socket, options.idleTimeoutMs);
  // writes before the connection is up are queued by net.Socket: no need to wait
  return Promise.resolve(streamOf(socket));
}

/**
 * XoT (RFC 9103 §9.3): TLS 1.2 or later, ALPN "dot". The primary is authenticated by its key's
 * pin, or strictly by a CA and the hostname; with neither the connection is opportunistic
 * (encrypted, not authenticated). Nothing is written before the check passed: a TSIG-signed
 * request is not shown to an impostor.
 */
function openTls(primary: PrimaryEndpoint, options: OpenOptions): Promise<PrimaryStream> {
  const auth = authenticationOf(primary);
  const where = describePrimary(primary);
  let ca: string | undefined;
  if (primary.caFile !== undefined) {
    try {
      ca = readFileSync(primary.caFile, 'utf8');
    } catch (err) {
      return Promise.reject(new TransferError(`caFile "${primary.caFile}" cannot be read: ${(err as NodeJS.ErrnoException).code}`));
    }
  }
  const socket = tls.connect({
    host: primary.host,
    port: primary.port,
    ALPNProtocols: [DOT_ALPN],
    minVersion: 'TLSv1.2',
    // RFC 6066 §3: no SNI with an IP address
    ...(primary.hostname !== undefined ? { servername: primary.hostname } : {}),
    ...(auth === 'ca'
      ? { rejectUnauthorized: true, ...(ca !== undefined ? { ca } : {}), checkServerIdentity: (_host: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(primary.hostname!, cert) }
      : { rejectUnauthorized: false, checkServerIdentity: () => undefined }),
  });
  withIdleTimeout(socket, options.idleTimeoutMs);
  return new Promise<PrimaryStream>((resolve, reject) => {
    const failed = (err: Error) => {
      socket.destroy();
      reject(err instanceof TransferError ? err : new TransferError(`TLS connection to ${where} failed: ${err.message}`));
    };
    socket.once('error', failed);
    socket.once('close', () => failed(new TransferError(`TLS connection to ${where} closed before the handshake finished`)));
    socket.once('secureConnect', () => {
      const problem = auth === 'pin' ? pinProblem(socket, primary.pin!) : undefined;
      if (problem !== undefined) return failed(new TransferError(`TLS authentication of ${where} failed: ${problem}`));
      socket.removeAllListeners('close');
      socket.off('error', failed);
      resolve(streamOf(socket));
    });
  });
}

/** Why the primary's certificate does not pass the pin check (its key, and that it is in date), or undefined. */
function pinProblem(socket: tls.TLSSocket, pin: string): string | undefined {
  const cert = socket.getPeerX509Certificate();
  // (the legacy getPeerCertificate().pubkey of an EC certificate is the bare point, not the SPKI)
  return peerCertificateProblem(cert ? [cert] : [], { pin });
}
