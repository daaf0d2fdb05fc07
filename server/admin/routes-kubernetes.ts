import type { FastifyInstance } from 'fastify';
import type { KubernetesStatus } from '../kubernetes/service.js';
import type { AdminContext } from './context.js';
import { ApiError } from './errors.js';
import { errorResponses } from './schemas.js';

const count = { type: 'integer' } as const;
const text = { type: 'string' } as const;
const maybeText = { type: ['string', 'null'] } as const;

const statusSchema = {
  type: 'object', additionalProperties: false,
  required: ['server', 'connected', 'synced', 'zones', 'sources', 'batches', 'lastBatchAt', 'lastError', 'conflicts'],
  properties: {
    server: maybeText, connected: { type: 'boolean' }, synced: { type: 'boolean' },
    zones: { type: 'array', items: text },
    sources: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['source', 'paths', 'synced', 'objects', 'lists', 'restarts', 'lastError'],
        properties: {
          source: text, paths: { type: 'array', items: text }, synced: { type: 'boolean' }, objects: count, lists: count,
          restarts: { type: 'object', additionalProperties: false, required: ['timeout', 'gone', 'error'], properties: { timeout: count, gone: count, error: count } },
          lastError: maybeText,
        },
      },
    },
    batches: count, lastBatchAt: maybeText, lastError: maybeText,
    conflicts: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['owner', 'reasons'], properties: { owner: text, reasons: { type: 'array', items: text } } },
    },
  },
} as const;

/** `GET /api/v1/kubernetes`: the watcher's connection, each source's list-watch, batches and current conflicts. */
export function kubernetesRoutes(app: FastifyInstance, ctx: AdminContext): void {
  app.get('/api/v1/kubernetes', {
    schema: { summary: 'The Kubernetes watcher: API server, sources (objects, lists, watch restarts, last error), batches committed, objects refused for a conflict', response: { 200: statusSchema, ...errorResponses, 404: { $ref: 'Error#' } } },
  }, () => {
    const status: KubernetesStatus | undefined = ctx.kubernetes?.();
    if (!status) throw new ApiError(404, undefined, undefined, 'the Kubernetes watcher is not configured (config key kubernetes)');
    return { ...status, server: status.server ?? null, lastBatchAt: status.lastBatchAt ?? null, lastError: status.lastError ?? null, sources: status.sources.map((s) => ({ ...s, lastError: s.lastError ?? null })) };
  });
}
