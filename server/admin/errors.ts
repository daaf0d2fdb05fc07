import type { FastifyError, FastifyRequest } from 'fastify';

/**
 * API errors as data: every 4xx body is `{error, field, value, reason}` — `error` is the whole
 * message in one line (what PowerDNS clients print), the rest lets a program point at the input.
 */
export interface ApiErrorBody {
  error: string;
  field?: string;
  value?: unknown;
  reason: string;
  /** Further problems of the same request (zone checks may find several). */
  problems?: { field: string; reason: string }[];
}

export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly status: number,
    readonly field: string | undefined,
    readonly value: unknown,
    readonly reason: string,
    readonly problems?: { field: string; reason: string }[],
  ) {
    super(field === undefined ? reason : `${field}: ${value === undefined ? '' : `${JSON.stringify(value)} `}${reason}`);
  }

  body(): ApiErrorBody {
    const body: ApiErrorBody = { error: this.message, reason: this.reason };
    if (this.field !== undefined) body.field = this.field;
    if (this.value !== undefined) body.value = this.value;
    if (this.problems !== undefined && this.problems.length > 0) body.problems = this.problems;
    return body;
  }
}

/** 422: the request is well-formed JSON of the right shape, but a value in it is wrong. */
export function invalid(field: string, value: unknown, reason: string, problems?: { field: string; reason: string }[]): ApiError {
  return new ApiError(422, field, value, reason, problems);
}

/** `/rrsets/2/records/0/content` → `rrsets[2].records[0].content`. */
export function fieldPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number' || /^[0-9]+$/.test(s)) out += `[${s}]`;
    else out += out === '' ? s : `.${s}`;
  }
  return out;
}

/** The value at a JSON pointer path inside `root` (undefined when absent). */
export function valueAt(root: unknown, segments: readonly string[]): unknown {
  let v = root;
  for (const s of segments) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[s];
  }
  return v;
}

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** ajv's first error as `{error, field, value, reason}` with the field as `rrsets[2].records[0].content`. */
export function validationBody(err: FastifyError, req: FastifyRequest): Record<string, unknown> {
  const v = err.validation![0]!;
  const context = (err.validationContext ?? 'body') as 'body' | 'params' | 'querystring' | 'headers';
  const segments = pointerSegments(v.instancePath);
  const params = v.params as Record<string, unknown>;
  let reason = v.message ?? 'is not valid';
  if (v.keyword === 'required') {
    segments.push(String(params['missingProperty']));
    reason = 'is required';
  } else if (v.keyword === 'additionalProperties') {
    segments.push(String(params['additionalProperty']));
    reason = 'is not a known field';
  } else if (v.keyword === 'enum') {
    reason = `must be one of ${(params['allowedValues'] as unknown[]).join(', ')}`;
  } else if (v.keyword === 'type') {
    reason = `must be of type ${String(params['type'])}`;
  }
  const source = context === 'body' ? req.body : context === 'params' ? req.params : context === 'querystring' ? req.query : req.headers;
  const value = v.keyword === 'required' ? undefined : valueAt(source, segments);
  const field = fieldPath(segments) || context;
  const body: Record<string, unknown> = { error: `${field}: ${value === undefined ? '' : `${JSON.stringify(value)} `}${reason}`, field, reason };
  if (value !== undefined) body['value'] = value;
  return body;
}
