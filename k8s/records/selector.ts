/**
 * Kubernetes label selectors (k8s.io/apimachinery/pkg/labels/selector.go: `labels.Parse`), used for
 * `labelSelector` on labels and, as ExternalDNS's --annotation-filter does, on annotations.
 * Grammar: requirements joined by `,` (all must hold); each is `key`, `!key`, `key = v`, `key == v`,
 * `key != v`, `key in (v1, v2)`, `key notin (v1)`, `key > n`, `key < n`.
 */

export type Operator = 'exists' | 'notexists' | 'in' | 'notin' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export type ParsedSelector = { ok: true; requirements: Requirement[] } | { ok: false; error: string };

const NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const SYMBOLS = ['!=', '==', '!', '=', '(', ')', ',', '>', '<'];

export function parseSelector(text: string): ParsedSelector {
  let tokens: string[];
  try {
    tokens = tokenize(text);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const requirements: Requirement[] = [];
  let i = 0;
  const next = (): string | undefined => tokens[i++];
  const fail = (what: string): ParsedSelector => ({ ok: false, error: `selector "${text}": ${what}` });
  while (i < tokens.length) {
    let token = next();
    let negated = false;
    if (token === '!') {
      negated = true;
      token = next();
    }
    if (token === undefined || !isIdentifier(token)) return fail(`expected a key, found "${token ?? 'end'}"`);
    const keyError = checkKey(token);
    if (keyError !== undefined) return fail(keyError);
    const key = token;
    const op = tokens[i];
    if (negated || op === undefined || op === ',') {
      requirements.push({ key, operator: negated ? 'notexists' : 'exists', values: [] });
    } else {
      i++;
      if (op === '=' || op === '==' || op === '!=' || op === '>' || op === '<') {
        // a missing value is the empty value (`key=`), as labels.Parse allows
        const value = tokens[i] !== undefined && isIdentifier(tokens[i] ?? '') ? (next() ?? '') : '';
        if (op === '>' || op === '<') {
          if (!/^-?[0-9]+$/.test(value)) return fail(`"${key} ${op}" needs an integer, found "${value}"`);
          requirements.push({ key, operator: op === '>' ? 'gt' : 'lt', values: [value] });
        } else {
          const valueError = checkValue(value);
          if (valueError !== undefined) return fail(valueError);
          requirements.push({ key, operator: op === '!=' ? 'notin' : 'in', values: [value] });
        }
      } else if (op === 'in' || op === 'notin') {
        if (next() !== '(') return fail(`expected "(" after "${key} ${op}"`);
        const values: string[] = [];
        for (;;) {
          const value = tokens[i] !== undefined && isIdentifier(tokens[i] ?? '') ? (next() ?? '') : '';
          const valueError = checkValue(value);
          if (valueError !== undefined) return fail(valueError);
          values.push(value);
          const separator = next();
          if (separator === ')') break;
          if (separator !== ',') return fail(`expected "," or ")" in the set of "${key}", found "${separator ?? 'end'}"`);
        }
        requirements.push({ key, operator: op, values });
      } else {
        return fail(`expected an operator after "${key}", found "${op}"`);
      }
    }
    if (i < tokens.length && next() !== ',') return fail(`expected "," after the requirement on "${key}"`);
    if (i === tokens.length && tokens[i - 1] === ',') return fail('ends with ","');
  }
  return { ok: true, requirements };
}

/** Does a set of labels (or annotations) satisfy every requirement? An empty selector matches all. */
export function matchesSelector(requirements: readonly Requirement[], labels: Record<string, string> | undefined): boolean {
  return requirements.every((r) => matchesRequirement(r, labels ?? {}));
}

function matchesRequirement(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'exists':
      return has;
    case 'notexists':
      return !has;
    case 'in':
      return value !== undefined && r.values.includes(value);
    case 'notin':
      return value === undefined || !r.values.includes(value);
    case 'gt':
    case 'lt': {
      if (value === undefined || !/^-?[0-9]+$/.test(value)) return false;
      const [bound = '0'] = r.values;
      return r.operator === 'gt' ? Number(value) > Number(bound) : Number(value) < Number(bound);
    }
  }
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const symbol = SYMBOLS.find((s) => text.startsWith(s, i));
    if (symbol !== undefined) {
      tokens.push(symbol);
      i += symbol.length;
      continue;
    }
    let end = i;
    while (end < text.length && !/\s/.test(text[end] ?? '') && !SYMBOLS.some((s) => text.startsWith(s, end))) end++;
    tokens.push(text.slice(i, end));
    i = end;
  }
  return tokens;
}

function isIdentifier(token: string): boolean {
  return !SYMBOLS.includes(token);
}

function checkKey(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return `key "${key}": prefix "${prefix}" is not a DNS-1123 subdomain`;
  }
  if (!NAME.test(name)) return `key "${key}": name "${name}" is not a qualified name (63 characters of [-A-Za-z0-9_.], alphanumeric at both ends)`;
  return undefined;
}

function checkValue(value: string): string | undefined {
  if (value === '' || NAME.test(value)) return undefined;
  return `value "${value}" is not a label value (63 characters of [-A-Za-z0-9_.], alphanumeric at both ends)`;
}
