import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { spkiPin } from './pin.js';

/**
 * Checks a primary's certificate chain the way XoT/XoQ authenticate it (RFC 9103 §9.3), for
 * transports whose library hands over the certificates instead of verifying them (QUIC): by the
 * pin of the first certificate's key, or strictly by a chain to a CA (caFile, else the system
 * CAs) and the hostname. node:tls does the same itself for tls primaries (xfr/primary-stream.ts).
 */
export interface PeerAuthentication {
  pin?: string | undefined;
  /** PEM file of CA certificates; absent with hostname: the system CAs. */
  caFile?: string | undefined;
  hostname?: string | undefined;
}

const MAX_CHAIN = 10;

/** Why the chain (the peer's own certificate first) does not authenticate the peer, or undefined when it does. */
export function peerCertificateProblem(chain: readonly X509Certificate[], auth: PeerAuthentication, now = Date.now()): string | undefined {
  const leaf = chain[0];
  if (!leaf) return 'the peer sent no certificate';
  if (auth.pin !== undefined) {
    const theirs = spkiPin(leaf.publicKey.export({ type: 'spki', format: 'der' }));
    if (theirs !== auth.pin) return `its certificate's key has pin ${theirs}, not the configured pin ${auth.pin}`;
    return datesProblem(leaf, now);
  }
  if (auth.hostname === undefined) return undefined; // opportunistic: encrypted, not authenticated
  const matches = isIP(auth.hostname) !== 0 ? leaf.checkIP(auth.hostname) !== undefined : leaf.checkHost(auth.hostname) !== undefined;
  if (!matches) {
    return `its certificate is not for ${auth.hostname}`;
  }
  const anchors = trustAnchors(auth.caFile);
  let cert = leaf;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    const dates = datesProblem(cert, now);
    if (dates) return dates;
    const anchor = anchors.find((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
    if (anchor) return datesProblem(anchor, now);
    const next = chain.find((c) => c !== cert && cert.checkIssued(c) && cert.verify(c.publicKey) && c.ca);
    if (!next) return `its certificate does not chain to ${auth.caFile !== undefined ? `a CA of ${auth.caFile}` : 'a system CA'}`;
    cert = next;
  }
  return 'its certificate chain is too long';
}

function datesProblem(cert: X509Certificate, now: number): string | undefined {
  if (now > Date.parse(cert.validTo)) return `its certificate (${cert.subject.replace(/\n/g, ', ')}) expired on ${new Date(cert.validTo).toISOString()}`;
  if (now < Date.parse(cert.validFrom)) return `its certificate (${cert.subject.replace(/\n/g, ', ')}) is not valid before ${new Date(cert.validFrom).toISOString()}`;
  return undefined;
}

/** The CA certificates of a PEM file (or the system's): read at each check, so a replaced file counts. */
function trustAnchors(caFile: string | undefined): X509Certificate[] {
  const pems = caFile === undefined ? [...rootCertificates] : splitPem(readFileSync(caFile, 'utf8'));
  const out: X509Certificate[] = [];
  for (const pem of pems) {
    try {
      out.push(new X509Certificate(pem));
    } catch {
      // (a malformed entry trusts nothing)
    }
  }
  return out;
}

function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}
