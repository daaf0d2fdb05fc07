import { randomBytes, webcrypto } from 'node:crypto';

/**
 * A self-signed ECDSA P-256 certificate for the tls and quic listeners when no files are
 * configured. node:crypto makes keys but not certificates; node-forge makes RSA certificates only;
 * @peculiar/x509 signs on Node's own WebCrypto, so the key never leaves node:crypto and the
 * certificate is a small P-256 one (the README has the measured costs). Loaded only when needed.
 */

/** Long-lived on purpose: peers authenticate it by its key (SPKI pin), not by a CA or its dates. */
const VALIDITY_YEARS = 20;

export interface PemPair {
  certPem: string;
  keyPem: string;
}

export async function makeSelfSigned(commonName = 'meshdns'): Promise<PemPair> {
  await import('reflect-metadata'); // @peculiar/x509's dependency injection needs it loaded first
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as never);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALIDITY_YEARS);
  const serial = randomBytes(16);
  serial[0]! &= 0x7f; // a positive INTEGER (RFC 5280 §4.1.2.2)
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: `CN=${commonName}`,
    notBefore,
    notAfter,
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: commonName }]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
  return { certPem: cert.toString('pem') + '\n', keyPem };
}
