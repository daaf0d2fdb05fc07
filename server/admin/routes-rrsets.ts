import { LimitError } from '../../zones/limits.js';
import type { FastifyInstance } from 'fastify';
import { keyToName, nameToKey, nameToText } from '../../zones/name.js';
import { rdataToText } from '../../zones/rdata/index.js';
import { typeToText } from '../../zones/rrtype.js';
import { StoreError } from '../../zones/store/lmdb-store.js';
import { ControlCounters } from '../metrics/counters.js';
import type { AdminContext } from './context.js';
import { ApiError, invalid } from './errors.js';
import { parseAbsoluteName, parseType } from './input.js';
import { findZone } from './lookup.js';
import { API_SOURCE, parseRRsets, planPatch, type RRsetInput } from './patch.js';
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
  }, (req) => {
    const { apexKey, meta } = findZone(ctx, req.params.origin);
    try {
      if (meta.kind !== 'primary') throw new ApiError(409, 'origin', meta.origin, 'is a secondary zone; change it at its primary');
      // read, check and commit in one synchronous step: nothing else writes in between on this thread
      const perRequest = ctx.writer.limits().recordsPerRequest;
      const count = req.body.rrsets.reduce((n, rs) => n + (rs.records?.length ?? 0), 0);
      if (count > perRequest) throw invalid('rrsets', count, `records in one request are more than ${perRequest} (limits.recordsPerRequest); send them in several`);
      const parsed = parseRRsets(req.body.rrsets, apexKey, meta.origin);
      const diff = planPatch(ctx.store, apexKey, meta, parsed);
      let result;
      try {
        result = ctx.writer.commitDiff(apexKey, diff);
      } catch (err) {
        if (err instanceof StoreError || err instanceof LimitError) throw invalid('rrsets', undefined, err.message);
        throw err;
      }
      ControlCounters.inc(ctx.counters.updatesApplied, API_SOURCE);
      ctx.log.info({ zone: meta.origin, change: { rrsets: parsed.length, serial: result.serial, added: result.added, removed: result.removed } }, 'zone changed through the API');
      return result;
    } catch (err) {
      if (err instanceof ApiError) ControlCounters.inc(ctx.counters.updatesRefused, API_SOURCE);
      throw err;
    }
  });
}
