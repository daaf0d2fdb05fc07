import type { FastifyInstance, RouteOptions } from 'fastify';
import { errorSchema } from './schemas.js';

interface CollectedRoute {
  method: string;
  url: string;
  schema: Record<string, unknown>;
  public: boolean;
}

/**
 * Collects every route's schema as it is registered (call before the routes are added) and turns
 * them into an OpenAPI 3.1 document: the request schemas are the very objects ajv validates with.
 */
export function collectRoutes(app: FastifyInstance): CollectedRoute[] {
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routes.push({
        method: method.toLowerCase(), url: route.url, schema: (route.schema ?? {}) as Record<string, unknown>,
        public: (route.config as { public?: boolean } | undefined)?.public === true,
      });
    }
  });
  return routes;
}

export function openApiDocument(routes: readonly CollectedRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    if (r.schema['hide'] === true) continue;
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const op: Record<string, unknown> = {};
    if (r.schema['summary']) op['summary'] = r.schema['summary'];
    if (r.schema['description']) op['description'] = r.schema['description'];
    const parameters: unknown[] = [];
    for (const [where, key] of [['path', 'params'], ['query', 'querystring']] as const) {
      const s = r.schema[key] as { properties?: Record<string, unknown>; required?: string[] } | undefined;
      for (const [name, schema] of Object.entries(s?.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (s?.required ?? []).includes(name), schema: refs(schema) });
      }
    }
    if (parameters.length > 0) op['parameters'] = parameters;
    if (r.schema['body']) op['requestBody'] = { required: true, content: { 'application/json': { schema: refs(r.schema['body']) } } };
    const responses: Record<string, unknown> = {};
    for (const [code, schema] of Object.entries((r.schema['response'] ?? {}) as Record<string, unknown>)) {
      const s = schema as { type?: unknown };
      responses[code] = s.type === 'null'
        ? { description: 'No content' }
        : { description: code.startsWith('2') ? 'Success' : 'Error', content: { [contentType(r.url, code)]: { schema: refs(schema) } } };
    }
    if (Object.keys(responses).length === 0) responses['200'] = { description: 'Success' };
    op['responses'] = responses;
    if (r.public) op['security'] = [];
    (paths[path] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'meshdns admin API', version, description: 'Zones and RRsets of an authoritative DNS server (PowerDNS-style rrset PATCH).' },
    components: {
      schemas: { Error: refs(withoutId(errorSchema)) },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
    security: [{ bearer: [] }, { apiKey: [] }],
    paths,
  };
}

function contentType(url: string, code: string): string {
  if (url === '/metrics' || (url.endsWith('/:origin/export') && code === '200')) return 'text/plain';
  return 'application/json';
}

function withoutId(schema: Record<string, unknown>): Record<string, unknown> {
  const { $id: _id, ...rest } = schema;
  return rest;
}

/** fastify's shared-schema references (`Error#`) → OpenAPI component references. */
function refs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(refs);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === '$ref' && typeof v === 'string' ? `#/components/schemas/${v.replace(/#$/, '')}` : refs(v);
  }
  return out;
}

declare module 'fastify' {
  interface FastifySchema {
    /** OpenAPI operation summary. */
    summary?: string;
    description?: string;
    /** Left out of the OpenAPI document (the status page's static files). */
    hide?: boolean;
  }
}
