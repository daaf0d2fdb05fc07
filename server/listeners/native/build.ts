// `npm run build` step: compile udp-batch.c into dist/server/listeners/native/udp-batch.node.
//
// The addon is optional. Without a C compiler or Node's headers this prints why and exits 0, and
// the server serves UDP through node:dgram (and says so in its log). Node's headers come with the
// Node binary the scripts run on (the `node` devDependency ships them in include/node), else from
// Debian's /usr/include/node; the addon uses Node-API and libuv's stable ABI only.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..', '..', '..');
const SOURCE = join(ROOT, 'server', 'listeners', 'native', 'udp-batch.c');
const OUTPUT = join(HERE, 'udp-batch.node');

function headerDirs(): string[] {
  const dirs = [resolve(dirname(process.execPath), '..', 'include', 'node')];
  // the `node` package installs the binary from a per-platform package that keeps the headers
  const platformPackages = join(ROOT, 'node_modules', 'node', 'node_modules');
  if (existsSync(platformPackages)) {
    for (const name of readdirSync(platformPackages)) dirs.push(join(platformPackages, name, 'include', 'node'));
  }
  dirs.push('/usr/include/node');
  return dirs;
}

function build(): string | undefined {
  if (existsSync(OUTPUT) && statSync(OUTPUT).mtimeMs >= statSync(SOURCE).mtimeMs) return undefined;
  const include = headerDirs().find((d) => existsSync(join(d, 'node_api.h')) && existsSync(join(d, 'uv.h')));
  if (include === undefined) return 'Node headers (node_api.h, uv.h) not found';
  rmSync(OUTPUT, { force: true }); // never leave an addon older than its source behind
  const compiler = process.env['CC'] ?? 'cc';
  const result = spawnSync(compiler, ['-O2', '-fPIC', '-shared', '-std=gnu11', '-Wall', '-Wextra', '-Werror', '-I', include, '-o', OUTPUT, SOURCE], {
    encoding: 'utf8',
  });
  if (result.error) return `${compiler}: ${result.error.message} (install Debian's gcc)`;
  if (result.status !== 0) return `${compiler} failed:\n${result.stderr}`;
  return undefined;
}

const problem = build();
if (problem !== undefined) {
  console.warn(`meshdns: the batched UDP addon was not built (${problem}); UDP will be served by node:dgram`);
}
