import { LimitError, type ZoneLimits } from '../../zones/limits.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { checkZone } from '../../zones/import/checks.js';
import { keyToName, nameToKey } from '../../zones/name.js';
import { StoreError, type ZoneMeta } from '../../zones/store/zone-meta.js';
import type { ParsedRecord } from '../../zones/record.js';
import { RRType } from '../../zones/rrtype.js';
import type { SerialPolicy } from '../../zones/serial.js';
import { parseZoneText } from '../../zones/zonefile/parser.js';
import type { ZoneProblem } from '../../zones/zonefile/session.js';
import { ControlCounters } from '../metrics/counters.js';
import type { AdminContext } from './context.js';
import { ApiError, invalid } from './errors.js';
import { exportZone } from './export.js';
import { originText, parseAbsoluteName, parseZoneName } from './input.js';
import { findZone } from './lookup.js';
import { API_SOURCE, parseRRsets, type RRsetInput } from './patch.js';
import { createZoneBody, errorResponses, originParams, zoneInfoSchema } from './schemas.js';
import { allZoneInfos, oneZoneInfo, zoneInfo } from './zone-info.js';

export interface CreateZone {
  name: string;
  kind?: string;
  serialPolicy?: SerialPolicy;
  zone?: string;
  rrsets?: RRsetInput[];
  nameservers?: string[];
}

const notBuilt = (what: string) => new ApiError(501, undefined, undefined, `${what} is not wired into this server instance (no replication hooks)`);

export function zoneRoutes(app: FastifyInstance, ctx: AdminContext): void {
  app.get('/api/v1/zones', {
    schema: { summary: 'Every zone with its state (loaded, failed, waiting, expired), serial, kind, source, record count, last change, last load error and transfer state',
      description: 'Zone files of the zone folder or the config that never loaded are listed too (state failed or waiting, serial null).',
      response: { 200: { type: 'array', items: zoneInfoSchema }, ...errorResponses } },
  }, () => allZoneInfos(ctx));

  app.get<{ Params: { origin: string } }>('/api/v1/zones/:origin', {
    schema: { summary: 'One zone (a zone file that never loaded included)', params: originParams, response: { 200: zoneInfoSchema, ...errorResponses } },
  }, (req) => oneZoneInfo(ctx, req.params.origin));

  app.post<{ Body: CreateZone }>('/api/v1/zones', {
    bodyLimit: 80 * 1024 * 1024,
    schema: { summary: 'Create a primary zone from zone-file text or from rrsets', body: createZoneBody,
      response: { 201: zoneInfoSchema, ...errorResponses } },
  }, (req, reply) => {
    const meta = createZone(ctx, req.body);
    return reply.code(201).header('location', `/api/v1/zones/${meta.origin}`).send(zoneInfo(ctx, meta));
  });

  app.delete<{ Params: { origin: string } }>('/api/v1/zones/:origin', {
    schema: { summary: 'Delete a zone created through the API (a zone-file zone goes with its file)', params: originParams,
      response: { 204: { type: 'null' }, ...errorResponses } },
  }, (req, reply) => {
    deleteZone(ctx, req.params.origin);
    return reply.code(204).send();
  });

  app.get<{ Params: { origin: string } }>('/api/v1/zones/:origin/export', {
    schema: { summary: 'The zone as zone-file text', params: originParams,
      response: { 200: { type: 'string', description: 'text/plain zone file' }, ...errorResponses } },
  }, (req, reply) => {
    const { meta } = findZone(ctx, req.params.origin);
    return reply.type('text/plain; charset=utf-8').send(exportZone(ctx.store, meta));
  });

  app.put<{ Params: { origin: string } }>('/api/v1/zones/:origin/notify', {
    schema: { summary: 'Send NOTIFY for the zone to its secondaries', params: originParams,
      response: { 200: { type: 'object', properties: { result: { type: 'string' }, sent: { type: 'integer' }, failed: { type: 'integer' } } }, ...errorResponses, 501: { $ref: 'Error#' } } },
  }, async (req) => ({ result: 'Notification sent', ...await notifyZone(ctx, req.params.origin) }));

  app.put<{ Params: { origin: string } }>('/api/v1/zones/:origin/retransfer', {
    schema: { summary: 'Transfer a secondary zone from its primary now', params: originParams,
      response: { 200: { type: 'object', properties: { result: { type: 'string' } } }, ...errorResponses, 501: { $ref: 'Error#' } } },
  }, async (req) => {
    await retransferZone(ctx, req.params.origin, 409);
    return { result: 'Transfer started' };
  });
}

/**
 * A new primary zone from zone-file text or rrsets (each one REPLACE) plus nameservers, checked as a
 * zone file is and committed as one transaction; a 409 or 422 ApiError says why not.
 */
export function createZone(ctx: AdminContext, body: CreateZone): ZoneMeta {
  try {
    const origin = parseZoneName(body.name, 'name');
    const text = originText(origin);
    const apexKey = nameToKey(origin);
    if (ctx.store.zoneMeta(apexKey)) throw new ApiError(409, 'name', body.name, 'is already a zone here');
    const file = ctx.zoneFolder().wanted().find((e) => e.origin === text);
    if (file) throw new ApiError(409, 'name', body.name, `has a zone file ("${file.file}"); the zone comes from it`);
    if (body.zone !== undefined && body.rrsets !== undefined) throw invalid('zone', undefined, 'and rrsets are both given; send one of them');
    let records: ParsedRecord[] = [];
    let lines: string[] = [];
    if (body.zone !== undefined) {
      lines = body.zone.split('\n');
      records = parseText(body.zone, origin, lines, ctx.writer.limits());
    } else if (body.rrsets !== undefined) {
      for (const rs of parseRRsets(body.rrsets, apexKey, text, 'REPLACE')) {
        for (const rdata of rs.rdatas) {
          records.push({ owner: rs.owner, type: rs.type, rclass: 1, ttl: rs.ttl, rdata, file: `rrsets[${rs.index}]`, line: 0 });
        }
      }
    }
    (body.nameservers ?? []).forEach((ns, i) => {
      records.push({ owner: origin, type: RRType.NS, rclass: 1, ttl: 3600, rdata: parseAbsoluteName(ns, `nameservers[${i}]`), file: `nameservers[${i}]`, line: 0 });
    });
    const perRequest = ctx.writer.limits().recordsPerRequest;
    if (records.length > perRequest) {
      throw invalid(body.zone !== undefined ? 'zone' : 'rrsets', records.length, `records are more than ${perRequest} one request may carry (limits.recordsPerRequest)`);
    }
    const checked = checkZone(origin, records, body.zone !== undefined ? 'zone' : 'rrsets');
    const errors = checked.problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) throw problemError(errors, lines);
    // the zone and its first content in one transaction: a failure leaves no zone behind
    const update = ctx.writer.create(origin, { originText: text, kind: 'primary', serialPolicy: body.serialPolicy ?? 'increment', ifExists: 'fail' }, API_SOURCE);
    for (const rr of checked.records) update.add(rr);
    let meta;
    try {
      meta = update.commit().meta!;
    } catch (err) {
      if (err instanceof StoreError && err.code === 'MESHDNS_ERR_ZONE_EXISTS') throw new ApiError(409, 'name', body.name, 'is already a zone here');
      if (err instanceof LimitError) throw invalid(body.zone !== undefined ? 'zone' : 'rrsets', undefined, err.message);
      throw err;
    }
    ControlCounters.inc(ctx.counters.updatesApplied, API_SOURCE);
    ctx.log.info({ zone: text, change: { records: checked.records.length } }, 'zone created through the API');
    return ctx.store.zoneMeta(apexKey) ?? meta;
  } catch (err) {
    if (err instanceof ApiError) ControlCounters.inc(ctx.counters.updatesRefused, API_SOURCE);
    throw err;
  }
}

/** Deletes a zone created through the API; a zone-file zone (409) goes with its file. */
export function deleteZone(ctx: AdminContext, originParam: string): void {
  const { apexKey, meta } = findZone(ctx, originParam);
  // (a zone whose file is gone but which other sources wrote to stays until deleted here)
  const file = ctx.zoneFolder().wanted().find((e) => e.origin === meta.origin.toLowerCase())?.file;
  if (file !== undefined) throw new ApiError(409, 'origin', originParam, `comes from the zone file "${file}"; remove the file and the zone goes with it`);
  ctx.writer.begin(keyToName(apexKey), API_SOURCE).deleteZone().commit();
  ctx.log.info({ zone: meta.origin }, 'zone deleted through the API');
}

/** NOTIFY for the zone to its secondaries (501 when this server has no replication hooks). */
export async function notifyZone(ctx: AdminContext, originParam: string): Promise<{ sent: number; failed: number }> {
  const { meta } = findZone(ctx, originParam);
  if (!ctx.replication) throw notBuilt('NOTIFY');
  return ctx.replication.notify(meta.origin);
}

/** A full transfer of a secondary zone now; a primary zone is refused with `primaryStatus`. */
export async function retransferZone(ctx: AdminContext, originParam: string, primaryStatus: 409 | 422): Promise<ZoneMeta> {
  const { meta } = findZone(ctx, originParam);
  if (meta.kind !== 'secondary') throw new ApiError(primaryStatus, 'origin', originParam, 'is a primary zone here; only secondary zones are transferred');
  if (!ctx.replication) throw notBuilt('Zone transfer');
  await ctx.replication.retransfer(meta.origin);
  return meta;
}

/** Zone text with $INCLUDE confined to an empty folder: API input never reads server files. */
function parseText(text: string, origin: Uint8Array, lines: string[], limits: ZoneLimits): ParsedRecord[] {
  const jail = mkdtempSync(join(tmpdir(), 'meshdns-api-'));
  try {
    // a few bytes of $GENERATE must not become millions of records before the request is refused
    const parsed = parseZoneText(text, {
      origin, file: 'zone', includeRoot: jail,
      maxGenerate: Math.min(limits.generateRecords, limits.recordsPerRequest), maxRecords: limits.recordsPerRequest,
    });
    const errors = parsed.problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) throw problemError(errors, lines);
    return parsed.records;
  } finally {
    rmSync(jail, { recursive: true, force: true });
  }
}

/** Zone problems → one 422: the first names its field (zone line, rrset), the others follow. */
function problemError(problems: ZoneProblem[], lines: string[]): ApiError {
  const where = (p: ZoneProblem) => (p.file === 'zone' ? 'zone' : p.file);
  const why = (p: ZoneProblem) => (p.file === 'zone' && p.line > 0 ? `line ${p.line}: ${p.message}` : p.message);
  const first = problems[0]!;
  const value = first.file === 'zone' && first.line > 0 ? lines[first.line - 1]?.trim() : undefined;
  return invalid(where(first), value, why(first), problems.slice(1).map((p) => ({ field: where(p), reason: why(p) })));
}
