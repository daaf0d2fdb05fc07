import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const GENERATED_TOKEN_FILE = 'admin.token';

/**
 * The token used when none is configured (loopback only): made once, kept in `<data>/admin.token`
 * readable by its owner only, and reused across restarts. The API is never open without a token:
 * a loopback listener is still reachable from every local user and, through DNS rebinding, from
 * web pages.
 */
export function generatedToken(dataDir: string): { token: string; file: string } {
  const file = join(dataDir, GENERATED_TOKEN_FILE);
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (token !== '') return { token, file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // never a leading "-": `--token $(cat admin.token)` must not read as an option (1 token in 64 did)
  const token = `m${randomBytes(32).toString('base64url')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, file };
}
