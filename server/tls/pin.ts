import { createHash, X509Certificate } from 'node:crypto';

/**
 * The SPKI pin of a certificate: base64 of the SHA-256 of its DER SubjectPublicKeyInfo (RFC 7469
 * §2.4), the form kdig `+tls-pin`, Knot's `cert-key` and our `primaries[].pin` take. It names the
 * key, so it survives re-issuing a certificate for the same key.
 */
export function spkiPin(spkiDer: Uint8Array): string {
  return createHash('sha256').update(spkiDer).digest('base64');
}

/** The pin of the first certificate of a PEM chain. */
export function pinOfPem(certPem: string): string {
  const cert = new X509Certificate(certPem);
  return spkiPin(cert.publicKey.export({ type: 'spki', format: 'der' }));
}
