// Real peers for the catalog-zone tests and `npm run bench:mesh` (issue 14): a knotd "site" (primary
// of its own zones, generating its catalog, interpreting the catalogs of other sites, TSIG on every
// transfer and NOTIFY), a named consumer of a catalog, an NSD secondary of one zone, and the meshdns
// config of a site in the contract's shape (`catalogs:` / `consumers:`).
//
// What the peers do, checked by hand on 127.0.0.1 with Debian bookworm's packages:
// - knotd 3.2: `catalog-role: generate` makes the catalog from the zones with `catalog-role: member`
//   + `catalog-zone:`; `catalog-role: interpret` + `catalog-template:` turns each member into a zone
//   configured by that template (`master:` and `acl:` there); with several templates, a member whose
//   group property (`catalog-group:` at the generating side) names one gets it, the others the first.
//   Member ids hash the name with the time the member joined, so they differ between two knotd runs
//   (app.site-a.mesh. got 9f873a1ee4deda89, then f29513f2081f7f08). A zone is added at run time with
//   `knotc conf-begin / conf-set zone[...] / conf-commit` (no confdb needed: the change is not
//   persistent, which a test does not mind). knotd answers its catalogs' SOA only over TCP and only
//   to a client its ACL lets transfer them (UDP, even signed: REFUSED).
// - named 9.18: `catalog-zones { zone "..." default-primaries { ... } zone-directory ...; }` in
//   options, plus the catalog as a secondary zone; `allow-new-zones` is not needed (9.18 took the
//   members with it left at its default, no). Its SOA check goes over UDP and it does not retry over TCP
//   after a REFUSED, so a knotd catalog needs `server <addr> { tcp-only yes; }`.
// - knotd sends NOTIFY over TCP; after an RFC 2136 UPDATE about 1 s later, after a knotc commit at once.
// - NSD 4.6 has no catalog support (4.9 added it): it can only be a secondary of a member zone.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from './knotd.js';
import { startNamed, type Named } from './named.js';
import { startNsd, type Nsd } from './nsd.js';
import { absoluteOrigin, awaitZones, captureOutput, confString, type PeerServer, stopGroup, toolRuns } from './peer-process.js';
import { dig, records } from './tools.js';

/** A TSIG key as every peer's config names it. */
export interface TsigKey {
  name: string;
  algorithm: string;
  /** base64 */
  secret: string;
}

/** A fresh hmac-sha256 key (the mesh's catalogs and members are transferred under it). */
export function meshKey(name = 'mesh-key.'): TsigKey {
  return { name: absoluteOrigin(name), algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') };
}

/** `name:secret` for kdig/dig -y. */
export function digKeyArg(key: TsigKey): string {
  return `${key.algorithm}:${key.name}:${key.secret}`;
}

/** Zone-file text of a small member zone: SOA, NS, the NS address and one `www` A record. */
export function memberZoneText(origin: string, serial = 1, www = '192.0.2.10'): string {
  const o = absoluteOrigin(origin);
  return [
    `$ORIGIN ${o}`,
    `@ 300 IN SOA ns.${o} hostmaster.${o} ${serial} 3600 600 86400 300`,
    `@ 300 IN NS ns.${o}`,
    'ns 300 IN A 192.0.2.1',
    `www 300 IN A ${www}`,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// knotd site

/** Another site whose catalog this knotd interprets; its members are transferred from the same place. */
export interface KnotdConsumed {
  catalog: string;
  /** The catalog's primary (and the members' primary), on 127.0.0.1. */
  port: number;
  /**
   * RFC 9432 group → the acl ids its members get. knotd picks the catalog template whose id is the
   * member's group (else the first), so each group becomes a template of that id: unique per site.
   */
  groups?: Record<string, string[]>;
}

/** One more ACL rule of a knotd site, under a key of its own (for group templates). */
export interface KnotdExtraAcl {
  id: string;
  key: TsigKey;
  action: ('transfer' | 'notify' | 'update')[];
}

export interface KnotdSiteOptions {
  /** A short label used in remote ids and file names ("k", "site-a" ...). */
  name: string;
  /** Ask for a port beforehand (findFreePort) when the other sites' configs must name it. */
  port?: number;
  key: TsigKey;
  /** The catalog this site generates. */
  catalog: string;
  /** Primary zones of the site, all members of its catalog (files written by the caller); `group` is RFC 9432's group property (`catalog-group`). */
  zones: { origin: string; file: string; group?: string }[];
  consumes: KnotdConsumed[];
  /** Ports (127.0.0.1) that get NOTIFY for the catalog and the member zones (signed with the key). */
  notify: number[];
  /** Let unsigned RFC 2136 UPDATEs from 127.0.0.1 change the site's zones (the benchmark's change). */
  updateFromLoopback?: boolean;
  /** Rules only group templates name. */
  extraAcls?: KnotdExtraAcl[];
  logLevel?: 'info' | 'debug' | 'notice';
  startTimeoutMs?: number;
}

export interface KnotdSite extends PeerServer {
  controlSocket: string;
  /** Runs knotc commands in one knotc process (its interactive mode reads them from stdin); rejects on a failed one. */
  knotc(commands: string[]): Promise<string>;
  /** Adds a primary zone from `file` as a member of the site's catalog (a conf transaction). */
  addMemberZone(origin: string, file: string): Promise<void>;
  /** Removes a zone from the configuration (the catalog drops it in the same step). */
  removeZone(origin: string): Promise<void>;
  /** Replaces one RRset of a zone through a zone transaction (a new serial, journalled: IXFR out). */
  setRecord(origin: string, owner: string, ttl: number, type: string, rdata: string): Promise<void>;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

const KNOTD = process.env['KNOTD'] ?? 'knotd';
const KNOTC = process.env['KNOTC'] ?? 'knotc';

const remoteId = (port: number): string => `peer-${port}`;
const templateId = (catalog: string): string => `from-${absoluteOrigin(catalog).replace(/\.$/, '').replace(/[^a-z0-9-]/gi, '-')}`;

export function renderKnotdSiteConf(dir: string, port: number, controlSocket: string, o: KnotdSiteOptions): string {
  const ports = [...new Set([...o.consumes.map((c) => c.port), ...o.notify])];
  // knotd refuses an empty list (`notify: []`): no notify line at all then
  const notifyLine = o.notify.length > 0 ? [`    notify: [${o.notify.map(remoteId).join(', ')}]`] : [];
  const siteAcl = o.updateFromLoopback === true ? '[mesh, local-update]' : '[mesh]';
  const lines: string[] = [
    'server:',
    `    rundir: ${confString(path.join(dir, 'run'))}`,
    `    listen: 127.0.0.1@${port}`,
    '    udp-workers: 1',
    '    tcp-workers: 1',
    '    background-workers: 1',
    'control:',
    `    listen: ${confString(controlSocket)}`,
    'log:',
    `  - target: stderr`,
    `    any: ${o.logLevel ?? 'info'}`,
    'database:',
    `    storage: ${confString(path.join(dir, 'db'))}`,
    'key:',
  ];
  const keys = new Map([[o.key.name, o.key], ...(o.extraAcls ?? []).map((x) => [x.key.name, x.key] as const)]);
  for (const k of keys.values()) lines.push(`  - id: ${k.name}`, `    algorithm: ${k.algorithm}`, `    secret: ${k.secret}`);
  if (ports.length > 0) {
    lines.push('remote:');
    for (const p of ports) lines.push(`  - id: ${remoteId(p)}`, `    address: 127.0.0.1@${p}`, `    key: ${o.key.name}`);
  }
  lines.push(
    'acl:',
    // transfers of the catalog and the zones, and NOTIFYs for the consumed ones, only under the key
    '  - id: mesh',
    '    address: 127.0.0.1',
    `    key: ${o.key.name}`,
    '    action: [transfer, notify]',
  );
  if (o.updateFromLoopback === true) lines.push('  - id: local-update', '    address: 127.0.0.1', '    action: update');
  for (const x of o.extraAcls ?? []) lines.push(`  - id: ${x.id}`, '    address: 127.0.0.1', `    key: ${x.key.name}`, `    action: [${x.action.join(', ')}]`);
  lines.push(
    'template:',
    '  - id: default',
    `    storage: ${confString(dir)}`,
    '    zonefile-sync: -1',
    '    journal-content: changes',
    '    semantic-checks: off',
  );
  const template = (id: string, port: number, acl: string[]) => lines.push(
    `  - id: ${id}`,
    `    storage: ${confString(dir)}`,
    `    master: ${remoteId(port)}`,
    `    acl: [${acl.join(', ')}]`,
    '    zonefile-sync: -1',
    '    journal-content: changes',
    '    semantic-checks: off',
  );
  for (const c of o.consumes) {
    template(templateId(c.catalog), c.port, ['mesh']);
    for (const [group, acl] of Object.entries(c.groups ?? {})) template(group, c.port, acl);
  }
  lines.push('zone:', `  - domain: ${absoluteOrigin(o.catalog)}`, '    catalog-role: generate', '    acl: mesh', ...notifyLine);
  for (const z of o.zones) {
    lines.push(
      `  - domain: ${absoluteOrigin(z.origin)}`,
      `    file: ${confString(path.resolve(z.file))}`,
      '    catalog-role: member',
      `    catalog-zone: ${absoluteOrigin(o.catalog)}`,
      `    acl: ${siteAcl}`,
      ...notifyLine,
      ...(z.group !== undefined ? [`    catalog-group: ${confString(z.group)}`] : []),
    );
  }
  for (const c of o.consumes) {
    lines.push(
      `  - domain: ${absoluteOrigin(c.catalog)}`,
      '    catalog-role: interpret',
      `    catalog-template: [${[templateId(c.catalog), ...Object.keys(c.groups ?? {})].join(', ')}]`,
      `    master: ${remoteId(c.port)}`,
      '    acl: mesh',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Runs knotc with `commands` on its stdin; resolves with its output, rejects when one did not answer OK. */
export function runKnotc(controlSocket: string, commands: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(KNOTC, ['-s', controlSocket, '-t', '10'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && !/^error:/m.test(out)) resolve(out);
      else reject(new Error(`knotc ${JSON.stringify(commands)} failed (exit ${code}):\n${out}`));
    });
    child.stdin.end(`${commands.join('\n')}\n`);
  });
}

async function waitForSocket(file: string, timeoutMs: number, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`knotd did not open its control socket ${file} in ${timeoutMs} ms:\n${logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts a knotd site; resolves once its own zones answer SOA (the consumed catalogs may still be empty). */
export async function startKnotdSite(o: KnotdSiteOptions): Promise<KnotdSite> {
  if (!toolRuns(KNOTD, '--version') || !toolRuns(KNOTC, '--version')) {
    throw new Error(`knotd/knotc not found: install the Debian package "knot" (apt-get install -y knot)`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), `meshdns-knotd-${o.name}-`));
  await mkdir(path.join(dir, 'run'));
  await mkdir(path.join(dir, 'db'));
  const port = o.port ?? (await findFreePort());
  // a unix socket path is limited to 107 bytes: keep it short and out of a deep temp dir
  const controlSocket = path.join(dir, 'run', 'k.sock');
  const confPath = path.join(dir, 'knot.conf');
  await writeFile(confPath, renderKnotdSiteConf(dir, port, controlSocket, o));

  const child = spawn(KNOTD, ['-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output = captureOutput(child);
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));
  const stop = async (): Promise<void> => {
    await stopGroup(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await awaitZones(`knotd ${o.name}`, child, port, o.zones.map((z) => absoluteOrigin(z.origin)), Date.now() + (o.startTimeoutMs ?? 20_000), () => output.text(), () => spawnError);
    await waitForSocket(controlSocket, 10_000, () => output.text());
  } catch (error) {
    await stop();
    throw error;
  }

  const knotc = (commands: string[]) => runKnotc(controlSocket, commands);
  const siteAcl = o.updateFromLoopback === true ? '[mesh, local-update]' : '[mesh]';
  return {
    port,
    dir,
    confPath,
    controlSocket,
    logs: () => output.text(),
    alive: () => child.exitCode === null && child.signalCode === null,
    waitForLog: (pattern, timeoutMs = 15_000) => output.waitFor(pattern, timeoutMs, `knotd ${o.name}`),
    knotc,
    async addMemberZone(origin, file) {
      const z = `zone[${absoluteOrigin(origin)}]`;
      await knotc([
        'conf-begin',
        `conf-set ${z}`,
        `conf-set ${z}.file ${path.resolve(file)}`,
        `conf-set ${z}.catalog-role member`,
        `conf-set ${z}.catalog-zone ${absoluteOrigin(o.catalog)}`,
        `conf-set ${z}.acl ${siteAcl.slice(1, -1).split(', ').join(' ')}`,
        ...(o.notify.length > 0 ? [`conf-set ${z}.notify ${o.notify.map(remoteId).join(' ')}`] : []),
        'conf-commit',
      ]);
    },
    async removeZone(origin) {
      await knotc(['conf-begin', `conf-unset zone[${absoluteOrigin(origin)}]`, 'conf-commit']);
    },
    async setRecord(origin, owner, ttl, type, rdata) {
      const zone = absoluteOrigin(origin);
      await knotc([`zone-begin ${zone}`, `zone-unset ${zone} ${owner} ${type}`, `zone-set ${zone} ${owner} ${ttl} ${type} ${rdata}`, `zone-commit ${zone}`]);
    },
    stop,
  };
}

// ---------------------------------------------------------------------------------------------
// named and NSD

export interface NamedConsumerOptions {
  catalog: string;
  /** The catalog's primary on 127.0.0.1 (also the members' default primary). */
  primaryPort: number;
  key: TsigKey;
  /** True for a knotd primary: named's SOA check must go over TCP (see the file comment). */
  tcpOnly?: boolean;
}

/** named consuming one catalog; resolves once named runs (the catalog is transferred right after). */
export function startNamedCatalogConsumer(o: NamedConsumerOptions): Promise<Named> {
  const catalog = absoluteOrigin(o.catalog);
  const primary = `127.0.0.1 port ${o.primaryPort} key ${confString(o.key.name)};`;
  return startNamed({
    keys: [o.key],
    // min-update-interval 0: apply every new catalog version at once (the default batches 5 s)
    optionsConf: `catalog-zones { zone ${confString(catalog)} default-primaries { ${primary} } zone-directory "." min-update-interval 0; };`,
    ...(o.tcpOnly === true ? { extraConf: 'server 127.0.0.1 { tcp-only yes; };' } : {}),
    zones: [{ origin: catalog, type: 'secondary', file: 'catalog.db', conf: `primaries { ${primary} };`, wait: false }],
  });
}

export interface NsdSecondaryOptions {
  origin: string;
  primaryPort: number;
  key: TsigKey;
}

/** NSD as a secondary of one zone from 127.0.0.1:primaryPort (transfers and NOTIFY under the key). */
export function startNsdSecondary(o: NsdSecondaryOptions): Promise<Nsd> {
  return startNsd({
    keys: [o.key],
    zones: [{
      origin: o.origin,
      conf: `request-xfr: 127.0.0.1@${o.primaryPort} ${o.key.name}\nallow-notify: 127.0.0.1 ${o.key.name}`,
      wait: true,
    }],
  });
}

// ---------------------------------------------------------------------------------------------
// waiting for a mesh to converge

/** Polls `check` every 50 ms until it holds; fails after timeoutMs naming `what`, with `logs()` appended. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000, logs?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not so after ${timeoutMs} ms${logs !== undefined ? `\n${logs()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The rdata of `name`/`type` as the server at 127.0.0.1:port answers it (dig +short, sorted). */
export function answers(port: number, name: string, type: string): string[] {
  const out = dig(['@127.0.0.1', '-p', String(port), '+norec', '+short', '+time=2', '+tries=1', name, type]);
  return out.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith(';')).sort();
}

/** Member ids of a catalog by name, read from an AXFR signed with the key (`<id>.zones.<catalog> PTR <member>`). */
export function catalogMemberIds(port: number, catalog: string, key: TsigKey): Map<string, string> {
  const out = dig(['@127.0.0.1', '-p', String(port), '-y', digKeyArg(key), '+noall', '+answer', absoluteOrigin(catalog), 'AXFR']);
  const ids = new Map<string, string>();
  const suffix = `.zones.${absoluteOrigin(catalog)}`.toLowerCase();
  for (const [owner, , , type, rdata] of records(out)) {
    if (type === 'PTR' && owner!.toLowerCase().endsWith(suffix)) ids.set(rdata!.toLowerCase(), owner!.slice(0, owner!.length - suffix.length).toLowerCase());
  }
  return ids;
}
