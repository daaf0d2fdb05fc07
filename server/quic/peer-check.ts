import { createHash, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * How a client authenticates the server it connects to (RFC 9103 §9.3 for XoT/XoQ; RFC 8310
 * profiles): the SHA-256 of the leaf's SubjectPublicKeyInfo (the pin kdig `+tls-pin` and Knot
 * `cert-key` take), CA verification with a hostname (strict), or nothing (opportunistic).
 */
export type PeerCheck =
  | { readonly mode: 'pin'; readonly pin: string }
  | { readonly mode: 'ca'; /** Absent: the system's CA certificates. */ readonly caPem?: string | undefined; readonly hostname: string }
  | { readonly mode: 'opportunistic' }
  /** The owner's own check of the chain (leaf first): a reason to refuse it, or undefined. */
  | { readonly mode: 'custom'; verify(chain: readonly X509Certificate[]): string | undefined };

export class PeerCheckError extends Error {
  override name = 'PeerCheckError';
  readonly code = 'MESHDNS_ERR_PEER_CERTIFICATE';
}

/** base64 SHA-256 of a certificate's SubjectPublicKeyInfo (DER). */
export function spkiPin(certDer: Uint8Array): string {
  const spki = new X509Certificate(certDer).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/**
 * Checks the chain the server sent (leaf first, DER) once the handshake is done. The CA path is
 * verified by BoringSSL during the handshake; the name is checked here too (an IP address
 * against the IP SANs), and the leaf's validity dates with every mode but opportunistic.
 */
export function checkPeer(check: PeerCheck, chain: readonly Uint8Array[], now = new Date()): void {
  if (check.mode === 'opportunistic') return;
  if (check.mode === 'custom') {
    const problem = check.verify(chain.map((der) => new X509Certificate(der)));
    if (problem !== undefined) throw new PeerCheckError(problem);
    return;
  }
  const leafDer = chain[0];
  if (leafDer === undefined) throw new PeerCheckError('the server sent no certificate');
  const leaf = new X509Certificate(leafDer);
  if (new Date(leaf.validTo) < now) throw new PeerCheckError(`the server's certificate expired on ${leaf.validTo}`);
  if (new Date(leaf.validFrom) > now) throw new PeerCheckError(`the server's certificate is not valid before ${leaf.validFrom}`);
  if (check.mode === 'pin') {
    const got = spkiPin(leafDer);
    if (got !== check.pin) throw new PeerCheckError(`the server's key pin is "${got}", not the configured "${check.pin}"`);
    return;
  }
  const matches = isIP(check.hostname) !== 0 ? leaf.checkIP(check.hostname) : leaf.checkHost(check.hostname);
  if (matches === undefined) throw new PeerCheckError(`the server's certificate is not for "${check.hostname}"`);
}
