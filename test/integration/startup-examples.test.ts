// The examples and the README's configuration are what a new user copies: they must work as
// written, with no placeholder a server would take literally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from '../helpers/meshdns.js';

// dist/test/integration → repository root
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The values of a YAML text with comments taken out: what a server would read. */
function valuesOf(yaml: string): string[] {
  return yaml.split('\n').map((line) => line.replace(/(^|\s)#.*$/, '').trim()).filter((line) => line !== '');
}

function assertNoPlaceholder(yaml: string, where: string): void {
  for (const line of valuesOf(yaml)) {
    assert.doesNotMatch(line, /\.\.\.|<[^>]*>|\bCHANGE[_ ]?ME\b|\bTODO\b|\bxxx+\b/i, `${where}: "${line}" is a placeholder a server would take literally`);
  }
}

/** The first ```yaml block after `heading` in the README. */
function readmeBlock(heading: string): string {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const from = text.indexOf(heading);
  assert.ok(from >= 0, `README has "${heading}"`);
  const start = text.indexOf('```yaml\n', from) + '```yaml\n'.length;
  return text.slice(start, text.indexOf('\n```', start));
}

test('every example config (examples/**/*.yaml) passes `meshdns config check` and holds no placeholder', () => {
  const configs = readdirSync(join(ROOT, 'examples'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml'));
  assert.ok(configs.length > 0);
  for (const file of configs) {
    const path = join('examples', file);
    assertNoPlaceholder(readFileSync(join(ROOT, path), 'utf8'), path);
    const r = spawnSync(process.execPath, [CLI, 'config', 'check', path], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, `${path}: ${r.stderr}`);
  }
});

test('the README configuration block is a config meshdns accepts as written', () => {
  const block = readmeBlock('### Configuration');
  assertNoPlaceholder(block, 'README "Configuration"');
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-readme-'));
  try {
    writeFileSync(join(dir, 'meshdns.yaml'), block);
    const r = spawnSync(process.execPath, [CLI, 'config', 'check', join(dir, 'meshdns.yaml')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('`npm start`\'s config serves the example zones and says "ready" with their count', async () => {
  const data = mkdtempSync(join(tmpdir(), 'meshdns-example-data-'));
  // the example's own config, with its listeners moved to free ports (flags win over the file)
  const proc = spawn(process.execPath, [CLI, 'serve', '--config', 'examples/meshdns.yaml', '--listen', '127.0.0.1:0',
    '--admin-listen', '127.0.0.1:0', '--data', data], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  try {
    const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "ready" line:\n${out}`)), 20_000);
      proc.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        for (const line of out.split('\n')) {
          if (!line.includes('"msg":"ready"')) continue;
          clearTimeout(timer);
          resolve(JSON.parse(line) as Record<string, unknown>);
        }
      });
      proc.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited with ${code}:\n${out}`)); });
    });
    const zoneFiles = readdirSync(join(ROOT, 'examples', 'zones')).filter((f) => f.endsWith('.zone'));
    assert.equal(ready['zones'], zoneFiles.length);
    assert.match(ready['try'] as string, /^dig @127\.0\.0\.1 -p \d+ \S+\.test\. SOA$/);
    assert.doesNotMatch(out, /"level":(50|60)/, 'no error logged');
  } finally {
    proc.kill('SIGTERM');
    await new Promise((resolve) => (proc.exitCode === null ? proc.once('exit', resolve) : resolve(undefined)));
    rmSync(data, { recursive: true, force: true });
  }
});
