/**
 * A meshdns process signing example.test. (a CSK policy, the default for every zone) with its admin
 * API, and the BIND tools the DNSSEC operations tests compare against.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_ZONE, writeSettled } from '../admin/fixture.js';
import { startMeshdns, type RunningMeshdns } from './meshdns.js';
import { requireTool } from './tools.js';

export interface SignedServer {
  server: RunningMeshdns;
  dir: string;
  url: string;
  token: string;
  /** An API call with the token; the parsed JSON (or text) and the status. */
  api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export interface SignedServerOptions {
  /** Extra YAML appended to the config (the test's own admin section, say). */
  configExtra?: string;
  /** The admin token in the config; undefined: meshdns generates <data>/admin.token. */
  token?: string;
  extraArgs?: string[];
}

export async function startSignedServer(opts: SignedServerOptions = {}): Promise<SignedServer> {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-dnssec-ops-'));
  const zoneDir = join(dir, 'zones');
  const dataDir = join(dir, 'data');
  mkdirSync(zoneDir);
  mkdirSync(dataDir);
  writeSettled(join(zoneDir, 'example.test.zone'), EXAMPLE_ZONE);
  writeSettled(join(zoneDir, 'plain.test.zone'), '$TTL 60\n@ SOA ns1 hm 1 1 1 1 1\n@ NS ns1\nns1 A 192.0.2.1\n');
  const config = join(dir, 'meshdns.yaml');
  writeFileSync(config, [
    'policies:',
    '  - name: default',
    '    keys: csk',
    'defaults:',
    '  dnssec: default',
    'zones:',
    '  - origin: plain.test.',
    '    dnssec: false',
    ...(opts.token === undefined ? [] : ['admin:', `  token: ${opts.token}`]),
    opts.configExtra ?? '',
  ].join('\n'));
  const server = await startMeshdns({ zoneDir, dataDir, config, extraArgs: opts.extraArgs ?? [] });
  const url = server.admin!.url;
  const token = opts.token ?? server.admin!.token!;
  const api = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { 'x-api-key': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* text/plain */
    }
    return { status: res.status, body: parsed as T };
  };
  // the zone is signed in its first commit; its keys show once the admin API answers
  for (let i = 0; i < 200; i++) {
    const r = await api<{ keys?: unknown[] }>('GET', '/api/v1/zones/example.test./keys');
    if (r.status === 200 && (r.body.keys?.length ?? 0) > 0) break;
    if (i === 199) assert.fail(`example.test. has no keys: ${JSON.stringify(r.body)}\n${server.logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    server, dir, url, token, api,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs a BIND tool (bind9-utils) in `cwd`; its stdout, or a failed assertion with its stderr. */
export function bindTool(tool: 'dnssec-keygen' | 'dnssec-dsfromkey', args: string[], cwd: string): string {
  requireTool(tool, 'bind9-utils');
  const r = spawnSync(tool, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.error !== undefined) throw r.error;
  assert.equal(r.status, 0, `${tool} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A new BIND key pair for example.test. in `cwd`: its base name K<zone>+<alg>+<tag>. */
export function bindKeygen(cwd: string, ksk: boolean, algorithm = 'ECDSAP256SHA256'): string {
  return bindTool('dnssec-keygen', ['-K', cwd, '-a', algorithm, ...(ksk ? ['-f', 'KSK'] : []), '-n', 'ZONE', 'example.test'], cwd).trim();
}

/** The key tag in a base name `Kexample.test.+013+01234`. */
export function tagOf(baseName: string): number {
  const m = /\+(\d{5})$/.exec(baseName);
  assert.ok(m, `not a BIND key base name: ${baseName}`);
  return Number(m[1]);
}

/** "example.test. IN DS 7795 13 2 44C8 ..." → "7795 13 2 44c8..." (whitespace and case normalised). */
export function dsRdataText(line: string): string {
  const m = /\sDS\s+(.*)$/.exec(line.trim());
  assert.ok(m, `no DS in "${line}"`);
  return m[1]!.replace(/\s+/g, '').toLowerCase();
}
