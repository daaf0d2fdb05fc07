import { basename } from 'node:path';
import { nameToKey, parseName } from '../name.js';
import { reconcile } from '../reconcile.js';
import { LimitError, type ZoneLimits } from '../limits.js';
import { loadZoneFile } from './zone-source.js';
import type { ZoneProblem } from '../zonefile/parser.js';
import type { ZoneReader } from '../store/reader.js';
import type { ZoneWriter } from '../store/write-door.js';
import { StoreError, type ZoneMeta } from '../store/zone-meta.js';
import type { SerialPolicy } from '../serial.js';

export interface ZoneFileRequest {
  origin: string;
  file: string;
  includeRoot: string;
  serialPolicy: SerialPolicy;
  source: NonNullable<ZoneMeta['source']>;
  /** What the load may hold (config `limits:`); the loader child applies the same. */
  limits: ZoneLimits;
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
export function applyZoneFile(
  store: ZoneReader, writer: ZoneWriter, req: ZoneFileRequest, progress: ProgressReport, stillWanted?: () => string | undefined,
): ZoneFileOutcome {
  const origin = parseName(req.origin);
  const apexKey = nameToKey(origin);
  const started = Date.now();
  progress('parsing zone file', { bytes: req.source.size });
  const loaded = loadZoneFile(req.file, origin, req.includeRoot, { maxGenerate: req.limits.generateRecords });
  progress('zone file parsed; writing to LMDB', { records: loaded.table.liveCount, ms: Date.now() - started });
  const warnings = loaded.problems.filter((p) => p.severity === 'warning');
  if (!loaded.ok) return { ok: false, problems: loaded.problems.filter((p) => p.severity === 'error'), warnings };
  const sourceName = `file:${basename(req.file)}`;
  const meta = store.zoneMeta(apexKey);
  const update = writer
    .create(origin, { originText: req.origin, kind: 'primary', serialPolicy: req.serialPolicy, ifExists: 'reuse' }, sourceName)
    .setMeta({ source: req.source, serialPolicy: req.serialPolicy });
  if (stillWanted) update.onlyIf(stillWanted);
  // an empty zone takes the whole table in one pass; otherwise only what this file changed goes in
  if (!meta || meta.records === 0) update.content(loaded.table);
  else update.apply(reconcile(sourceName, loaded.records, store.ownedBy(meta.id, sourceName)));
  let result;
  try {
    result = update.commit();
  } catch (err) {
    if (err instanceof StoreError && err.code === 'MESHDNS_ERR_ZONE_KIND') return { ok: false, secondary: true, warnings };
    // a limit is a problem of the file's content: reported like a syntax error, the old version stays
    if (err instanceof LimitError) return { ok: false, problems: [{ severity: 'error', file: req.file, line: 0, message: err.message }], warnings };
    throw err;
  }
  progress('zone written to LMDB', { records: result.added, ms: Date.now() - started });
  return { ok: true, changed: result.changed, serial: result.serial, added: result.added, removed: result.removed, warnings };
}
