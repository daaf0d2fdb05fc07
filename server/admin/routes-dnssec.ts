import type { FastifyInstance } from 'fastify';
import { nameToKey } from '../../zones/name.js';
import type { DnssecControl, KeyStatus, ZoneSigningStatus } from '../dnssec/control.js';
import type { AdminContext } from './context.js';
import { ApiError, invalid } from './errors.js';
import { originText, parseOriginParam } from './input.js';
import { findZone } from './lookup.js';
import { errorResponses, originParams } from './schemas.js';
import {
  dsListSchema, dsSeenBody, exportQuery, exportSchema, importBody, keyIdParams, keyStatusSchema, rollBody, signingStatusSchema,
} from './schemas-dnssec.js';

const withUnavailable = { ...errorResponses, 501: { $ref: 'Error#' } } as const;

export interface DsEntry {
  keyId: string;
  keyTag: number;
  algorithm: number;
  digestType: number;
  digest: string;
  state: KeyStatus['state'];
  record: string;
}

/**
 * The DNSSEC routes: a zone's keys and signing state, its DS records for the parent, the operator's
 * "the parent has the DS now", a roll started by hand, and BIND key files in and out. Key material
 * crosses this API only in an import body and in an export asked for with `?private=true`; neither
 * is ever logged (request logging is off, and the log lines here carry the zone and key tag only).
 */
export function dnssecRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const control = (): DnssecControl => {
    if (!ctx.dnssec) throw new ApiError(501, undefined, undefined, 'DNSSEC key management is not wired into this server instance');
    return ctx.dnssec;
  };

  app.get('/api/v1/dnssec', {
    schema: { summary: 'The signing state of every zone with a policy or keys', response: { 200: { type: 'array', items: signingStatusSchema }, ...withUnavailable } },
  }, () => control().zones().map(toJson));

  app.get<{ Params: { origin: string } }>('/api/v1/zones/:origin/keys', {
    schema: { summary: 'A zone\'s signing keys (role, algorithm, tag, state, timestamps, DS of SEP keys), next key event and earliest RRSIG expiry',
      params: originParams, response: { 200: signingStatusSchema, ...withUnavailable } },
  }, (req) => toJson(statusOf(ctx, control(), req.params.origin)));

  app.get<{ Params: { origin: string } }>('/api/v1/zones/:origin/ds', {
    schema: { summary: 'The DS records to put at the parent (SEP keys not yet removed), as JSON and in presentation format',
      params: originParams, response: { 200: dsListSchema, ...withUnavailable } },
  }, (req) => {
    const status = statusOf(ctx, control(), req.params.origin);
    const ds = dsEntries(status);
    return { origin: status.origin, ds, text: ds.map((d) => `${d.record}\n`).join('') };
  });

  app.post<{ Params: { origin: string }; Body: { keyTag?: number } | null }>('/api/v1/zones/:origin/keys/ds-seen', {
    schema: { summary: 'The parent serves the DS of the zone\'s new SEP key (all submitted keys when no keyTag is given): the KSK/CSK roll goes on',
      params: originParams, body: dsSeenBody, response: { 200: signingStatusSchema, ...withUnavailable } },
  }, async (req) => {
    const origin = statusOf(ctx, control(), req.params.origin).origin;
    const keyTag = req.body?.keyTag;
    // (no key waiting for its DS is a state of the zone, not a missing resource)
    const status = await call(() => control().dsSeen(origin, keyTag), 'keyTag', keyTag, 409);
    ctx.log.info({ zone: origin, ...(keyTag === undefined ? {} : { keyTag }) }, 'DS at the parent confirmed through the API');
    return toJson(status);
  });

  app.post<{ Params: { origin: string }; Body: { role: 'zsk' | 'ksk' | 'csk' } }>('/api/v1/zones/:origin/keys/roll', {
    schema: { summary: 'Start a roll of the zone\'s key of this role now (a new key is generated and follows the policy\'s timing)',
      params: originParams, body: rollBody, response: { 200: signingStatusSchema, ...withUnavailable } },
  }, async (req) => {
    const origin = statusOf(ctx, control(), req.params.origin).origin;
    const status = await call(() => control().roll(origin, req.body.role), 'role', req.body.role);
    ctx.log.info({ zone: origin, role: req.body.role }, 'key roll started through the API');
    return toJson(status);
  });

  app.post<{ Params: { origin: string }; Body: { key: string; private: string } }>('/api/v1/zones/:origin/keys', {
    schema: { summary: 'Import a key from BIND key files (K<zone>+<alg>+<tag>.key and .private): it takes part with the timing it carries',
      description: 'A zone signed by BIND or Knot (keymgr exports BIND format) moves here without a DS change at the parent. The private key is never logged.',
      params: originParams, body: importBody, response: { 201: keyStatusSchema, ...withUnavailable } },
  }, async (req, reply) => {
    // the key joins the zone's plan at once, so the zone must be served here
    const origin = findZone(ctx, req.params.origin).meta.origin.toLowerCase();
    const key = await call(() => control().importBindKey(origin, req.body.key, req.body.private), 'key', undefined);
    ctx.log.info({ zone: origin, keyTag: key.keyTag, role: key.role, algorithm: key.algorithm }, 'key imported through the API');
    return reply.code(201).header('location', `/api/v1/zones/${origin}/keys/${key.id}/export`).send(key);
  });

  app.get<{ Params: { origin: string; id: string }; Querystring: { private?: 'true' | 'false' } }>('/api/v1/zones/:origin/keys/:id/export', {
    schema: { summary: 'A key as BIND key files; the .private file only with ?private=true',
      params: keyIdParams, querystring: exportQuery, response: { 200: exportSchema, ...withUnavailable } },
  }, (req) => {
    const status = statusOf(ctx, control(), req.params.origin);
    const key = findKey(status, req.params.id);
    const withPrivate = req.query.private === 'true';
    const files = callSync(() => control().exportBindKey(status.origin, key.id, withPrivate), 'id', req.params.id);
    // who took a private key out is worth a line; the key itself never is
    if (withPrivate) ctx.log.warn({ zone: status.origin, keyTag: key.keyTag, role: key.role }, 'private key exported through the API');
    return withPrivate ? files : { baseName: files.baseName, key: files.key };
  });
}

/**
 * The zone's signing state. A zone served here without policy or keys reads as unsigned (an empty
 * key list); a name that is neither served nor has keys is a 404.
 */
function statusOf(ctx: AdminContext, control: DnssecControl, param: string): ZoneSigningStatus {
  const wire = parseOriginParam(param);
  const origin = originText(wire);
  const status = control.status(origin);
  const served = ctx.store.zoneMeta(nameToKey(wire)) !== undefined;
  // (with defaults.dnssec every name has a policy: only a served zone or one with keys counts)
  if (status && (served || status.keys.length > 0)) return status;
  if (served) {
    return { origin, policy: undefined, keys: [], nextEvent: undefined, waitingFor: [], earliestExpiry: undefined, lastEvent: undefined };
  }
  throw new ApiError(404, 'origin', param, 'is not a zone served here and has no keys (GET /api/v1/zones lists the zones)');
}

/** `{id}`: a key id, or a key tag that only one key of the zone has. */
function findKey(status: ZoneSigningStatus, id: string): KeyStatus {
  const byId = status.keys.find((k) => k.id === id);
  if (byId) return byId;
  if (/^[0-9]{1,5}$/.test(id)) {
    const byTag = status.keys.filter((k) => k.keyTag === Number(id));
    if (byTag.length === 1) return byTag[0]!;
    if (byTag.length > 1) throw new ApiError(409, 'id', id, `is the key tag of ${byTag.length} keys of ${status.origin}; use the key id (${byTag.map((k) => k.id).join(', ')})`);
  }
  throw new ApiError(404, 'id', id, `is neither the id nor the key tag of a key of ${status.origin} (GET /api/v1/zones/${status.origin}/keys lists them)`);
}

/** The DS records of SEP keys that are not removed, from the control's `ds` (RFC 4034 §5.3 presentation). */
export function dsEntries(status: ZoneSigningStatus): DsEntry[] {
  const out: DsEntry[] = [];
  for (const key of status.keys) {
    if (key.state === 'removed') continue;
    for (const text of key.ds ?? []) {
      const fields = dsFields(text);
      if (!fields) continue;
      out.push({
        keyId: key.id, ...fields, state: key.state,
        record: `${status.origin} IN DS ${fields.keyTag} ${fields.algorithm} ${fields.digestType} ${fields.digest}`,
      });
    }
  }
  return out;
}

/** "12345 13 2 ABCD..." or a whole DS record line → its four fields (the digest may hold spaces). */
function dsFields(text: string): Pick<DsEntry, 'keyTag' | 'algorithm' | 'digestType' | 'digest'> | undefined {
  const tokens = text.trim().split(/\s+/);
  const at = tokens.findIndex((t) => t.toUpperCase() === 'DS');
  const rdata = at >= 0 ? tokens.slice(at + 1) : tokens;
  if (rdata.length < 4 || !rdata.slice(0, 3).every((t) => /^[0-9]+$/.test(t))) return undefined;
  return { keyTag: Number(rdata[0]), algorithm: Number(rdata[1]), digestType: Number(rdata[2]), digest: rdata.slice(3).join('').toUpperCase() };
}

/** Undefined fields as null: the JSON shape stays the same whether or not a zone has, say, a next event. */
function toJson(status: ZoneSigningStatus): Record<string, unknown> {
  return {
    ...status,
    policy: status.policy ?? null,
    nextEvent: status.nextEvent ?? null,
    earliestExpiry: status.earliestExpiry ?? null,
    lastEvent: status.lastEvent ?? null,
  };
}

async function call<T>(run: () => Promise<T>, field: string, value: unknown, noKey: 404 | 409 = 404): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw controlError(err, field, value, noKey);
  }
}

function callSync<T>(run: () => T, field: string, value: unknown): T {
  try {
    return run();
  } catch (err) {
    throw controlError(err, field, value);
  }
}

/**
 * The control's MESHDNS_ERR_DNSSEC_* errors → API errors naming the field. Key-file problems name
 * the file they are about (`.key line 3: ...` → key, `.private ...` → private). The message goes
 * back to the caller only: a key-file message may quote a line of the file.
 */
function controlError(err: unknown, field: string, value: unknown, noKey: 404 | 409 = 404): unknown {
  const e = err as Error & { code?: unknown };
  if (typeof e.code !== 'string' || !(e.code.startsWith('MESHDNS_ERR_DNSSEC') || e.code === 'MESHDNS_ERR_NO_ZONE')) return err;
  const message = e.message;
  if (e.code === 'MESHDNS_ERR_NO_ZONE') return new ApiError(404, 'origin', undefined, message);
  if (/NOT_FOUND|UNKNOWN|NO_KEY/.test(e.code)) return new ApiError(noKey, field, value, message);
  if (/KEYFILE|MISMATCH|ALGORITHM|KEY$|IMPORT/.test(e.code)) {
    const file = /^\.private|private file|\.private /.test(message) || e.code.includes('MISMATCH') ? 'private' : field;
    return invalid(file, undefined, message);
  }
  if (/STATE|BUSY|ROLL|EXISTS|POLICY|CONFLICT/.test(e.code)) return new ApiError(409, field, value, message);
  return invalid(field, value, message);
}
