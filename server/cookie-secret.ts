import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CookieSettings } from './config.js';
import { ConfigError } from './config/error.js';
import type { CookieSecrets } from './limits/cookies.js';

export const GENERATED_COOKIE_SECRET_FILE = 'cookie.secret';

/**
 * The server cookie secrets (RFC 9018 §4.4: shared by every server of a site that answers the same
 * clients): from the config, from `secretFile`, or made once and kept in `<data>/cookie.secret`
 * (owner-readable only, like the admin token), where every process on that data dir finds it.
 * A file holds the current secret on its first line and, during a rotation, the previous one on
 * the second: to rotate, put a new first line above the old one and reload.
 */
export function cookieSecrets(settings: CookieSettings, dataDir: string): { secrets: CookieSecrets; source: string } {
  if (settings.secret !== undefined) {
    return {
      secrets: { current: Buffer.from(settings.secret, 'hex'), previous: settings.previousSecret === undefined ? undefined : Buffer.from(settings.previousSecret, 'hex') },
      source: 'cookies.secret',
    };
  }
  const file = settings.secretFile ?? join(dataDir, GENERATED_COOKIE_SECRET_FILE);
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' || settings.secretFile !== undefined) {
      throw new ConfigError(`cookies.secretFile: "${file}" cannot be read: ${code ?? (err as Error).message}`);
    }
  }
  if (text === undefined) {
    const secret = randomBytes(16);
    writeFileSync(file, `${secret.toString('hex')}\n`, { mode: 0o600 });
    return { secrets: { current: secret, previous: undefined }, source: file };
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const secrets = lines.slice(0, 2).map((line, i) => {
    // the secret itself is never quoted
    if (!/^[0-9a-fA-F]{32}$/.test(line)) throw new ConfigError(`cookies.secretFile: "${file}" line ${i + 1} is not 32 hex digits (16 octets)`);
    return Buffer.from(line, 'hex');
  });
  if (secrets.length === 0) throw new ConfigError(`cookies.secretFile: "${file}" holds no secret`);
  return { secrets: { current: secrets[0]!, previous: secrets[1] }, source: file };
}
