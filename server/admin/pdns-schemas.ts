/**
 * JSON Schemas of the PowerDNS-compatible routes. PowerDNS ignores fields it does not read, and its
 * clients send plenty (ExternalDNS echoes the whole Zone object in a PATCH, Terraform adds name,
 * type and ttl to every record), so unknown fields pass here; the fields read are typed.
 */

const name = { type: 'string', minLength: 1, maxLength: 1024 } as const;

const recordSchema = {
  type: 'object',
  properties: {
    content: { type: 'string', maxLength: 65535 },
    disabled: { type: 'boolean', description: 'Only false: meshdns keeps no disabled records.' },
    'set-ptr': { type: 'boolean', description: 'Only false (PowerDNS removed it in 4.3).' },
  },
  required: ['content'],
} as const;

const rrsetProperties = {
  name,
  type: { type: 'string', minLength: 1, maxLength: 16 },
  ttl: { type: 'integer', minimum: 0, maximum: 2147483647 },
  changetype: { type: 'string', minLength: 1, maxLength: 16, description: 'REPLACE or DELETE, in any case' },
  // (go-powerdns sends `"records": null` with a DELETE)
  records: { type: ['array', 'null'], maxItems: 10000, items: recordSchema },
  comments: { type: ['array', 'null'], maxItems: 10000, description: 'Accepted and ignored: meshdns keeps no comments.' },
} as const;

export const pdnsPatchBody = {
  type: 'object',
  description: 'PowerDNS Zone object; only `rrsets` is read.',
  properties: { rrsets: { type: 'array', maxItems: 10000, items: { type: 'object', properties: rrsetProperties, required: ['name', 'type', 'changetype'] } } },
  required: ['rrsets'],
} as const;

export const pdnsCreateBody = {
  type: 'object',
  description: 'PowerDNS Zone object: name, kind (Native or Master), nameservers, rrsets or zone; other fields are ignored.',
  properties: {
    name,
    kind: { type: 'string', maxLength: 16 },
    nameservers: { type: 'array', maxItems: 64, items: name },
    rrsets: { type: 'array', maxItems: 100000, items: { type: 'object', properties: rrsetProperties, required: ['name', 'type'] } },
    zone: { type: 'string', maxLength: 64 * 1024 * 1024 },
    serial: { type: 'integer', minimum: 0, maximum: 4294967295 },
    dnssec: { type: 'boolean' },
  },
  required: ['name'],
} as const;

export const pdnsZoneQuery = {
  type: 'object',
  properties: { rrsets: { type: 'string', enum: ['true', 'false'] } },
} as const;

export const pdnsListQuery = {
  type: 'object',
  properties: { zone: name, dnssec: { type: 'string', enum: ['true', 'false'] } },
} as const;
