import { nameToKey, parseName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import { soaTimers } from '../../zones/soa.js';
import type { ZoneFileEntry, ZoneLoadStatus } from '../../zones/import/zone-folder.js';
import type { ZoneMeta } from '../../zones/store/lmdb-store.js';
import type { AdminContext } from './context.js';
import { ApiError } from './errors.js';
import { parseOriginParam } from './input.js';

/**
 * - `loaded`: answering from its data, no pending problem;
 * - `failed`: its zone file has errors (`lastError` has file:line); `loaded` says whether an older version answers;
 * - `waiting`: never loaded (a file not read yet, a secondary before its first transfer);
 * - `expired`: a secondary past its SOA expire time without reaching a primary (RFC 1034 §4.3.5): SERVFAIL.
 */
export type ZoneState = 'loaded' | 'failed' | 'waiting' | 'expired';

export interface ZoneInfo {
  id: string;
  name: string;
  kind: 'primary' | 'secondary';
  state: ZoneState;
  /** One line on why the state is not `loaded` (null when it is). */
  stateReason: string | null;
  /** Null when the zone has never been loaded. */
  serial: number | null;
  /** `file:<path>` for zone-file zones, `api` for zones created over HTTP, `transfer` for secondaries. */
  source: string;
  records: number;
  loaded: boolean;
  /** Null when nothing was ever committed (a zone file that never loaded). */
  lastChange: string | null;
  lastLoad: string | null;
  lastError: { at: string; problems: { file: string; line: number; message: string }[] } | null;
  transfer: Record<string, unknown> | null;
  /** A secondary with data: when it expires unless a primary answers before (ISO time). */
  expiresAt: string | null;
  /** Catalog zones (RFC 9432): the catalogs produced here that list the zone, the consumed one it came from, or what catalog it is. */
  catalog: CatalogInfo | null;
  url: string;
}

export interface CatalogInfo {
  listedIn: string[];
  from: string | null;
  /** The zone is itself a catalog produced or consumed here. */
  role: 'produced' | 'consumed' | null;
}

function catalogInfo(ctx: AdminContext, origin: string): CatalogInfo | null {
  if (!ctx.catalogs) return null;
  const of = ctx.catalogs.catalogOf(origin);
  const role = ctx.catalogs.roleOf(origin) ?? null;
  if (of.producedIn.length === 0 && of.consumedFrom === undefined && role === null) return null;
  return { listedIn: of.producedIn, from: of.consumedFrom ?? null, role };
}

/** What the API and the status page show per zone (PowerDNS habit: `id` and `name` are the origin). */
export function zoneInfo(ctx: AdminContext, meta: ZoneMeta): ZoneInfo {
  const origin = meta.origin;
  const status = statusOf(ctx, origin);
  const source = meta.kind === 'secondary' ? 'transfer' : meta.source ? `file:${meta.source.file}` : status ? `file:${status.file}` : 'api';
  const transfer = ctx.replication?.transferState(origin) ?? null;
  const loaded = meta.records > 0;
  const expiresAt = meta.kind === 'secondary' && loaded ? secondaryExpiry(ctx, meta, transfer) : null;
  const expired = transfer?.['expired'] === true || ctx.table.byApexKey(nameToKey(parseName(origin)))?.expired === true;
  const lastError = errorOf(status);
  const { state, stateReason } = expired
    ? { state: 'expired' as const, stateReason: `no primary reached within the SOA expire time${expiresAt ? ` (expired ${expiresAt})` : ''}; answering SERVFAIL` }
    : lastError
      ? { state: 'failed' as const, stateReason: `${problemText(lastError.problems[0])}${loaded ? ' (the previous version keeps answering)' : ' (nothing answers for it)'}` }
      : loaded
        ? { state: 'loaded' as const, stateReason: null }
        : { state: 'waiting' as const, stateReason: waitingReason(meta, transfer) };
  return {
    id: origin, name: origin, kind: meta.kind, state, stateReason, serial: meta.serial, source, records: meta.records, loaded,
    lastChange: meta.lastChange, lastLoad: status?.lastLoad ?? null, lastError, transfer, expiresAt, catalog: catalogInfo(ctx, origin),
    url: `/api/v1/zones/${origin}`,
  };
}

/** A zone file that is wanted (folder or config) but has no zone in the store: it never loaded. */
export function unloadedZoneInfo(ctx: AdminContext, entry: ZoneFileEntry): ZoneInfo {
  const status = statusOf(ctx, entry.origin);
  const lastError = errorOf(status);
  return {
    id: entry.origin, name: entry.origin, kind: 'primary',
    state: lastError ? 'failed' : 'waiting',
    stateReason: lastError ? `${problemText(lastError.problems[0])} (never loaded; nothing answers for it)` : 'its zone file has not been loaded yet',
    serial: null, source: `file:${entry.file}`, records: 0, loaded: false, lastChange: null,
    lastLoad: status?.lastLoad ?? null, lastError, transfer: null, expiresAt: null, catalog: catalogInfo(ctx, entry.origin), url: `/api/v1/zones/${entry.origin}`,
  };
}

/** Every zone: those in the store, then the configured or discovered zone files that never loaded. */
export function allZoneInfos(ctx: AdminContext): ZoneInfo[] {
  const stored = ctx.store.allZones();
  const present = new Set(stored.map(({ meta }) => meta.origin.toLowerCase()));
  const missing = ctx.zoneFolder().wanted().filter((entry) => !present.has(entry.origin.toLowerCase()));
  missing.sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0));
  return [...stored.map(({ meta }) => zoneInfo(ctx, meta)), ...missing.map((entry) => unloadedZoneInfo(ctx, entry))];
}

/** The zone named by `{origin}`, including a zone file that never loaded; else a 404. */
export function oneZoneInfo(ctx: AdminContext, originParam: string): ZoneInfo {
  const apexKey = nameToKey(parseOriginParam(originParam));
  const meta = ctx.store.zoneMeta(apexKey);
  if (meta) return zoneInfo(ctx, meta);
  const wanted = ctx.zoneFolder().wanted().find((entry) => Buffer.compare(nameToKey(parseName(entry.origin)), apexKey) === 0);
  if (wanted) return unloadedZoneInfo(ctx, wanted);
  throw new ApiError(404, 'origin', originParam, 'is not a zone served here (GET /api/v1/zones lists them)');
}

function statusOf(ctx: AdminContext, origin: string): ZoneLoadStatus | undefined {
  const status = ctx.zoneFolder().status;
  return status.get(origin) ?? status.get(origin.toLowerCase());
}

function errorOf(status: ZoneLoadStatus | undefined): ZoneInfo['lastError'] {
  if (!status?.lastError) return null;
  return { at: status.lastError.at, problems: status.lastError.problems.map((p) => ({ file: p.file, line: p.line, message: p.message })) };
}

function problemText(p: { file: string; line: number; message: string } | undefined): string {
  if (!p) return 'its zone file has errors';
  return p.line > 0 ? `${p.file}:${p.line}: ${p.message}` : `${p.file}: ${p.message}`;
}

function waitingReason(meta: ZoneMeta, transfer: Record<string, unknown> | null): string {
  if (meta.kind !== 'secondary') return 'no records yet';
  const error = transfer?.['lastError'];
  return typeof error === 'string' && error !== '' ? `no transfer from a primary yet: ${error}` : 'no transfer from a primary yet';
}

/** RFC 1034 §4.3.5: the data expires `expire` seconds after the last time a primary was reached. */
function secondaryExpiry(ctx: AdminContext, meta: ZoneMeta, transfer: Record<string, unknown> | null): string | null {
  const last = typeof transfer?.['lastSuccess'] === 'string' ? Date.parse(transfer['lastSuccess']) : Date.parse(meta.lastChange);
  if (!Number.isFinite(last)) return null;
  const soa = ctx.store.getNode(meta.id, nameToKey(parseName(meta.origin)), false)?.rrsets.find((set) => set.type === RRType.SOA)?.rrs[0];
  if (!soa) return null;
  return new Date(last + soaTimers(soa.rdata).expire * 1000).toISOString();
}
