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
