/**
 * JSON Schemas of the admin API. The same objects validate requests (fastify/ajv) and make the
 * OpenAPI document (openapi.ts), so the two cannot drift apart.
 */

const name = { type: 'string', minLength: 1, maxLength: 1024, description: 'An absolute domain name; the trailing dot is optional.' } as const;

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  description: 'Every error: `error` is the whole message, the other fields point at the input.',
  properties: {
    error: { type: 'string' },
    field: { type: 'string', description: 'Where in the request, e.g. rrsets[2].records[0].content' },
    value: { description: 'The offending value as sent' },
    reason: { type: 'string' },
    problems: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, reason: { type: 'string' } } } },
  },
  required: ['error', 'reason'],
} as const;

export const originParams = {
  type: 'object',
  properties: { origin: { ...name, description: 'The zone origin, with or without the trailing dot, in any letter case.' } },
  required: ['origin'],
} as const;

const recordSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    content: { type: 'string', maxLength: 65535, description: 'The rdata in presentation format, e.g. "192.0.2.1" or "10 mail.example.test."' },
    disabled: { type: 'boolean', description: 'Accepted for PowerDNS compatibility; only false is supported.' },
  },
  required: ['content'],
} as const;

const rrsetProperties = {
  name,
  type: { type: 'string', minLength: 1, maxLength: 16, description: 'RR type mnemonic (A, AAAA, MX...) or TYPEnnn' },
  ttl: { type: 'integer', minimum: 0, maximum: 2147483647 },
  records: { type: 'array', maxItems: 10000, items: recordSchema },
  comments: { type: 'array', maxItems: 0, description: 'Accepted for PowerDNS compatibility; must be empty.' },
} as const;

export const rrsetPatchSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...rrsetProperties,
    changetype: { type: 'string', enum: ['REPLACE', 'DELETE'], description: 'REPLACE: the RRset becomes exactly `records`. DELETE: it goes.' },
  },
  required: ['name', 'type', 'changetype'],
} as const;

export const patchBody = {
  type: 'object',
  additionalProperties: false,
  properties: { rrsets: { type: 'array', minItems: 1, maxItems: 10000, items: rrsetPatchSchema } },
  required: ['rrsets'],
} as const;

export const createZoneBody = {
  type: 'object',
  additionalProperties: false,
  description: 'A new primary zone from zone-file text (`zone`) or from rrsets (each one REPLACE), plus optional `nameservers`.',
  properties: {
    name,
    kind: { type: 'string', enum: ['primary', 'Primary', 'Native', 'Master'], description: 'Only primary zones are created here (PowerDNS names accepted).' },
    serialPolicy: { type: 'string', enum: ['increment', 'unixtime', 'dateserial'] },
    zone: { type: 'string', maxLength: 64 * 1024 * 1024, description: 'Zone-file text (RFC 1035 master format; $INCLUDE is not allowed).' },
    rrsets: { type: 'array', maxItems: 100000, items: { type: 'object', additionalProperties: false, properties: { ...rrsetProperties, changetype: { type: 'string', enum: ['REPLACE'] } }, required: ['name', 'type', 'ttl'] } },
    nameservers: { type: 'array', maxItems: 64, items: name, description: 'Apex NS records (TTL 3600) added to the records given.' },
  },
  required: ['name'],
} as const;

export const rrsetsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { name, type: { type: 'string', minLength: 1, maxLength: 16 } },
} as const;

const nullableString = { type: ['string', 'null'] } as const;

export const zoneInfoSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    kind: { type: 'string', enum: ['primary', 'secondary'] },
    state: { type: 'string', enum: ['loaded', 'failed', 'waiting', 'expired'] },
    stateReason: nullableString,
    serial: { type: ['integer', 'null'] },
    source: { type: 'string' },
    records: { type: 'integer' },
    loaded: { type: 'boolean' },
    lastChange: nullableString,
    lastLoad: nullableString,
    lastError: {
      type: ['object', 'null'],
      properties: {
        at: { type: 'string' },
        problems: { type: 'array', items: { type: 'object', properties: { file: { type: 'string' }, line: { type: 'integer' }, message: { type: 'string' } } } },
      },
    },
    transfer: { type: ['object', 'null'], additionalProperties: true },
    catalog: {
      type: ['object', 'null'], additionalProperties: false, required: ['listedIn', 'from', 'role'],
      properties: { listedIn: { type: 'array', items: { type: 'string' } }, from: { type: ['string', 'null'] }, role: { type: ['string', 'null'], enum: ['produced', 'consumed', null] } },
    },
    expiresAt: nullableString,
    url: { type: 'string' },
  },
} as const;

export const rrsetListSchema = {
  type: 'object',
  properties: {
    rrsets: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          type: { type: 'string' },
          ttl: { type: 'integer' },
          records: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                content: { type: 'string' },
                disabled: { type: 'boolean' },
                sources: { type: 'array', items: { type: 'string' }, description: 'Provenance: who wrote this record (file:..., api, ...)' },
              },
            },
          },
        },
      },
    },
  },
} as const;

export const commitSchema = {
  type: 'object',
  properties: {
    changed: { type: 'boolean' },
    serial: { type: 'integer' },
    added: { type: 'integer' },
    removed: { type: 'integer' },
  },
} as const;

export const reloadSchema = {
  type: 'object',
  properties: {
    applied: { type: 'array', items: { type: 'string' } },
    restartNeeded: { type: 'array', items: { type: 'string' } },
  },
} as const;

/** Error responses every /api route may give. */
export const errorResponses = {
  400: { $ref: 'Error#' },
  401: { $ref: 'Error#' },
  404: { $ref: 'Error#' },
  409: { $ref: 'Error#' },
  422: { $ref: 'Error#' },
  507: { $ref: 'Error#' },
} as const;
