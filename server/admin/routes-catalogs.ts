import type { FastifyInstance } from 'fastify';
import type { CatalogControl } from '../catalog/control.js';
import type { AdminContext } from './context.js';
import { ApiError, invalid } from './errors.js';
import { originText, parseOriginParam } from './input.js';
import { findZone } from './lookup.js';
import { errorResponses, originParams } from './schemas.js';

const withUnavailable = { ...errorResponses, 501: { $ref: 'Error#' } } as const;

const memberSchema = {
  type: 'object', additionalProperties: false, required: ['zone', 'id'],
  properties: { zone: { type: 'string' }, id: { type: 'string' }, group: { type: 'string' }, coo: { type: 'string' }, since: { type: 'string' } },
} as const;

const catalogsSchema = {
  type: 'object', additionalProperties: false, required: ['produced', 'consumed'],
  properties: {
    produced: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['zone', 'serial', 'members'],
        properties: { zone: { type: 'string' }, serial: { type: ['integer', 'null'] }, members: { type: 'array', items: memberSchema } },
      },
    },
    consumed: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['zone', 'serial', 'lastTransfer', 'lastProcessed', 'lastError', 'members', 'conflicts'],
        properties: {
          zone: { type: 'string' }, serial: { type: ['integer', 'null'] }, lastTransfer: { type: ['string', 'null'] },
          lastProcessed: { type: ['string', 'null'] }, lastError: { type: ['string', 'null'] },
          members: { type: 'array', items: memberSchema },
          conflicts: {
            type: 'array',
            items: { type: 'object', additionalProperties: false, required: ['zone', 'reason', 'at'], properties: { zone: { type: 'string' }, reason: { type: 'string' }, at: { type: 'string' } } },
          },
        },
      },
    },
  },
} as const;

const handOverBody = {
  type: 'object', additionalProperties: false, required: ['catalog'],
  properties: { catalog: { type: ['string', 'null'], minLength: 1, description: 'The catalog the zone is handed to (RFC 9432 §4.4.1 coo); null takes a hand-over back' } },
} as const;

const handOverSchema = {
  type: 'object', additionalProperties: false, required: ['zone', 'producedIn', 'handedTo'],
  properties: { zone: { type: 'string' }, producedIn: { type: 'array', items: { type: 'string' } }, consumedFrom: { type: 'string' }, handedTo: { type: ['string', 'null'] } },
} as const;

/**
 * `GET /api/v1/catalogs`: each catalog produced here with its members and serial, each consumed
 * one with its members, last transfer, last error and refused members.
 * `PUT /api/v1/zones/{origin}/catalog`: hand a zone to another catalog (a coo property in its
 * catalog; a catalog produced here lists it too).
 */
export function catalogRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const control = (): CatalogControl => {
    if (!ctx.catalogs) throw new ApiError(501, undefined, undefined, 'catalog zones are not wired into this server instance');
    return ctx.catalogs;
  };

  app.get('/api/v1/catalogs', {
    schema: { summary: 'Catalog zones produced and consumed here (RFC 9432): members, serials, consumer state and conflicts', response: { 200: catalogsSchema, ...withUnavailable } },
  }, () => control().view());

  app.put<{ Params: { origin: string }; Body: { catalog: string | null } }>('/api/v1/zones/:origin/catalog', {
    schema: {
      summary: 'Hand a zone to another catalog: its catalog gets a coo property naming the new one (RFC 9432 §4.4.1, §5.5)',
      params: originParams, body: handOverBody, response: { 200: handOverSchema, ...withUnavailable },
    },
  }, (req) => {
    const catalogs = control();
    const { meta } = findZone(ctx, req.params.origin);
    if (meta.kind !== 'primary') throw invalid('origin', req.params.origin, 'is a secondary zone here; only a primary zone is listed in a catalog produced here');
    const to = req.body.catalog === null ? null : originText(parseOriginParam(req.body.catalog));
    const before = catalogs.catalogOf(meta.origin);
    if (to !== null && before.producedIn.length === 0) throw invalid('origin', req.params.origin, 'is in no catalog produced here; there is nothing to hand over');
    if (to !== null && before.producedIn.includes(to) && before.producedIn.length === 1) throw invalid('catalog', req.body.catalog, 'is the catalog that lists the zone already');
    catalogs.handOver(meta.origin, to);
    ctx.log.info({ zone: meta.origin, to }, to === null ? 'catalog hand-over taken back' : 'zone handed to another catalog (coo)');
    return { zone: meta.origin.toLowerCase(), ...catalogs.catalogOf(meta.origin), handedTo: to };
  });
}
