import { basename } from 'node:path';
import { keyToName, nameToKey, parseName } from './name.js';
import { RRType } from './rrtype.js';
import type { DiffRR, ZoneDiff } from './diff.js';
import { loadZoneFile } from './zone-source.js';
import type { ZoneProblem } from './zonefile/parser.js';
import type { LmdbStore, ZoneMeta } from './store/lmdb-store.js';
import type { ZoneWriter } from './store/commit.js';
import type { SerialPolicy } from './serial.js';
import { latin1 } from './store/working-set.js';

export interface ZoneFileRequest {
  origin: string;
  file: string;
  includeRoot: string;
  serialPolicy: SerialPolicy;
  source: NonNullable<ZoneMeta['source']>;
}

export type ZoneFileOutcome =
  | { ok: true; changed: boolean; serial: number; added: number; removed: number; warnings: ZoneProblem[] }
  | { ok: false; problems: ZoneProblem[]; warnings: ZoneProblem[] }
  | { ok: false; secondary: true; warnings: ZoneProblem[] };

export type ProgressReport = (message: string, details: Record<string, unknown>) => void;

/**
 * Parses and checks one zone file and commits what changed through the write door: on the query
 * thread for small files, in a worker thread for big ones (zone-load-worker.ts).
 */
export function applyZoneFile(store: LmdbStore, writer: ZoneWriter, req: ZoneFileRequest, progress: ProgressReport): ZoneFileOutcome {
  const origin = parseName(req.origin);
  const apexKey = nameToKey(origin);
  const started = Date.now();
  progress('parsing zone file', { bytes: req.source.size });
  const loaded = loadZoneFile(req.file, origin, req.includeRoot);
  progress('zone file parsed; writing to LMDB', { records: loaded.table.liveCount, ms: Date.now() - started });
  const warnings = loaded.problems.filter((p) => p.severity === 'warning');
  if (!loaded.ok) return { ok: false, problems: loaded.problems.filter((p) => p.severity === 'error'), warnings };
  const meta = store.zoneMeta(apexKey) ?? writer.createZone(origin, req.origin, 'primary', req.serialPolicy);
  if (meta.kind !== 'primary') return { ok: false, secondary: true, warnings };
  const sourceName = `file:${basename(req.file)}`;
  const result =
    meta.records === 0
      ? writer.commitTable(apexKey, sourceName, loaded.table)
      : writer.commit(apexKey, fileDiff(store, meta.id, sourceName, loaded.records));
  progress('zone written to LMDB', { records: result.added, ms: Date.now() - started });
  writer.updateMeta(apexKey, { source: req.source, serialPolicy: req.serialPolicy });
  return { ok: true, ...result, warnings };
}

/** What the file's new content changes compared with what this file contributed before. */
function fileDiff(store: LmdbStore, zoneId: number, source: string, records: DiffRR[]): ZoneDiff {
  const ownerId = store.provenance.find(source);
  const old = new Map<string, DiffRR>();
  if (ownerId !== undefined) {
    for (const { nameKey, node } of store.zoneNodes(zoneId)) {
      for (const set of node.rrsets) {
        for (const rr of set.rrs) {
          if (!rr.owners.includes(ownerId)) continue;
          old.set(rrId(nameKey, set.type, rr.rdata), { owner: keyToName(nameKey), type: set.type, ttl: set.ttl, rdata: rr.rdata });
        }
      }
    }
  }
  const diff: ZoneDiff = { source, remove: [], add: [] };
  const seen = new Set<string>();
  for (const rr of records) {
    const id = rrId(nameToKey(rr.owner), rr.type, rr.rdata);
    seen.add(id);
    const before = old.get(id);
    // the SOA always goes in: the write door decides whether its serial is newer
    if (!before || before.ttl !== rr.ttl || rr.type === RRType.SOA) diff.add.push(rr);
  }
  for (const [id, rr] of old) if (!seen.has(id)) diff.remove.push(rr);
  return diff;
}

function rrId(nameKey: Uint8Array, type: number, rdata: Uint8Array): string {
  return `${latin1(nameKey)}|${type}|${latin1(rdata)}`;
}
