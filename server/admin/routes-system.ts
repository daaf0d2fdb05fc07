import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../config.js';
import type { AdminContext } from './context.js';
import { ApiError } from './errors.js';
import { openApiDocument, type collectRoutes } from './openapi.js';
import { errorResponses, reloadSchema } from './schemas.js';
import { STATUS_CSP, STATUS_CSS, STATUS_JS, statusHtml } from './status-page.js';
import { ControlCounters } from '../metrics/counters.js';
import { serverStatus, serverStatusSchema } from './server-status.js';

const PUBLIC = { public: true };

/** /metrics, /healthz, /readyz: no token (Prometheus and Kubernetes probes call them). */
export function probeRoutes(app: FastifyInstance, ctx: AdminContext): void {
  app.get('/metrics', { config: PUBLIC, schema: { summary: 'Prometheus metrics (no token needed)', response: { 200: { type: 'string' } } } },
    async (_req, reply) => {
      const text = await ctx.metrics.metrics();
      return reply.type(ctx.metrics.contentType).send(text);
    });
  app.get('/healthz', { config: PUBLIC, schema: { summary: 'Liveness: the process answers (no token needed)' } },
    () => ({ status: 'ok' }));
  app.get('/readyz', { config: PUBLIC, schema: { summary: 'Readiness: every configured zone loaded, secondaries have data (no token needed)' } },
    (_req, reply) => {
      const r = ctx.readiness();
      return reply.code(r.ready ? 200 : 503).send({ status: r.ready ? 'ready' : 'not ready', waiting: r.waiting, problems: r.problems });
    });
}

export function systemRoutes(app: FastifyInstance, ctx: AdminContext, routes: ReturnType<typeof collectRoutes>, version: string): void {
  probeRoutes(app, ctx);
  let doc: Record<string, unknown> | undefined;
  app.get('/api/v1/openapi.json', { schema: { summary: 'This API as an OpenAPI 3.1 document' } },
    () => (doc ??= openApiDocument(routes, version)));

  app.get('/api/v1/status', {
    schema: { summary: 'Version, uptime, readiness (and why not), zone states counted, DNS queries and responses by RCODE since start',
      description: 'The status page polls this; rates are the difference between two polls.',
      response: { 200: serverStatusSchema, ...errorResponses } },
  }, async () => serverStatus(ctx, version));

  app.post('/api/v1/reload', {
    schema: { summary: 'Re-read the config file and the zone folder and apply the difference (like SIGHUP)',
      description: 'An invalid config is rejected as a whole (422, with the reason) and the running one stays.',
      response: { 200: reloadSchema, ...errorResponses } },
  }, async () => {
    try {
      return await ctx.reload();
    } catch (err) {
      if (err instanceof ConfigError) throw new ApiError(422, 'config', undefined, `rejected; the running config stays: ${err.message}`);
      throw err;
    }
  });

  app.get('/', { config: PUBLIC, schema: { hide: true } }, (_req, reply) =>
    reply.header('content-security-policy', STATUS_CSP).type('text/html; charset=utf-8').send(statusHtml(ctx.statusRefreshMs ?? 2000, ctx.tlsPin?.(), ctx.tokenSource)));
  app.get('/status.js', { config: PUBLIC, schema: { hide: true } }, (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').send(STATUS_JS));
  // browsers ask for it on their own; without this route the answer would be a 401
  app.get('/favicon.ico', { config: PUBLIC, schema: { hide: true } }, (_req, reply) => reply.code(204).send());
  app.get('/status.css', { config: PUBLIC, schema: { hide: true } }, (_req, reply) =>
    reply.type('text/css; charset=utf-8').send(STATUS_CSS));
}

export { ControlCounters };
