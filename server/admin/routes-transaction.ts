import type { FastifyInstance } from 'fastify';
import type { ZoneMeta } from '../../zones/store/zone-meta.js';
import { ControlCounters } from '../metrics/counters.js';
import type { AdminContext } from './context.js';
import { ApiError } from './errors.js';
import { findZone } from './lookup.js';
import { API_SOURCE } from './patch.js';
import { applyPatch, HEAVY_PATCH_RECORDS, patchRecordCount } from './patch-apply.js';
import { patchInWorker, type PatchSummary } from './patch-thread.js';
import { commitSchema, errorResponses, originParams } from './schemas.js';
import { MAX_TTL } from './input.js';
import { parseChange, replay, toDiff, toPatch, ZoneTransactions, type Change, type ChangeInput, type ZoneTransaction } from './transactions.js';

const name = { type: 'string', minLength: 1, maxLength: 1024 } as const;

const changesBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    changes: {
      type: 'array', minItems: 1, maxItems: 10000,
      items: {
        type: 'object',
        additionalProperties: false,
        description: 'set: add the record (a TTL given sets the RRset\'s; without one the RRset keeps its TTL, a new one gets 3600). ' +
          'unset: remove the record, or the whole RRset without content, or every RRset of the name without type.',
        properties: {
          action: { type: 'string', enum: ['set', 'unset'] },
          name: { ...name, description: 'The owner, an absolute name inside the zone' },
          type: { type: 'string', minLength: 1, maxLength: 16 },
          ttl: { type: 'integer', minimum: 0, maximum: MAX_TTL },
          content: { type: 'string', maxLength: 65535, description: 'The rdata in presentation format, names in it absolute' },
        },
        required: ['action', 'name'],
      },
    },
  },
  required: ['changes'],
} as const;

const record = { type: 'object', properties: { ttl: { type: 'integer' }, content: { type: 'string' } } } as const;
const transactionSchema = {
  type: 'object',
  properties: {
    zone: { type: 'string' },
    opened: { type: 'string' },
    expires: { type: 'string', description: 'When the transaction is dropped if nothing uses it before' },
    changes: { type: 'array', items: { type: 'object', additionalProperties: true } },
    diff: {
      type: 'array',
      description: 'What a commit would change now, RRset by RRset',
      items: { type: 'object', properties: { name: { type: 'string' }, type: { type: 'string' }, remove: { type: 'array', items: record }, add: { type: 'array', items: record } } },
    },
  },
} as const;

type Origin = { Params: { origin: string } };

/**
 * knotc's zone transaction over HTTP: POST opens one (one per zone), PATCH (or POST .../changes)
 * adds set/unset changes, GET shows the diff, POST .../commit applies it as one commit, DELETE drops
 * it. POST /api/v1/zones/{origin}/changes applies changes at once, outside any transaction.
 */
export function transactionRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const transactions = new ZoneTransactions((origin) => ctx.log.info({ zone: origin }, 'zone transaction dropped after its idle timeout'));
  app.addHook('onClose', async () => transactions.close());
  const path = '/api/v1/zones/:origin/transaction';

  const view = (tx: ZoneTransaction, meta: ZoneMeta) => ({
    zone: meta.origin,
    opened: tx.opened.toISOString(),
    expires: transactions.expiresAt(tx).toISOString(),
    changes: tx.changes.map((c) => c.input),
    diff: toDiff(replay(ctx.store, meta, tx.changes, (i) => `transaction change ${i + 1}`)),
  });

  app.post<Origin>(path, {
    schema: { summary: 'Open a transaction on the zone (knotc zone-begin); one per zone, dropped after 10 minutes unused',
      params: originParams, response: { 201: transactionSchema, ...errorResponses } },
  }, (req, reply) => {
    const { apexKey, meta } = findZone(ctx, req.params.origin);
    if (meta.kind !== 'primary') throw new ApiError(409, 'origin', meta.origin, 'is a secondary zone; change it at its primary');
    const tx = transactions.begin(apexKey, meta.origin);
    ctx.log.info({ zone: meta.origin }, 'zone transaction opened');
    return reply.code(201).send(view(tx, meta));
  });

  app.get<Origin>(path, {
    schema: { summary: 'The open transaction and what committing it would change now (knotc zone-diff)',
      params: originParams, response: { 200: transactionSchema, ...errorResponses } },
  }, (req) => {
    const { apexKey, meta } = findZone(ctx, req.params.origin);
    return view(transactions.get(apexKey, meta.origin), meta);
  });

  const addChanges = (req: { params: { origin: string }; body: { changes: ChangeInput[] } }) => {
    const { apexKey, meta } = findZone(ctx, req.params.origin);
    const tx = transactions.get(apexKey, meta.origin);
    if (tx.committing) throw new ApiError(409, 'origin', meta.origin, 'has its transaction being committed');
    tx.add(ctx.store, meta, req.body.changes);
    return view(tx, meta);
  };
  const addSchema = { params: originParams, body: changesBody, response: { 200: transactionSchema, ...errorResponses } };
  app.patch<Origin & { Body: { changes: ChangeInput[] } }>(path, {
    schema: { summary: 'Add set/unset changes to the open transaction (knotc zone-set, zone-unset); a bad one adds none', ...addSchema },
  }, addChanges);
  app.post<Origin & { Body: { changes: ChangeInput[] } }>(`${path}/changes`, {
    schema: { summary: 'The same as PATCH on the transaction, for clients without PATCH', ...addSchema },
  }, addChanges);

  app.post<Origin>(`${path}/commit`, {
    schema: { summary: 'Apply the transaction as one commit (knotc zone-commit); on a refusal nothing is applied and it stays open',
      params: originParams, response: { 200: commitSchema, ...errorResponses } },
  }, async (req) => {
    const { apexKey, meta } = findZone(ctx, req.params.origin);
    const tx = transactions.get(apexKey, meta.origin);
    if (tx.committing) throw new ApiError(409, 'origin', meta.origin, 'has its transaction being committed');
    tx.committing = true;
    try {
      const result = await commit(ctx, apexKey, meta, tx.changes, (i) => `transaction change ${i + 1}`, 'transaction',
        '; nothing was applied and the transaction stays open (zone diff shows it; zone unset or zone abort)');
      transactions.drop(tx);
      return result;
    } finally {
      tx.committing = false;
    }
  });

  app.delete<Origin>(path, {
    schema: { summary: 'Drop the open transaction (knotc zone-abort)', params: originParams, response: { 204: { type: 'null' }, ...errorResponses } },
  }, (req, reply) => {
    const { apexKey, meta } = findZone(ctx, req.params.origin);
    const tx = transactions.get(apexKey, meta.origin);
    if (tx.committing) throw new ApiError(409, 'origin', meta.origin, 'has its transaction being committed');
    transactions.drop(tx);
    ctx.log.info({ zone: meta.origin, change: { changes: tx.changes.length } }, 'zone transaction aborted');
    return reply.code(204).send();
  });

  app.post<Origin & { Body: { changes: ChangeInput[] } }>('/api/v1/zones/:origin/changes', {
    schema: { summary: 'Apply set/unset changes at once as one commit, outside a transaction (refused while one is open)',
      params: originParams, body: changesBody, response: { 200: commitSchema, ...errorResponses } },
  }, async (req) => {
    const { apexKey, meta } = findZone(ctx, req.params.origin);
    if (transactions.find(apexKey)) {
      throw new ApiError(409, 'origin', meta.origin, 'has an open transaction; add the changes to it (PATCH .../transaction), or commit or abort it first');
    }
    const changes = req.body.changes.map((c, i) => parseChange(c, apexKey, meta.origin, `changes[${i}]`));
    return commit(ctx, apexKey, meta, changes, (i) => `changes[${i}]`, 'changes', '; nothing was applied');
  });
}

/** The changes replayed on the zone now and applied as one PATCH: one commit, or a 422 and nothing. */
async function commit(
  ctx: AdminContext, apexKey: Buffer, meta: ZoneMeta, changes: readonly Change[], label: (i: number) => string, field: string, nothing: string,
): Promise<PatchSummary> {
  if (meta.kind !== 'primary') throw new ApiError(409, 'origin', meta.origin, 'is a secondary zone; change it at its primary');
  try {
    const rrsets = toPatch(replay(ctx.store, meta, changes, label));
    if (rrsets.length === 0) return { changed: false, serial: meta.serial, added: 0, removed: 0 };
    // a big change is planned and committed in a worker thread, as a big PATCH is
    const result = patchRecordCount(rrsets) > HEAVY_PATCH_RECORDS
      ? await patchInWorker(ctx.store.path, ctx.writer, apexKey, rrsets)
      : applyPatch(ctx.store, ctx.writer, apexKey, meta, rrsets);
    ControlCounters.inc(ctx.counters.updatesApplied, API_SOURCE);
    ctx.log.info({ zone: meta.origin, change: { changes: changes.length, rrsets: rrsets.length, serial: result.serial, added: result.added, removed: result.removed } },
      'zone changed through the API');
    return { changed: result.changed, serial: result.serial, added: result.added, removed: result.removed };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    ControlCounters.inc(ctx.counters.updatesRefused, API_SOURCE);
    // the PATCH the changes became is not what the client sent: name the RRset (the value), not rrsets[n]
    const fromPatch = /^rrsets(\[\d+\])?/.test(err.field ?? '');
    throw new ApiError(err.status, fromPatch ? field : err.field, err.value, `${err.reason}${nothing}`, err.problems);
  }
}
