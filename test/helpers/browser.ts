import { spawnSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's chromium driven by playwright-core (a browser download is not possible here). A missing
 * browser fails the test with the package to install; it never skips.
 */
export async function launchChromium(): Promise<Browser> {
  const found = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' });
  const executablePath = found.stdout.trim().split('\n')[0];
  if (found.status !== 0 || !executablePath) {
    throw new Error('chromium is not installed: apt-get install -y chromium (.ci/run installs it)');
  }
  return chromium.launch({ executablePath, headless: true, timeout: 60_000 });
}
