import type { ZoneMeta } from '../../zones/store/lmdb-store.js';
import type { AdminContext } from './context.js';

export interface ZoneInfo {
  id: string;
  name: string;
  kind: 'primary' | 'secondary';
  serial: number;
  /** `file:<path>` for zone-file zones, `api` for zones created over HTTP, `transfer` for secondaries. */
  source: string;
  records: number;
  loaded: boolean;
  lastChange: string;
  lastLoad: string | null;
  lastError: { at: string; problems: { file: string; line: number; message: string }[] } | null;
  transfer: Record<string, unknown> | null;
  url: string;
}

/** What the API and the status page show per zone (PowerDNS habit: `id` and `name` are the origin). */
export function zoneInfo(ctx: AdminContext, meta: ZoneMeta): ZoneInfo {
  const origin = meta.origin;
  const status = ctx.zoneFolder().status.get(origin);
  const source = meta.kind === 'secondary' ? 'transfer' : meta.source ? `file:${meta.source.file}` : status ? `file:${status.file}` : 'api';
  return {
    id: origin,
    name: origin,
    kind: meta.kind,
    serial: meta.serial,
    source,
    records: meta.records,
    loaded: meta.records > 0,
    lastChange: meta.lastChange,
    lastLoad: status?.lastLoad ?? null,
    lastError: status?.lastError
      ? { at: status.lastError.at, problems: status.lastError.problems.map((p) => ({ file: p.file, line: p.line, message: p.message })) }
      : null,
    transfer: ctx.replication?.transferState(origin) ?? null,
    url: `/api/v1/zones/${origin}`,
  };
}
