// The deployment kit, tested as far as this machine allows (no Docker daemon, no systemd as init):
// the Dockerfile's stages, sources and build command (run for real on the files .dockerignore lets
// through), the image's config, the systemd unit (systemd-analyze verify and security), the npm
// tarball an install uses, and the LICENSE against package.json.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { requireTool } from '../helpers/tools.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const pkg = JSON.parse(read('package.json')) as { version: string; license: string; engines: { node: string }; bin: Record<string, string> };

interface Instruction { keyword: string; args: string }
interface Stage { from: string; name: string | undefined; instructions: Instruction[] }

/** The Dockerfile as stages of instructions (continuation lines joined, comments dropped). */
function dockerfileStages(): Stage[] {
  const lines = read('Dockerfile').split('\n').filter((l) => !/^\s*#/.test(l));
  const joined = lines.join('\n').replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const stages: Stage[] = [];
  for (const line of joined) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') {
      const [, from = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ from, name, instructions: [] });
    } else {
      assert.ok(stages.length > 0, `"${line}" comes before any FROM`);
      stages.at(-1)!.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

/** `>=22.19` → [22, 19]. */
function enginesMinimum(): [number, number] {
  const m = /^>=\s*(\d+)(?:\.(\d+))?/.exec(pkg.engines.node);
  assert.ok(m, `engines.node "${pkg.engines.node}" is a >= range`);
  return [Number(m[1]), Number(m[2] ?? 0)];
}

/** Top-level names .dockerignore keeps out of the build context (it lists plain names only). */
const dockerignored = (): Set<string> => new Set(read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')));

const temps: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('Dockerfile', () => {
  test('every stage runs a Node the engines field accepts; the image runs as a non-root user', () => {
    const stages = dockerfileStages();
    assert.ok(stages.length >= 2, 'multi-stage: a build stage and a runtime stage');
    const [major, minor] = enginesMinimum();
    for (const stage of stages) {
      const m = /^node:(\d+)(?:\.(\d+))?/.exec(stage.from);
      assert.ok(m, `stage "${stage.from}" is an official node image with a version in its tag`);
      const [tagMajor, tagMinor] = [Number(m[1]), m[2] === undefined ? undefined : Number(m[2])];
      // a bare major tag (node:24) is that major's latest release
      const ok = tagMajor > major || (tagMajor === major && (tagMinor === undefined ? true : tagMinor >= minor));
      assert.ok(ok, `"${stage.from}" satisfies engines.node "${pkg.engines.node}"`);
    }
    const runtime = stages.at(-1)!;
    const of = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
    const user = of('USER').at(-1);
    assert.ok(user !== undefined && user !== 'root' && user !== '0', `the runtime stage ends as a non-root user (USER ${user})`);
    assert.ok(of('RUN').some((r) => /\bnpm ci\b.*--omit=dev/.test(r)), 'production dependencies only: npm ci --omit=dev');
    assert.ok(of('HEALTHCHECK').some((h) => h.includes('/healthz')), 'a HEALTHCHECK on /healthz');
    const exposed = of('EXPOSE').join(' ').split(/\s+/);
    for (const port of ['53/udp', '53/tcp', '8053']) assert.ok(exposed.includes(port), `EXPOSE ${port}`);
    const volume = of('VOLUME').join(' ');
    const data = /^data:\s*(\S+)/m.exec(read('deploy/docker/meshdns.yaml'))?.[1];
    assert.ok(data && volume.includes(data), `the config's data folder "${data}" is a VOLUME (${volume})`);
    assert.ok(runtime.instructions.some((i) => i.keyword === 'COPY' && i.args.includes('--from=')), 'the runtime stage takes the build from the build stage');
    assert.ok(!of('RUN').some((r) => /\b(gcc|build-essential|typescript)\b/.test(r)), 'no compiler in the runtime image');
  });

  test('every COPY source exists and is in the build context', () => {
    const ignored = dockerignored();
    const copies = dockerfileStages().flatMap((s) => s.instructions).filter((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && !i.args.includes('--from='));
    assert.ok(copies.length >= 3);
    for (const copy of copies) {
      const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const source of parts.slice(0, -1)) {
        assert.ok(existsSync(join(ROOT, source)), `COPY source "${source}" exists`);
        assert.ok(!ignored.has(source.split('/')[0]!), `COPY source "${source}" is not left out by .dockerignore`);
      }
    }
    for (const needed of ['node_modules', 'dist', '.git', 'data']) assert.ok(ignored.has(needed), `.dockerignore leaves out ${needed}`);
  });

  test('the build stage\'s commands build the server from the context .dockerignore leaves, and it starts from there', () => {
    const build = dockerfileStages()[0]!;
    const compile = build.instructions.find((i) => i.keyword === 'RUN' && i.args.includes('tsc'));
    assert.ok(compile, 'a RUN that compiles');
    // the context as Docker would send it, with the dependencies `npm ci` gives the stage
    const context = tempDir('meshdns-docker-context-');
    const ignored = dockerignored();
    for (const entry of readdirSync(ROOT)) if (!ignored.has(entry)) cpSync(join(ROOT, entry), join(context, entry), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(context, 'node_modules'));
    const run = spawnSync('sh', ['-ec', compile.args], {
      cwd: context, encoding: 'utf8', env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}` },
    });
    assert.equal(run.status, 0, `${compile.args}\n${run.stdout}\n${run.stderr}`);
    // what the runtime stage copies: package.json and dist/ (dependencies: the same node_modules)
    const image = tempDir('meshdns-docker-image-');
    cpSync(join(context, 'package.json'), join(image, 'package.json'));
    cpSync(join(context, 'dist'), join(image, 'dist'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(image, 'node_modules'));
    assert.ok(!existsSync(join(image, 'dist', 'test')), 'no tests in the image');
    const cli = join(image, 'dist', 'server', 'cli.js');
    const version = spawnSync(process.execPath, [cli, '--version'], { encoding: 'utf8' });
    assert.equal(version.stdout.trim(), `meshdns ${pkg.version}`, version.stderr);
    const check = spawnSync(process.execPath, [cli, 'config', 'check', join(ROOT, 'deploy', 'docker', 'meshdns.yaml')], { encoding: 'utf8' });
    assert.equal(check.status, 0, `the image's config is valid: ${check.stdout}${check.stderr}`);
  });
});

describe('systemd unit', () => {
  const UNIT = 'deploy/systemd/meshdns.service';
  const settings = () => read(UNIT).split('\n').filter((l) => /^\w+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const);
  const value = (key: string) => settings().filter(([k]) => k === key).map(([, v]) => v);

  test('hardening: dynamic user, its state folder writable, port 53 by capability only, read-only system', () => {
    assert.deepEqual(value('DynamicUser'), ['yes']);
    assert.deepEqual(value('StateDirectory'), ['meshdns']);
    assert.deepEqual(value('CapabilityBoundingSet'), ['CAP_NET_BIND_SERVICE']);
    assert.deepEqual(value('AmbientCapabilities'), ['CAP_NET_BIND_SERVICE']);
    assert.deepEqual(value('ReadWritePaths'), ['/var/lib/meshdns']);
    assert.deepEqual(value('ProtectSystem'), ['strict']);
    assert.deepEqual(value('NoNewPrivileges'), ['yes']);
    assert.match(value('ExecReload')[0] ?? '', /kill -HUP \$MAINPID$/);
    assert.match(value('ExecStart')[0] ?? '', / serve --config \/etc\/meshdns\/meshdns\.yaml$/);
  });

  test('systemd-analyze verifies it, and rates its exposure low', () => {
    requireTool('systemd-analyze', 'systemd');
    // verify checks that ExecStart's program exists: point it at this checkout's CLI
    const dir = tempDir('meshdns-systemd-');
    const cli = join(ROOT, 'dist', 'server', 'cli.js');
    chmodSync(cli, 0o755);
    const unit = join(dir, 'meshdns.service');
    writeFileSync(unit, read(UNIT).replace(/^ExecStart=\S+/m, `ExecStart=${cli}`));
    const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stderr);
    assert.equal(verify.stderr.trim(), '', 'no warnings');
    const security = spawnSync('systemd-analyze', ['security', '--offline=yes', '--no-pager', unit], { encoding: 'utf8' });
    const level = Number(/Overall exposure level for meshdns\.service: ([\d.]+)/.exec(security.stdout)?.[1]);
    assert.ok(level <= 2.5, `exposure ${level} (systemd's "OK" band; 10 is an unprotected service)\n${security.stdout}`);
  });
});

describe('install outside the repository', () => {
  test('npm pack ships the built CLI, its addon, the LICENSE and the examples', () => {
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(pack.status, 0, pack.stderr);
    const files = new Set((JSON.parse(pack.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
    for (const path of [pkg.bin['meshdns']!, 'dist/server/listeners/native/udp-batch.node', 'LICENSE', 'README.md', 'package.json', 'examples/meshdns.yaml']) {
      assert.ok(files.has(path), `the package holds ${path}`);
    }
    assert.ok(![...files].some((f) => f.startsWith('node_modules/') || f.startsWith('data/')), 'no dependencies or data in the package');
    assert.match(read(pkg.bin['meshdns']!).split('\n')[0]!, /^#!\/usr\/bin\/env node$/, 'the bin has a shebang');
  });

  test('LICENSE is the license package.json names', () => {
    const known: Record<string, RegExp> = {
      'Apache-2.0': /Apache License\s+Version 2\.0, January 2004/,
      MIT: /^MIT License/,
      'BSD-3-Clause': /Redistribution and use in source and binary forms/,
    };
    const pattern = known[pkg.license];
    assert.ok(pattern, `a LICENSE text pattern for "${pkg.license}"`);
    assert.match(read('LICENSE'), pattern);
  });
});
