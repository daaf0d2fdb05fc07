import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Fail } from './error.js';
import type { ConfigFile } from './schema.js';
import * as generated from './validator.gen.js';

type Node = Record<string, unknown>;

/**
 * ajv's standalone code of the schema (generate-validator.ts): nothing to compile at start. One
 * function checks the top level (a mapping, no unknown key), one function per key checks its value.
 */
const validators = generated as unknown as Record<string, ValidateFunction>;

/**
 * The schema pass: the raw file (YAML parsed, flags merged) either has the file's shape or the first
 * problem goes to `fail` as `key.path: "value" why`, like the code checks that follow.
 */
export function checkShape(raw: unknown, fail: Fail): ConfigFile {
  const top = validators['fileShape']!;
  if (!top(raw)) return fail(...describe(pick(top.errors ?? []), raw));
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const validate = validators[key]!;
    if (validate(value)) continue;
    const errors = (validate.errors ?? []).map((e) => ({ ...e, instancePath: `/${key}${e.instancePath}` }));
    return fail(...describe(pick(errors), raw));
  }
  return raw as ConfigFile;
}

/**
 * ajv stops at the first failing keyword, but a union (`anyOf`) reports every branch. The branch
 * whose type the value has is the one the author meant: its error is the useful one. When no branch
 * (or more than one) fits, the union's own error stands.
 */
function pick(errors: ErrorObject[]): ErrorObject {
  const union = errors.findLast((e) => e.keyword === 'anyOf');
  if (!union) return errors[0]!;
  const prefix = `${union.schemaPath}/`;
  const branches = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    if (!e.schemaPath.startsWith(prefix)) continue;
    const branch = e.schemaPath.slice(prefix.length).split('/')[0]!;
    branches.set(branch, [...(branches.get(branch) ?? []), e]);
  }
  const fitting = [...branches.values()].filter((list) =>
    !list.some((e) => e.instancePath === union.instancePath && (e.keyword === 'type' || e.keyword === 'const')));
  if (fitting.length !== 1) return union;
  return pick(fitting[0]!);
}

/** One ajv error as the (key, value, why) of a config error. */
function describe(e: ErrorObject, raw: unknown): [string, unknown, string] {
  const segments = e.instancePath === '' ? [] : e.instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const node = (e.parentSchema ?? {}) as Node;
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') {
    const key = String(params['additionalProperty']);
    const known = Object.keys((node['properties'] ?? {}) as Node);
    return [path([...segments, key]), valueAt(raw, [...segments, key]), `is not a known key (${known.join(', ')})`];
  }
  if (e.keyword === 'required') {
    const key = String(params['missingProperty']);
    const child = ((node['properties'] ?? {}) as Record<string, Node>)[key];
    const about = typeof child?.['description'] === 'string' ? ` (${child['description'].charAt(0).toLowerCase()}${child['description'].slice(1)})` : '';
    return [path([...segments, key]), undefined, `is required${about}`];
  }
  const value = node['writeOnly'] === true ? '(hidden)' : e.data;
  const upcoming = node['upcoming'] as unknown[] | undefined;
  if (e.keyword === 'enum' && upcoming?.includes(e.data)) {
    return [path(segments), value, `is not available in this version (it has ${(node['enum'] as string[]).join(', ')})`];
  }
  return [path(segments), value, typeof node['errorMessage'] === 'string' ? node['errorMessage'] : why(node, e)];
}

/** The reason, from the schema node itself, when it carries no errorMessage. */
function why(node: Node, e: ErrorObject): string {
  if (Array.isArray(node['enum'])) return `must be one of ${node['enum'].join(', ')}`;
  const range = (unit: string) => {
    const min = node['minimum'] ?? node['exclusiveMinimum'];
    const max = node['maximum'] ?? node['exclusiveMaximum'];
    if (min !== undefined && max !== undefined) return `must be ${unit} from ${String(min)} to ${String(max)}`;
    if (min !== undefined) return `must be ${unit} of at least ${String(min)}`;
    return `must be ${unit}`;
  };
  switch (node['type']) {
    case 'integer': return range('a whole number');
    case 'number': return range('a number');
    case 'boolean': return 'must be true or false';
    case 'array': return node['minItems'] ? 'must be a non-empty list' : 'must be a list';
    case 'object': return `must be a mapping {${Object.keys((node['properties'] ?? {}) as Node).join(', ')}}`;
    case 'string':
      if (e.keyword === 'maxLength') return `is longer than ${String(node['maxLength'])} characters`;
      return node['minLength'] ? 'must be a non-empty string' : 'must be a string';
    default: return e.message ?? 'is not valid';
  }
}

/** `zones[2].origin` from ["zones", "2", "origin"]. */
function path(segments: string[]): string {
  return segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('') || '(top level)';
}

function valueAt(raw: unknown, segments: string[]): unknown {
  let v = raw;
  for (const s of segments) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}
