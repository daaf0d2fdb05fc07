import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import { getBlob, putBlobOnce } from '../../zones/store/blob-store.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import type { TlsSettings } from '../config.js';
import { pinOfPem } from './pin.js';
import { makeSelfSigned } from './self-signed.js';

/** The certificate the tls and quic listeners present, and what to show about it (never the key). */
export interface TlsIdentity {
  /** PEM chain, the server's own certificate first. */
  readonly certPem: string;
  /** PEM private key (never logged). */
  readonly keyPem: string;
  /** base64 SHA-256 of the DER SubjectPublicKeyInfo (kdig +tls-pin, Knot cert-key). */
  readonly pin: string;
  readonly source: 'files' | 'self-signed';
  readonly subject: string;
  readonly validTo: string;
}

/** A certificate that cannot be used (unreadable, not PEM, a key of another certificate): one line for the operator. */
export class TlsCertificateError extends Error {
  override name = 'TlsCertificateError';
  readonly code = 'MESHDNS_ERR_TLS';
}

/** Where a self-signed identity is kept (zones/store/blob-store.ts): PEM certificate and key in one JSON value. */
export const SELF_SIGNED_BLOB = 'tls.self-signed';

/** How often configured files are looked at for a change (stat polling follows symlink swaps, as Kubernetes secrets do). */
const WATCH_INTERVAL_MS = 1000;

export type IdentityListener = (identity: TlsIdentity) => void;

/**
 * The certificate source of the tls and quic listeners: configured PEM files, re-read when they
 * change (cert-manager rotation: new connections get the new certificate, open ones keep theirs),
 * or a self-signed ECDSA P-256 certificate made at first start and kept in LMDB, so its pin stays
 * the same across restarts and is the same for every process on the data folder.
 */
export class CertificateSource {
  private identity: TlsIdentity;
  private readonly listeners = new Set<IdentityListener>();
  private watching: string[] = [];

  private constructor(identity: TlsIdentity, private readonly log: Logger | undefined) {
    this.identity = identity;
  }

  /** Loads (or makes) the identity; throws a clear error when the files are unreadable or do not match. */
  static async open(settings: TlsSettings, store: LmdbStore, log?: Logger): Promise<CertificateSource> {
    if (settings.certFile !== undefined && settings.keyFile !== undefined) {
      const source = new CertificateSource(readIdentityFiles(settings.certFile, settings.keyFile), log);
      if (settings.reloadOnChange) source.watch(settings.certFile, settings.keyFile);
      return source;
    }
    return new CertificateSource(await selfSignedIdentity(store), log);
  }

  /** A source around a fixed identity (tests, tools). */
  static of(identity: TlsIdentity): CertificateSource {
    return new CertificateSource(identity, undefined);
  }

  get current(): TlsIdentity {
    return this.identity;
  }

  /** Called with each new identity after a reload; returns the unsubscribe function. */
  onChange(listener: IdentityListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-reads the files now (the watcher calls this); a bad pair is logged and the current one kept. */
  reload(certFile: string, keyFile: string): boolean {
    let next: TlsIdentity;
    try {
      next = readIdentityFiles(certFile, keyFile);
    } catch (err) {
      // often the certificate is replaced a moment before its key: the key's change retries
      this.log?.warn({ certFile, keyFile, reason: (err as Error).message }, 'tls: new certificate files not used (the current certificate stays)');
      return false;
    }
    if (next.certPem === this.identity.certPem && next.keyPem === this.identity.keyPem) return false;
    this.identity = next;
    this.log?.info({ pin: next.pin, subject: next.subject, validTo: next.validTo, certFile }, 'tls: certificate reloaded; new connections use it');
    for (const listener of this.listeners) listener(next);
    return true;
  }

  private watch(certFile: string, keyFile: string): void {
    const changed = (now: Stats, before: Stats) => {
      if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size) this.reload(certFile, keyFile);
    };
    for (const file of [certFile, keyFile]) {
      watchFile(file, { interval: WATCH_INTERVAL_MS, persistent: false }, changed);
      this.watching.push(file);
    }
  }

  close(): void {
    for (const file of this.watching) unwatchFile(file);
    this.watching = [];
    this.listeners.clear();
  }
}

function readIdentityFiles(certFile: string, keyFile: string): TlsIdentity {
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new TlsCertificateError(`tls.${what} "${file}" cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  return identityOf(read(certFile, 'certFile'), read(keyFile, 'keyFile'), 'files', `tls.certFile "${certFile}" with tls.keyFile "${keyFile}"`);
}

/** Checks that the pair is usable (the key matches the certificate) and describes it. */
export function identityOf(certPem: string, keyPem: string, source: TlsIdentity['source'], where = 'the certificate'): TlsIdentity {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
    // (throws on a key that does not belong to the certificate: "key values mismatch")
    createSecureContext({ cert: certPem, key: keyPem });
  } catch (err) {
    throw new TlsCertificateError(`${where}: ${(err as Error).message}`);
  }
  return { certPem, keyPem, pin: pinOfPem(certPem), source, subject: cert.subject.replace(/\n/g, ', '), validTo: new Date(cert.validTo).toISOString() };
}

async function selfSignedIdentity(store: LmdbStore): Promise<TlsIdentity> {
  let stored = getBlob(store, SELF_SIGNED_BLOB);
  if (stored === undefined) {
    const made = await makeSelfSigned();
    // another process on the same data folder may have made one meanwhile: the first one stays
    stored = putBlobOnce(store, SELF_SIGNED_BLOB, Buffer.from(JSON.stringify(made)));
  }
  const { certPem, keyPem } = JSON.parse(stored.toString('utf8')) as { certPem: string; keyPem: string };
  return identityOf(certPem, keyPem, 'self-signed', 'the self-signed certificate kept in the data folder');
}
