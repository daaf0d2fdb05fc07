import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { AdminContext } from './context.js';
import { ApiError, validationBody } from './errors.js';
import { exportZone } from './export.js';
import { findZone } from './lookup.js';
import { pdnsZoneName } from './pdns-id.js';
import { inRequestTerms, pdnsCreate, pdnsPatch, type PdnsRRsetInput, type PdnsZoneInput } from './pdns-input.js';
import { pdnsCreateBody, pdnsListQuery, pdnsPatchBody, pdnsZoneQuery } from './pdns-schemas.js';
import { PDNS_BASE, pdnsServer, pdnsZone } from './pdns-zone.js';
import { patchRRsets } from './routes-rrsets.js';
import { createZone, deleteZone, notifyZone, retransferZone } from './routes-zones.js';
import { errorResponses, originParams } from './schemas.js';

/**
 * PowerDNS's HTTP API (server `localhost`, zones, rrsets), so ExternalDNS's pdns provider,
 * octoDNS's PowerDnsProvider, Terraform's powerdns provider and cert-manager webhooks can drive
 * meshdns. Every change goes through the same functions as the meshdns routes — one commit through
 * the write door or nothing — and the same token (`X-API-Key`). Bad input is 422 naming the field.
 */
export function pdnsRoutes(app: FastifyInstance, ctx: AdminContext, version: string): void {
  const zoneOf = (req: { params: { origin: string } }) => findZone(ctx, pdnsZoneName(req.params.origin));
  // (the id may be PowerDNS's =XX form: `0=2F26.2.0.192.in-addr.arpa.`)
  const zoneRoute = { params: originParams, response: errorResponses };

  app.get('/api/v1/servers', { schema: { summary: 'PowerDNS: the servers (one, "localhost")' } }, () => [pdnsServer(version)]);
  app.get(PDNS_BASE, { schema: { summary: 'PowerDNS: this server' } }, () => pdnsServer(version));

  app.get<{ Querystring: { zone?: string } }>(`${PDNS_BASE}/zones`, {
    attachValidation: true,
    schema: { summary: 'PowerDNS: every zone (Zone objects without rrsets); `?zone=` picks one', querystring: pdnsListQuery, response: errorResponses },
  }, (req) => {
    refuseInvalid(req);
    const want = req.query.zone;
    const metas = want === undefined ? ctx.store.allZones().map((z) => z.meta) : zoneOrNone(ctx, want);
    return metas.map((meta) => pdnsZone(ctx, meta, false));
  });

  app.post<{ Body: PdnsZoneInput; Querystring: { rrsets?: string } }>(`${PDNS_BASE}/zones`, {
    bodyLimit: 80 * 1024 * 1024, attachValidation: true,
    schema: { summary: 'PowerDNS: create a zone (Native or Master) from rrsets and nameservers, or zone-file text; 201 and the zone',
      body: pdnsCreateBody, querystring: pdnsZoneQuery, response: errorResponses },
  }, (req, reply) => {
    refuseInvalid(req);
    const { input, from } = pdnsCreate(req.body);
    let meta;
    try {
      meta = createZone(ctx, input);
    } catch (err) {
      throw inRequestTerms(err, from);
    }
    const zone = pdnsZone(ctx, meta, req.query.rrsets !== 'false');
    return reply.code(201).header('location', zone['url'] as string).send(zone);
  });

  app.get<{ Params: { origin: string }; Querystring: { rrsets?: string } }>(`${PDNS_BASE}/zones/:origin`, {
    attachValidation: true,
    schema: { summary: 'PowerDNS: one zone with its rrsets (`?rrsets=false` without)', querystring: pdnsZoneQuery, ...zoneRoute },
  }, (req) => {
    refuseInvalid(req);
    return pdnsZone(ctx, zoneOf(req).meta, req.query.rrsets !== 'false');
  });

  app.patch<{ Params: { origin: string }; Body: { rrsets: PdnsRRsetInput[] } }>(`${PDNS_BASE}/zones/:origin`, {
    attachValidation: true,
    schema: { summary: 'PowerDNS: change rrsets (REPLACE, DELETE) as one commit, or nothing; 204',
      body: pdnsPatchBody, ...zoneRoute },
  }, async (req, reply) => {
    refuseInvalid(req);
    const { meta } = zoneOf(req);
    const { input, from } = pdnsPatch(req.body.rrsets);
    if (input.length > 0) {
      try {
        await patchRRsets(ctx, meta.origin, input);
      } catch (err) {
        throw inRequestTerms(err, from);
      }
    }
    return reply.code(204).send();
  });

  app.delete<{ Params: { origin: string } }>(`${PDNS_BASE}/zones/:origin`, {
    schema: { summary: 'PowerDNS: delete a zone created through the API; 204', ...zoneRoute },
  }, (req, reply) => {
    deleteZone(ctx, zoneOf(req).meta.origin);
    return reply.code(204).send();
  });

  app.put<{ Params: { origin: string } }>(`${PDNS_BASE}/zones/:origin/notify`, {
    schema: { summary: 'PowerDNS: send NOTIFY to the zone\'s secondaries', ...zoneRoute },
  }, async (req) => {
    const r = await notifyZone(ctx, zoneOf(req).meta.origin);
    return { result: `Notification sent to ${r.sent} secondaries${r.failed > 0 ? `, ${r.failed} failed` : ''}` };
  });

  app.put<{ Params: { origin: string } }>(`${PDNS_BASE}/zones/:origin/axfr-retrieve`, {
    schema: { summary: 'PowerDNS: transfer a secondary zone from its primary now (422 for a primary zone)', ...zoneRoute },
  }, async (req) => {
    const meta = await retransferZone(ctx, zoneOf(req).meta.origin, 422);
    return { result: `Added retrieval request for '${meta.origin.toLowerCase()}' from its primaries` };
  });

  app.get<{ Params: { origin: string } }>(`${PDNS_BASE}/zones/:origin/export`, {
    schema: { summary: 'PowerDNS: the zone as zone-file text', ...zoneRoute },
  }, (req, reply) => reply.type('text/plain; charset=utf-8').send(exportZone(ctx.store, zoneOf(req).meta)));
}

/** PowerDNS answers bad input with 422 (meshdns's own routes say 400 for a body of the wrong shape). */
function refuseInvalid(req: FastifyRequest): void {
  const err = req.validationError as FastifyError | undefined;
  if (err === undefined) return;
  const body = validationBody(err, req);
  throw new ApiError(422, body['field'] as string, body['value'], body['reason'] as string);
}

function zoneOrNone(ctx: AdminContext, name: string) {
  try {
    return [findZone(ctx, pdnsZoneName(name)).meta];
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return [];
    throw err;
  }
}
