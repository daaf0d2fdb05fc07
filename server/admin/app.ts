import { readFileSync } from 'node:fs';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { presentedToken } from './auth.js';
import type { AdminContext } from './context.js';
import { HostCheck } from './host-check.js';
import { ApiError, validationBody } from './errors.js';
import { MAX_JSON_DEPTH, nestedDeeperThan } from './json-depth.js';
import { storageFault } from '../../zones/store/storage-fault.js';
import { collectRoutes } from './openapi.js';
import { dnssecRoutes } from './routes-dnssec.js';
import { catalogRoutes } from './routes-catalogs.js';
import { kubernetesRoutes } from './routes-kubernetes.js';
import { pdnsRoutes } from './routes-pdns.js';
import { rrsetRoutes } from './routes-rrsets.js';
import { probeRoutes, systemRoutes } from './routes-system.js';
import { transactionRoutes } from './routes-transaction.js';
import { zoneRoutes } from './routes-zones.js';
import { errorSchema } from './schemas.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * The admin HTTP server (fastify): the zone and rrset API under /api/v1 (token required on every
 * route that is not marked public), the status page, /metrics and the probes. `probesOnly` builds
 * the separate metrics listener (`metrics.listen`).
 */
export function buildAdminApp(ctx: AdminContext, opts: { probesOnly?: boolean; hosts?: HostCheck } = {}): FastifyInstance {
  const app: FastifyInstance = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    // API calls are logged by the routes that change something; probes and polling stay quiet
    logController: new LogController({ disableRequestLogging: true }),
    // refuse what the schema does not allow instead of quietly dropping or converting it; our own
    // schemas are not checked against the JSON Schema meta-schema at every start (compiling that
    // took ~60 ms of a start; strict mode still refuses an unknown keyword in them)
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false, validateSchema: false } },
    bodyLimit: 8 * 1024 * 1024,
  });
  app.addSchema(errorSchema);
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, raw, done) => {
    const body = typeof raw === 'string' ? raw : raw.toString('utf8');
    // Go's PowerDNS clients (Terraform's) label a DELETE or PUT without a body as JSON: no body, not an error
    if (body === '') {
      done(null, undefined);
      return;
    }
    if (nestedDeeperThan(body, MAX_JSON_DEPTH)) {
      done(new ApiError(400, 'body', undefined, `nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`), undefined);
      return;
    }
    parseJson(req, body, done);
  });
  const routes = collectRoutes(app);

  const hosts = opts.hosts ?? new HostCheck('127.0.0.1');
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const refused = hosts.refusal(req.headers.host);
    if (refused !== undefined) {
      const host = (req.headers.host ?? '').slice(0, 200);
      ctx.log.debug({ request: { method: req.method, url: req.url.slice(0, 200), remote: req.ip, host } }, 'HTTP request for another host refused');
      return reply.code(403).send({ error: `host: ${JSON.stringify(host)} ${refused}`, field: 'host', value: host, reason: refused });
    }
    if ((req.routeOptions.config as { public?: boolean }).public === true) return;
    const token = presentedToken(req.headers);
    if (token === undefined || !ctx.token.matches(token)) {
      ctx.log.debug({ request: { method: req.method, url: req.url.slice(0, 200), remote: req.ip } }, 'API request without a valid token');
      return reply.code(401).header('www-authenticate', 'Bearer realm="meshdns"').send({
        error: token === undefined ? 'authentication required' : 'the token is not valid',
        reason: 'send Authorization: Bearer <token> or X-API-Key: <token> (admin.token, admin.tokenFile, MESHDNS_API_TOKEN, or <data>/admin.token)',
      });
    }
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof ApiError) return reply.code(err.status).send(err.body());
    if (err.validation) return reply.code(400).send(validationBody(err, req));
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send({ error: err.message, reason: err.message });
    const fault = storageFault(err, ctx.store.path);
    if (fault) {
      ctx.log.error({ err, fault: fault.code, request: { method: req.method, url: req.url.slice(0, 200) } }, `admin API commit failed: ${fault.reason}`);
      return reply.code(fault.status).send({ error: `the change was not stored: ${fault.reason}`, reason: fault.reason });
    }
    ctx.log.error({ err, request: { method: req.method, url: req.url.slice(0, 200) } }, 'admin API request failed');
    return reply.code(500).send({ error: 'internal error', reason: 'the server log has the details' });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: 'not found', field: 'url', value: req.url.slice(0, 200), reason: 'no such resource (GET /api/v1/openapi.json lists them)' }));

  if (opts.probesOnly) {
    probeRoutes(app, ctx);
  } else {
    systemRoutes(app, ctx, routes, VERSION);
    zoneRoutes(app, ctx);
    rrsetRoutes(app, ctx);
    transactionRoutes(app, ctx);
    dnssecRoutes(app, ctx);
    catalogRoutes(app, ctx);
    kubernetesRoutes(app, ctx);
    pdnsRoutes(app, ctx, VERSION);
  }
  return app;
}
