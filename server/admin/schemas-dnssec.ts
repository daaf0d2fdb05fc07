/** JSON Schemas of the DNSSEC routes (routes-dnssec.ts); the OpenAPI document is made from them. */

const unixSeconds = { type: 'integer', description: 'Unix time in seconds' } as const;

export const keyStatusSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'The key id in meshdns (stable across restarts)' },
    role: { type: 'string', enum: ['csk', 'ksk', 'zsk'] },
    algorithm: { type: 'integer', description: 'DNSKEY algorithm number (8, 13, 15)' },
    keyTag: { type: 'integer', description: 'RFC 4034 appendix B' },
    flags: { type: 'integer', description: '256 (ZSK) or 257 (SEP: KSK, CSK)' },
    imported: { type: 'boolean' },
    state: { type: 'string', enum: ['generated', 'published', 'active', 'retired', 'removed'] },
    created: unixSeconds,
    publish: unixSeconds,
    active: unixSeconds,
    retire: unixSeconds,
    remove: unixSeconds,
    dsSubmitted: unixSeconds,
    dsSeen: unixSeconds,
    ds: { type: 'array', items: { type: 'string' }, description: 'DS records (SHA-256) for the parent, SEP keys only' },
  },
} as const;

export const signingStatusSchema = {
  type: 'object',
  properties: {
    origin: { type: 'string' },
    policy: { type: ['string', 'null'], description: 'The policy the zone signs with; null: unsigned, or going insecure' },
    keys: { type: 'array', items: keyStatusSchema },
    nextEvent: { type: ['integer', 'null'], description: 'When the key plan acts next (unix seconds)' },
    waitingFor: { type: 'array', items: { type: 'string' }, description: 'What the next step waits for outside meshdns (a DS at the parent)' },
    earliestExpiry: { type: ['integer', 'null'], description: 'The earliest RRSIG expiration in the zone (unix seconds)' },
    lastEvent: { type: ['string', 'null'] },
  },
} as const;

export const dsListSchema = {
  type: 'object',
  properties: {
    origin: { type: 'string' },
    ds: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          keyId: { type: 'string' },
          keyTag: { type: 'integer' },
          algorithm: { type: 'integer' },
          digestType: { type: 'integer' },
          digest: { type: 'string', description: 'Hex, upper case' },
          state: { type: 'string', description: 'The state of the key the DS points to' },
          record: { type: 'string', description: 'The DS record in presentation format, ready for the parent' },
        },
      },
    },
    text: { type: 'string', description: 'Every record, one per line (what `meshdns keys ds` prints)' },
  },
} as const;

export const keyIdParams = {
  type: 'object',
  properties: {
    origin: { type: 'string', minLength: 1, maxLength: 1024, description: 'The zone origin, with or without the trailing dot, in any letter case.' },
    id: { type: 'string', minLength: 1, maxLength: 64, description: 'The key id, or its key tag when no other key of the zone has the same tag' },
  },
  required: ['origin', 'id'],
} as const;

export const exportQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { private: { type: 'string', enum: ['true', 'false'], description: 'Include the .private file (the private key) — handle the answer as a secret' } },
} as const;

export const exportSchema = {
  type: 'object',
  properties: {
    baseName: { type: 'string', description: 'K<zone>+<alg>+<tag>' },
    key: { type: 'string', description: 'The .key file' },
    private: { type: 'string', description: 'The .private file (only with ?private=true)' },
  },
} as const;

/** Up to 64 KiB per file: an RSA-4096 .private file is about 3.3 KB. */
const keyFileText = { type: 'string', minLength: 1, maxLength: 65536 } as const;

export const importBody = {
  type: 'object',
  additionalProperties: false,
  description: 'BIND key files (dnssec-keygen, Knot keymgr): the text of K<zone>+<alg>+<tag>.key and .private',
  properties: {
    key: { ...keyFileText, description: 'The .key file text' },
    private: { ...keyFileText, description: 'The .private file text (never logged)' },
  },
  required: ['key', 'private'],
} as const;

export const dsSeenBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  description: 'Optional: the key tag whose DS the parent now serves; without it, every key whose DS was submitted.',
  properties: { keyTag: { type: 'integer', minimum: 0, maximum: 65535 } },
} as const;

export const rollBody = {
  type: 'object',
  additionalProperties: false,
  properties: { role: { type: 'string', enum: ['zsk', 'ksk', 'csk'], description: 'The role of the key to replace' } },
  required: ['role'],
} as const;
