import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The API token, replaceable on reload. Candidates are compared as SHA-256 digests with
 * timingSafeEqual, so neither the content nor the length of the token leaks through timing.
 */
export class TokenHolder {
  private digest: Buffer;

  constructor(token: string) {
    this.digest = sha256(token);
  }

  set(token: string): void {
    this.digest = sha256(token);
  }

  matches(candidate: string): boolean {
    return timingSafeEqual(sha256(candidate), this.digest);
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The token a request carries: `Authorization: Bearer <token>` or PowerDNS's `X-API-Key: <token>`. */
export function presentedToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth);
    if (m) return m[1];
  }
  const key = headers['x-api-key'];
  if (typeof key === 'string' && key !== '') return key.trim();
  return undefined;
}
