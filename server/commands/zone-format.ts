import type { RRsetChange } from '../admin/transactions.js';
import type { ZoneInfo } from '../admin/zone-info.js';
import { table } from './program.js';

/** The shapes `meshdns zone` reads from the admin API (routes-zones.ts, routes-rrsets.ts, routes-transaction.ts). */
export type ZoneJson = ZoneInfo & { state?: string };

export interface RRsetsJson {
  rrsets: { name: string; type: string; ttl: number; records: { content: string; sources?: string[] }[] }[];
}

export interface TransactionJson {
  zone: string;
  opened: string;
  expires: string;
  changes: unknown[];
  diff: RRsetChange[];
}

export interface CommitJson {
  changed: boolean;
  serial: number;
  added: number;
  removed: number;
}

/** loaded, failed (its last load had errors), or empty; the server's own word when it gives one. */
export function zoneState(z: ZoneJson): string {
  if (typeof z.state === 'string') return z.state;
  if (z.lastError !== null && z.lastError !== undefined) return z.loaded ? 'loaded, last load failed' : 'failed';
  return z.loaded ? 'loaded' : 'empty';
}

/** `zone list`: one row per zone. */
export function formatZoneList(zones: readonly ZoneJson[]): string {
  if (zones.length === 0) return 'no zones\n';
  const rows = [['ZONE', 'KIND', 'SERIAL', 'RECORDS', 'STATE', 'LAST CHANGE', 'SOURCE']];
  for (const z of zones) rows.push([z.name, z.kind, z.serial === null ? '-' : String(z.serial), String(z.records), zoneState(z), z.lastChange ?? '-', z.source]);
  return `${table(rows).join('\n')}\n`;
}

/** `zone status`: the zone's facts, one per line, then its load problems and transfer state. */
export function formatZoneStatus(z: ZoneJson, tx: TransactionJson | null): string {
  const rows: [string, string][] = [
    ['zone', z.name], ['kind', z.kind], ['state', zoneState(z)], ...(z.stateReason ? [['why', z.stateReason] as [string, string]] : []),
    ['serial', z.serial === null ? '-' : String(z.serial)], ['records', String(z.records)],
    ['source', z.source], ['last change', z.lastChange ?? '-'], ['last load', z.lastLoad ?? '-'],
    ...(z.expiresAt ? [['expires', z.expiresAt] as [string, string]] : []),
    ['transaction', tx === null ? 'none' : `open since ${tx.opened}, ${tx.changes.length} change${tx.changes.length === 1 ? '' : 's'}, dropped at ${tx.expires} if unused`],
  ];
  if (z.transfer) for (const [k, v] of Object.entries(z.transfer)) rows.push([`transfer ${k}`, v === null ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v)]);
  const width = Math.max(...rows.map(([k]) => k.length)) + 1;
  const lines = rows.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v}`);
  if (z.lastError) {
    lines.push(`last error at ${z.lastError.at}:`);
    for (const p of z.lastError.problems) lines.push(`  ${p.line > 0 ? `${p.file}:${p.line}` : p.file}: ${p.message}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `zone read`: the records as zone-file lines. */
export function formatRRsets(r: RRsetsJson): string {
  return r.rrsets.map((s) => s.records.map((rec) => `${s.name}\t${s.ttl}\tIN\t${s.type}\t${rec.content}\n`).join('')).join('');
}

/** `zone diff`: knotc's zone-diff, a `-` line per record going and a `+` line per record coming. */
export function formatDiff(tx: TransactionJson): string {
  const lines: string[] = [];
  for (const d of tx.diff) {
    for (const r of d.remove) lines.push(`- ${d.name}\t${r.ttl}\tIN\t${d.type}\t${r.content}`);
    for (const r of d.add) lines.push(`+ ${d.name}\t${r.ttl}\tIN\t${d.type}\t${r.content}`);
  }
  const head = `${tx.zone} transaction opened ${tx.opened}: ${tx.changes.length} change${tx.changes.length === 1 ? '' : 's'}`;
  return `${head}${lines.length === 0 ? ', nothing to commit' : ''}\n${lines.map((l) => `${l}\n`).join('')}`;
}

export function formatCommit(zone: string, c: CommitJson): string {
  if (!c.changed) return `${zone} unchanged (serial ${c.serial}): the changes leave the zone as it is\n`;
  return `${zone} committed: serial ${c.serial}, ${c.added} record${c.added === 1 ? '' : 's'} added, ${c.removed} removed\n`;
}
