import { LimitError } from '../../zones/limits.js';
import type { ZoneReader } from '../../zones/store/reader.js';
import type { CommitResult, ZoneWriter } from '../../zones/store/write-door.js';
import { StoreError, type ZoneMeta } from '../../zones/store/zone-meta.js';
import { invalid } from './errors.js';
import { parseRRsets, planPatch, type RRsetInput } from './patch.js';

/** Requests carrying more records than this are planned and committed in a worker thread (patch-worker.ts). */
export const HEAVY_PATCH_RECORDS = 1_000;

/** A PATCH body's record count: what the limits and the choice of process go by. */
export function patchRecordCount(rrsets: readonly RRsetInput[]): number {
  return rrsets.reduce((n, rs) => n + (rs.records?.length ?? 0), 0);
}

/**
 * One PATCH as one commit: the records parsed and checked, the plan made against the zone as it is,
 * committed through the write door; a 422 ApiError names the first problem and nothing is applied.
 * Read, plan and commit run in one synchronous step, so nothing else writes in between in this process.
 */
export function applyPatch(store: ZoneReader, writer: ZoneWriter, apexKey: Buffer, meta: ZoneMeta, rrsets: readonly RRsetInput[]): CommitResult {
  const perRequest = writer.limits().recordsPerRequest;
  const count = patchRecordCount(rrsets);
  if (count > perRequest) throw invalid('rrsets', count, `records in one request are more than ${perRequest} (limits.recordsPerRequest); send them in several`);
  const parsed = parseRRsets(rrsets, apexKey, meta.origin);
  // the plan is made against one version of the zone; a commit by another thread or process in
  // between (a big PATCH runs in a worker) makes it stale: it is made again on the new version
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) store.seeExternalCommits();
    const current = store.zoneMeta(apexKey);
    if (!current) throw invalid('origin', meta.origin, 'is no zone here any more');
    const diff = planPatch(store, apexKey, current, parsed);
    try {
      return writer.commitDiff(apexKey, diff, () => (store.zoneMeta(apexKey)?.generation === current.generation ? undefined : STALE));
    } catch (err) {
      if (err instanceof StoreError && err.message.endsWith(STALE) && attempt < 5) continue;
      if (err instanceof StoreError || err instanceof LimitError) throw invalid('rrsets', undefined, err.message);
      throw err;
    }
  }
}

const STALE = 'the zone changed while the request was planned';
