/**
 * ExternalDNS's annotations on Services and Ingresses, read as ExternalDNS reads them
 * (kubernetes-sigs/external-dns source/source.go and source/annotations/: getHostnamesFromAnnotations,
 * getTargetsFromTargetAnnotation, getTTLFromAnnotations, parseTTL).
 */
import { isIP } from 'node:net';

const PREFIX = 'external-dns.alpha.kubernetes.io/';
export const HOSTNAME_ANNOTATION = `${PREFIX}hostname`;
export const INTERNAL_HOSTNAME_ANNOTATION = `${PREFIX}internal-hostname`;
export const TARGET_ANNOTATION = `${PREFIX}target`;
export const TTL_ANNOTATION = `${PREFIX}ttl`;
export const ACCESS_ANNOTATION = `${PREFIX}access`;
/** The node-address agent's annotation (compare kube-node-dns.kyle.space/node-ips). */
export const NODE_ADDRESSES_ANNOTATION = 'meshdns.io/addresses';

/** ExternalDNS strips every space, then splits on commas; empty entries (a trailing comma) are skipped. */
export function commaList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .replaceAll(' ', '')
    .split(',')
    .filter((entry) => entry !== '');
}

export type TtlAnnotation = { ttl: number } | { ttl: undefined; error?: string };

/** ExternalDNS's ttl bounds: [1, 2^31-1] seconds; outside or unparsable → the default TTL. */
const TTL_MAX = 2 ** 31 - 1;

/**
 * Reads `external-dns.alpha.kubernetes.io/ttl`: a Go duration (`1m30s`, `90s`) or whole seconds
 * (`90`), as ExternalDNS's parseTTL (duration first, then integer). A duration's fraction of a
 * second is truncated, as Go's `int64(d.Seconds())`.
 */
export function ttlFromAnnotations(annotations: Record<string, string> | undefined): TtlAnnotation {
  const text = annotations?.[TTL_ANNOTATION];
  if (text === undefined) return { ttl: undefined };
  const seconds = parseGoDurationSeconds(text) ?? (/^[+-]?[0-9]+$/.test(text) ? Number(text) : undefined);
  if (seconds === undefined) return { ttl: undefined, error: 'neither a duration (90s, 1m30s) nor a number of seconds' };
  if (seconds < 1 || seconds > TTL_MAX) return { ttl: undefined, error: `must be between 1 and ${TTL_MAX} seconds` };
  return { ttl: seconds };
}

const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, μs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Go's time.ParseDuration, in whole seconds (truncated toward zero); undefined when it does not parse. */
export function parseGoDurationSeconds(text: string): number | undefined {
  const match = /^([+-]?)((?:[0-9]*\.?[0-9]+(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(text);
  if (match === null) return text === '0' ? 0 : undefined; // Go: "0" alone is a valid duration
  let total = 0;
  for (const part of (match[2] ?? '').matchAll(/([0-9]*\.?[0-9]+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * (UNIT_SECONDS[part[2] ?? ''] ?? Number.NaN);
  }
  if (!Number.isFinite(total)) return undefined;
  return Math.trunc(match[1] === '-' ? -total : total);
}

/** A target from `.../target` or a load balancer: an IP is an address record, anything else a CNAME. */
export interface Target {
  type: 'A' | 'AAAA' | 'CNAME';
  value: string;
}

/** As ExternalDNS's suitableType: net.ParseIP decides between A, AAAA and CNAME. */
export function targetOf(value: string): Target {
  const family = isIP(value);
  if (family === 4) return { type: 'A', value };
  if (family === 6) return { type: 'AAAA', value: value.toLowerCase() };
  return { type: 'CNAME', value };
}

export function targetsFromAnnotation(annotations: Record<string, string> | undefined): Target[] {
  return commaList(annotations?.[TARGET_ANNOTATION]).map(targetOf);
}

export type Access = 'public' | 'private' | undefined;

export function accessFromAnnotations(annotations: Record<string, string> | undefined): Access | { error: string } {
  const value = annotations?.[ACCESS_ANNOTATION];
  if (value === undefined) return undefined;
  if (value === 'public' || value === 'private') return value;
  return { error: 'must be "public" or "private"' };
}
