import { readFileSync } from 'node:fs';

/** meshdns's version from package.json (three folders up from dist/server/metrics/). */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The labels of `meshdns_build_info`: what runs, for dashboards that compare nodes across an upgrade. */
export function buildInfo(): { version: string; node: string } {
  return { version: packageVersion(), node: process.versions.node };
}
