import type { FastifyInstance } from 'fastify';
import { keyToName, nameToKey, nameToText } from '../../zones/name.js';
import { rdataToText } from '../../zones/rdata/index.js';
import { typeToText } from '../../zones/rrtype.js';
import { ControlCounters } from '../metrics/counters.js';
import type { AdminContext } from './context.js';
import { ApiError } from './errors.js';
import { parseAbsoluteName, parseType } from './input.js';
import { findZone } from './lookup.js';
import { API_SOURCE, type RRsetInput } from './patch.js';
import { applyPatch, HEAVY_PATCH_RECORDS, patchRecordCount } from './patch-apply.js';
import { patchInWorker, type PatchSummary } from './patch-thread.js';
import { commitSchema, errorResponses, originParams, patchBody, rrsetListSchema, rrsetsQuery } from './schemas.js';

export function rrsetRoutes(app: FastifyInstance, ctx: AdminContext): void {
  app.get<{ Params: { origin: string }; Querystring: { name?: string; type?: string } }>('/api/v1/zones/:origin/rrsets', {
    schema: {
      summary: 'The RRsets of a zone, optionally one name and/or type, with the provenance of every record',
      params: originParams, querystring: rrsetsQuery, response: { 200: rrsetListSchema, ...errorResponses },
    },
  }, (req) => {
    const { meta } = findZone(ctx, req.params.origin);
    const wantKey = req.query.name === undefined ? undefined : nameToKey(parseAbsoluteName(req.query.name, 'name'));
    const wantType = req.query.type === undefined ? undefined : parseType(req.query.type, 'type');
    const rrsets: unknown[] = [];
    const emit = (nameKey: Uint8Array, node: { rrsets: { type: number; ttl: number; rrs: { rdata: Uint8Array; owners: number[] }[] }[] }) => {
      const name = nameToText(keyToName(nameKey));
      for (const set of node.rrsets) {
        if (wantType !== undefined && set.type !== wantType) continue;
        rrsets.push({
          name, type: typeToText(set.type), ttl: set.ttl,
          records: set.rrs.map((rr) => ({
            content: rdataToText(set.type, rr.rdata), disabled: false, sources: rr.owners.map((o) => ctx.store.sourceName(o)),
          })),
        });
      }
    };
    if (wantKey !== undefined) {
      const node = ctx.store.getNode(meta.id, wantKey);
      if (node) emit(wantKey, node);
    } else {
      for (const { nameKey, node } of ctx.store.zoneNodes(meta.id)) emit(nameKey, node);
    }
    return { rrsets };
  });

  app.patch<{ Params: { origin: string }; Body: { rrsets: RRsetInput[] } }>('/api/v1/zones/:origin/rrsets', {
    schema: {
      summary: 'Change RRsets (PowerDNS shape): the whole request is one commit — one serial bump, one journal entry — or nothing',
      description: 'Returns after the commit, so the next DNS query sees the change. One bad record rejects the request (422) and nothing is applied.',
      params: originParams, body: patchBody, response: { 200: commitSchema, ...errorResponses },
    },
  }, (req) => patchRRsets(ctx, req.params.origin, req.body.rrsets));
}

/**
 * One PATCH of a zone's RRsets (PowerDNS semantics) as one commit, or nothing and an ApiError: the
 * meshdns route and the PowerDNS-compatible route both come here.
 */
export async function patchRRsets(ctx: AdminContext, originParam: string, rrsets: RRsetInput[]): Promise<PatchSummary> {
  const { apexKey, meta } = findZone(ctx, originParam);
  try {
    if (meta.kind !== 'primary') throw new ApiError(409, 'origin', meta.origin, 'is a secondary zone; change it at its primary');
    // a big request is planned and committed in a worker thread: answers do not wait on it
    const result = patchRecordCount(rrsets) > HEAVY_PATCH_RECORDS
      ? await patchInWorker(ctx.store.path, ctx.writer, apexKey, rrsets)
      : applyPatch(ctx.store, ctx.writer, apexKey, meta, rrsets);
    ControlCounters.inc(ctx.counters.updatesApplied, API_SOURCE);
    ctx.log.info({ zone: meta.origin, change: { rrsets: rrsets.length, serial: result.serial, added: result.added, removed: result.removed } }, 'zone changed through the API');
    return result;
  } catch (err) {
    if (err instanceof ApiError) ControlCounters.inc(ctx.counters.updatesRefused, API_SOURCE);
    throw err;
  }
}
