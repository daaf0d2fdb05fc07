import { execFileSync, spawnSync } from 'node:child_process';

/** Fails (never skips) when a peer tool is missing, naming the Debian package that has it. */
export function requireTool(tool: string, debianPackage: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  if (found.status !== 0) {
    throw new Error(`${tool} is not installed: apt-get install -y ${debianPackage} (.ci/run installs it)`);
  }
}

/** Runs dig (or kdig) and returns its stdout. */
export function dig(args: string[], tool: 'dig' | 'kdig' = 'dig'): string {
  requireTool(tool, tool === 'dig' ? 'bind9-dnsutils' : 'knot-dnsutils');
  return execFileSync(tool, args, { encoding: 'utf8', timeout: 15_000 });
}

/** Records of the answer section from `dig +noall +answer` style output: [name, ttl, class, type, rdata]. */
export function records(output: string): string[][] {
  return output
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith(';'))
    .map((l) => {
      const parts = l.trim().split(/\s+/);
      return [parts[0]!, parts[1]!, parts[2]!, parts[3]!, parts.slice(4).join(' ')];
    });
}
