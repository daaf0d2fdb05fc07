// A meshdns "site" of a catalog mesh, configured in the shape of the issue 14 contract: it produces
// the catalog of its primary zones (`catalogs:`), consumes the catalogs of other sites
// (`consumers:`), transfers and NOTIFYs under one TSIG key, and is driven through the admin API.
// The config is written as JSON, which every YAML parser reads.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TsigKey } from './catalog-peers.js';
import { startMeshdns, type RunningMeshdns } from './meshdns.js';
import { absoluteOrigin } from './peer-process.js';

export interface MeshdnsConsumed {
  catalog: string;
  /** The catalog's primary on 127.0.0.1 (the members' primary too). */
  port: number;
  /** A different key for this catalog (the TSIG-mismatch case); default: the site's key. */
  key?: TsigKey;
  /** RFC 9432 group property → the ACL names its members get instead of the template's. */
  groups?: Record<string, { acl: string[] }>;
}

/** One more ACL rule in the site's config, under a key of its own (for group templates). */
export interface ExtraAcl {
  name: string;
  key: TsigKey;
  action: ('transfer' | 'notify' | 'update')[];
}

export interface MeshdnsSiteOptions {
  name: string;
  /** Chosen beforehand (findFreePort) so the other sites' configs can name it. */
  port: number;
  key: TsigKey;
  catalog: string;
  /** Zone files (origin → text) in the site's zone folder: primary zones, so members of its catalog. */
  zones: Record<string, string>;
  consumes: MeshdnsConsumed[];
  /** Ports on 127.0.0.1 that get NOTIFY (signed) for the catalog and every zone. */
  notify: number[];
  /** Let unsigned RFC 2136 UPDATEs from 127.0.0.1 change the zones (the benchmark's change). */
  updateFromLoopback?: boolean;
  /** Rules that only a group template names (not in defaults.acl). */
  extraAcls?: ExtraAcl[];
  /** origin → the RFC 9432 group property written for that member (zones[].catalogGroup). */
  groups?: Record<string, string>;
  /** info at least: the start waits for the "listening" and "ready" lines (nothing per query logs at info). */
  logLevel?: 'info' | 'debug';
}

export interface CatalogMemberInfo { zone: string; id: string; group?: string; coo?: string }
export interface CatalogsInfo {
  produced: { zone: string; serial: number; members: CatalogMemberInfo[] }[];
  consumed: {
    zone: string; serial: number | null; lastTransfer: string | null; lastError: string | null;
    members: CatalogMemberInfo[]; conflicts: { zone: string; reason: string; at: string }[];
  }[];
}

export interface MeshdnsSite {
  name: string;
  port: number;
  server: RunningMeshdns;
  configPath: string;
  zoneDir: string;
  /** An admin API call with the token; rejects with the status and body on a non-2xx answer. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** POST /api/v1/zones with zone-file text (a primary zone: a member of the site's catalog). */
  addZone(origin: string, text: string): Promise<void>;
  deleteZone(origin: string): Promise<void>;
  catalogs(): Promise<CatalogsInfo>;
  /** Rewrites the config with other options (same port, data and zone folder) and reloads it. */
  reconfigure(change: Partial<Pick<MeshdnsSiteOptions, 'consumes' | 'notify' | 'key'>>): Promise<void>;
  stop(): Promise<void>;
}

const keyRef = (key: TsigKey) => key.name;

export function meshdnsSiteConfig(o: MeshdnsSiteOptions): Record<string, unknown> {
  const keys = new Map<string, TsigKey>([[o.key.name, o.key]]);
  for (const c of o.consumes) if (c.key !== undefined) keys.set(c.key.name, c.key);
  const notify = o.notify.map((p) => ({ address: `127.0.0.1:${p}`, key: keyRef(o.key) }));
  const acls: Record<string, unknown>[] = [
    { name: 'mesh', address: ['127.0.0.1'], key: [...keys.keys()], action: ['transfer', 'notify'] },
  ];
  for (const x of o.extraAcls ?? []) keys.set(x.key.name, x.key);
  if (o.updateFromLoopback === true) acls.push({ name: 'local-update', address: ['127.0.0.1'], action: ['update'] });
  const defaultAcl = acls.map((a) => a['name']);
  for (const x of o.extraAcls ?? []) acls.push({ name: x.name, address: ['127.0.0.1'], key: [x.key.name], action: x.action });
  return {
    listen: [`127.0.0.1:${o.port}`],
    keys: [...keys.values()].map((k) => ({ name: k.name, algorithm: k.algorithm, secret: k.secret })),
    acls,
    defaults: { acl: defaultAcl, notify },
    catalogs: [{ zone: absoluteOrigin(o.catalog), members: 'primary', acl: ['mesh'], notify }],
    ...(o.groups !== undefined ? { zones: Object.entries(o.groups).map(([origin, group]) => ({ origin: absoluteOrigin(origin), catalogGroup: group })) } : {}),
    consumers: o.consumes.map((c) => {
      const primaries = [{ address: `127.0.0.1:${c.port}`, key: keyRef(c.key ?? o.key) }];
      return {
        zone: absoluteOrigin(c.catalog), primaries, template: { primaries, acl: ['mesh'] },
        ...(c.groups !== undefined ? { groups: c.groups } : {}),
      };
    }),
  };
}

export async function startMeshdnsSite(o: MeshdnsSiteOptions): Promise<MeshdnsSite> {
  const root = mkdtempSync(join(tmpdir(), `meshdns-site-${o.name}-`));
  const zoneDir = join(root, 'zones');
  const dataDir = join(root, 'data');
  const configPath = join(root, 'meshdns.yaml');
  mkdirSync(zoneDir);
  for (const [origin, text] of Object.entries(o.zones)) writeFileSync(join(zoneDir, `${absoluteOrigin(origin)}zone`), text);
  let current = o;
  writeFileSync(configPath, JSON.stringify(meshdnsSiteConfig(current), null, 2));
  let server: RunningMeshdns;
  try {
    server = await startMeshdns({
      config: configPath, zoneDir, dataDir, listenFromConfig: true,
      extraArgs: ['--log-level', o.logLevel ?? 'debug'],
    });
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  const admin = server.admin;
  if (admin === undefined) {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
    throw new Error(`meshdns site ${o.name}: no "admin listening" log line`);
  }

  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = { 'x-api-key': admin.token ?? '' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${admin.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    if (!res.ok) throw new Error(`meshdns ${o.name}: ${method} ${path} answered ${res.status}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
  const enc = (origin: string) => encodeURIComponent(absoluteOrigin(origin));

  return {
    name: o.name,
    port: o.port,
    server,
    configPath,
    zoneDir,
    api,
    async addZone(origin, text) {
      await api('POST', '/api/v1/zones', { name: absoluteOrigin(origin), zone: text });
    },
    async deleteZone(origin) {
      await api('DELETE', `/api/v1/zones/${enc(origin)}`);
    },
    catalogs: () => api<CatalogsInfo>('GET', '/api/v1/catalogs'),
    async reconfigure(change) {
      current = { ...current, ...change };
      writeFileSync(configPath, JSON.stringify(meshdnsSiteConfig(current), null, 2));
      await api('POST', '/api/v1/reload');
    },
    async stop() {
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
