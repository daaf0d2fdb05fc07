import { DEFAULT_LIMITS, type ZoneLimits } from '../zones/limits.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseName, NameError, nameToText } from '../zones/name.js';
import type { SerialPolicy } from '../zones/serial.js';
import { DEFAULTS } from './config/defaults.js';
import { ConfigError, failIn, type Fail } from './config/error.js';
import { checkShape } from './config/schema-check.js';
import type { ConfigFile } from './config/schema.js';
import { parseReplication, type ReplicationConfig } from './config-replication.js';
import { parseDnssec, type DnssecConfig } from './config-dnssec.js';
import { parseCatalogs, type CatalogConfig } from './config-catalog.js';
import { parseKubernetes, type KubernetesConfig } from './config-kubernetes.js';
import { parseListen, parseListenList, type ListenAddress } from './listen-address.js';
import { parsePrefix } from './limits/address.js';

export type { ListenAddress };

export interface ZoneConfig {
  /** Absolute origin in presentation format, lowercased, with the trailing dot. */
  origin: string;
  file?: string;
  serialPolicy?: SerialPolicy;
}

export interface AdminConfig {
  listen: ListenAddress;
  /**
   * The API token from admin.token, admin.tokenFile or MESHDNS_API_TOKEN; undefined on a loopback
   * address means "generate one and keep it in <data>/admin.token". Never logged.
   */
  token: string | undefined;
  /** Where the token came from, for logs (never the token itself). */
  tokenSource: 'admin.token' | 'admin.tokenFile' | 'MESHDNS_API_TOKEN' | 'generated';
  /** Host names served besides IP literals and localhost (lowercase, no trailing dot). */
  allowedHosts: string[];
}

export interface Config {
  /** TSIG keys and ACLs (replication); empty: nothing is allowed. */
  replication: ReplicationConfig;
  /** The config file this came from (re-read on reload), undefined when only flags were given. */
  file: string | undefined;
  listen: ListenAddress[];
  data: string;
  zoneDir: string | undefined;
  zones: ZoneConfig[];
  logLevel: string;
  nsid: Uint8Array | undefined;
  maxUdpPayload: number;
  /** Stream limits (server/listeners/stream.ts): timeouts in ms, the caps, the unsent-answer bound. */
  tcp: { idleTimeoutMs: number; ioTimeoutMs: number; maxConnections: number; maxConnectionsPerClient: number; maxUnsentBytes: number };
  /** `batching`: recvmmsg/sendmmsg through the native addon when it was built (else node:dgram). */
  udp: { batching: boolean };
  answerCacheSize: number;
  serialPolicy: SerialPolicy;
  /** The admin HTTP API; undefined when turned off (`admin: false` or `--admin-listen off`). */
  admin: AdminConfig | undefined;
  /** A listener of its own for /metrics, /healthz and /readyz; they are on the admin listener too. */
  metrics: { listen: ListenAddress | undefined; zoneLabels: number };
  /** Sampled query log (off when undefined): one query in 1/sample is logged at info level. */
  queryLog: { sample: number } | undefined;
  /** What one RRset, zone, request or $GENERATE may hold. */
  limits: ZoneLimits;
  /** Response rate limiting over UDP; off when undefined (no `rrl:` section). */
  rrl: RrlSettings | undefined;
  /** DNS COOKIEs; undefined: off (`cookies: false`). Secrets are never logged. */
  cookies: CookieSettings | undefined;
  /** DNSSEC signing policies and which zone signs with which. */
  dnssec: DnssecConfig;
  /** The certificate of the tls and quic listeners (server/tls/certificates.ts). */
  tls: TlsSettings;
  /** Catalog zones produced and consumed (RFC 9432). */
  catalogs: CatalogConfig;
  /** The embedded Kubernetes watcher; undefined when not configured. */
  kubernetes: KubernetesConfig | undefined;
}

/** `tls:` — PEM files (absolute paths), or both undefined: a self-signed certificate kept in LMDB. */
export interface TlsSettings {
  certFile: string | undefined;
  keyFile: string | undefined;
  reloadOnChange: boolean;
  handshakeTimeoutMs: number;
}

export interface RrlSettings {
  responsesPerSecond: number;
  slip: number;
  ipv4Prefix: number;
  ipv6Prefix: number;
  /** Prefixes as written (checked); limits/address.ts parses them. */
  exempt: string[];
}

/** Where the cookie secret comes from: given, a file, or (both undefined) `<data>/cookie.secret`. */
export interface CookieSettings {
  secret: string | undefined;
  previousSecret: string | undefined;
  secretFile: string | undefined;
}

export { ConfigError, DEFAULTS };

/** Command-line values that override the file (flags win). */
export interface ConfigOverrides {
  listen?: string[];
  zoneDir?: string;
  data?: string;
  logLevel?: string;
  /** `ADDR:PORT`, or `off` to run without the admin API. */
  adminListen?: string;
  metricsListen?: string;
}

export function loadConfig(file: string | undefined, overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): Config {
  let raw: unknown = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`config file "${file}" cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      raw = parseYaml(text) ?? {};
    } catch (err) {
      throw new ConfigError(`config file "${file}" is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return { ...validateConfig(raw, overrides, file ?? 'command line', env), file };
}

/**
 * The schema pass (server/config/schema.ts: shape, types, ranges, unknown keys), then the checks
 * JSON Schema cannot make (addresses, names, files, references), then the Config the server uses.
 * Every error is `where: key.path: "value" why`.
 */
export function validateConfig(raw: unknown, overrides: ConfigOverrides, where: string, env: NodeJS.ProcessEnv = process.env): Config {
  const fail = failIn(where);
  const obj = checkShape(withOverrides(withoutEmpty(raw), overrides), fail);
  const listen = parseListenList(obj.listen ?? DEFAULTS.listen, 'listen', fail);

  // `defaults.serialPolicy` is the documented place (replication issue); a top-level key still works
  if (obj.defaults?.serialPolicy !== undefined && obj.serialPolicy !== undefined) {
    fail('serialPolicy', obj.serialPolicy, 'is also given as defaults.serialPolicy; keep one');
  }
  const serialPolicy = obj.defaults?.serialPolicy ?? obj.serialPolicy ?? DEFAULTS.serialPolicy;

  const zones = (obj.zones ?? []).map((zo, i): ZoneConfig => {
    const zc: ZoneConfig = { origin: parseOrigin(zo.origin, `zones[${i}].origin`, fail) };
    if (zo.file !== undefined) zc.file = resolve(zo.file);
    if (zo.serialPolicy !== undefined) zc.serialPolicy = zo.serialPolicy;
    return zc;
  });
  const seen = new Set<string>();
  for (const [i, z] of zones.entries()) {
    if (seen.has(z.origin)) fail(`zones[${i}].origin`, z.origin, 'is configured twice');
    seen.add(z.origin);
  }

  const nsid = obj.nsid === undefined ? undefined : Buffer.from(obj.nsid, 'utf8');
  if (nsid && nsid.length > 128) fail('nsid', obj.nsid, 'is longer than 128 octets');

  const replication = parseReplication(obj, fail);
  return {
    file: undefined,
    replication,
    catalogs: parseCatalogs(obj, replication, fail),
    kubernetes: parseKubernetes(obj, fail),
    listen,
    data: resolve(obj.data ?? DEFAULTS.data),
    zoneDir: obj.zoneDir === undefined ? undefined : resolve(obj.zoneDir),
    zones,
    logLevel: obj.logLevel ?? DEFAULTS.logLevel,
    nsid,
    maxUdpPayload: obj.maxUdpPayload ?? DEFAULTS.maxUdpPayload,
    tcp: {
      idleTimeoutMs: 1000 * (obj.tcp?.idleTimeout ?? DEFAULTS.tcpIdleTimeoutSeconds),
      ioTimeoutMs: Math.round(1000 * (obj.tcp?.ioTimeout ?? DEFAULTS.tcpIoTimeoutSeconds)),
      maxConnections: obj.tcp?.maxConnections ?? DEFAULTS.tcpMaxConnections,
      maxConnectionsPerClient: obj.tcp?.maxConnectionsPerClient ?? DEFAULTS.tcpMaxConnectionsPerClient,
      maxUnsentBytes: obj.tcp?.maxUnsentBytes ?? DEFAULTS.tcpMaxUnsentBytes,
    },
    udp: { batching: obj.udp?.batching ?? true },
    answerCacheSize: obj.answerCacheSize ?? DEFAULTS.answerCacheSize,
    serialPolicy,
    admin: parseAdmin(obj.admin, env, fail),
    metrics: {
      listen: obj.metrics?.listen === undefined ? undefined : parseListen(obj.metrics.listen, 'metrics.listen', fail),
      zoneLabels: obj.metrics?.zoneLabels ?? DEFAULTS.metricsZoneLabels,
    },
    queryLog: obj.queryLog ? { sample: obj.queryLog.sample ?? 1 } : undefined,
    limits: { ...DEFAULT_LIMITS, ...obj.limits },
    rrl: parseRrl(obj.rrl, fail),
    cookies: parseCookies(obj.cookies, fail),
    dnssec: parseDnssec(obj, zones.map((z) => z.origin), fail),
    tls: parseTls(obj.tls, fail),
  };
}

function parseTls(tls: ConfigFile['tls'], fail: Fail): TlsSettings {
  const t = tls ?? {};
  if ((t.certFile === undefined) !== (t.keyFile === undefined)) {
    if (t.certFile === undefined) fail('tls.keyFile', t.keyFile, 'is set without tls.certFile; set both, or neither for a self-signed certificate');
    fail('tls.certFile', t.certFile, 'is set without tls.keyFile; set both, or neither for a self-signed certificate');
  }
  return {
    certFile: t.certFile === undefined ? undefined : resolve(t.certFile),
    keyFile: t.keyFile === undefined ? undefined : resolve(t.keyFile),
    reloadOnChange: t.reloadOnChange ?? true,
    handshakeTimeoutMs: Math.round(1000 * (t.handshakeTimeout ?? DEFAULTS.tlsHandshakeTimeoutSeconds)),
  };
}

/** YAML's empty value (`admin:` with nothing after it) means "not set", as if the key were absent. */
function withoutEmpty(raw: unknown): unknown {
  if (Array.isArray(raw)) return raw.map(withoutEmpty);
  if (typeof raw !== 'object' || raw === null) return raw;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== null) out[k] = withoutEmpty(v);
  return out;
}

/**
 * Flags win over the file; they are merged before the schema pass so a bad flag gets the same
 * message as a bad key. `--admin-listen off` turns the API off; `admin: false` in the file stays off.
 */
function withOverrides(raw: unknown, o: ConfigOverrides): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const obj: Record<string, unknown> = { ...raw };
  if (o.listen !== undefined) obj['listen'] = o.listen;
  if (o.zoneDir !== undefined) obj['zoneDir'] = o.zoneDir;
  if (o.data !== undefined) obj['data'] = o.data;
  if (o.logLevel !== undefined) obj['logLevel'] = o.logLevel;
  const merged = (value: unknown, listen: string) =>
    value === undefined ? { listen } : typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value, listen } : value;
  if (o.adminListen === 'off') obj['admin'] = false;
  else if (o.adminListen !== undefined) obj['admin'] = merged(obj['admin'], o.adminListen);
  if (o.metricsListen !== undefined) obj['metrics'] = merged(obj['metrics'], o.metricsListen);
  return obj;
}



function parseRrl(rrl: ConfigFile['rrl'], fail: Fail): RrlSettings | undefined {
  if (rrl === undefined) return undefined;
  const exempt = rrl.exempt ?? [];
  for (const [i, prefix] of exempt.entries()) {
    if (parsePrefix(prefix) === undefined) fail(`rrl.exempt[${i}]`, prefix, 'is not an address or prefix (192.0.2.0/24, 2001:db8::/32)');
  }
  return {
    responsesPerSecond: rrl.responsesPerSecond ?? DEFAULTS.rrl.responsesPerSecond,
    slip: rrl.slip ?? DEFAULTS.rrl.slip,
    ipv4Prefix: rrl.ipv4Prefix ?? DEFAULTS.rrl.ipv4Prefix,
    ipv6Prefix: rrl.ipv6Prefix ?? DEFAULTS.rrl.ipv6Prefix,
    exempt,
  };
}

function parseCookies(cookies: ConfigFile['cookies'], fail: Fail): CookieSettings | undefined {
  if (cookies === false) return undefined;
  const c = cookies ?? {};
  if (c.secret !== undefined && c.secretFile !== undefined) fail('cookies.secretFile', c.secretFile, 'is set beside cookies.secret; set only one of them');
  if (c.previousSecret !== undefined && c.secret === undefined) fail('cookies.previousSecret', '(hidden)', 'needs cookies.secret (a secretFile holds the previous secret on its second line)');
  return { secret: c.secret, previousSecret: c.previousSecret, secretFile: c.secretFile === undefined ? undefined : resolve(c.secretFile) };
}

function parseOrigin(text: string, key: string, fail: Fail): string {
  try {
    return nameToText(parseName(text.endsWith('.') ? text : `${text}.`)).toLowerCase();
  } catch (err) {
    if (err instanceof NameError) return fail(key, text, `is not a valid domain name: ${err.message}`);
    throw err;
  }
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback: where an admin API without a configured token may listen. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return /^127\./.test(h) || h === '::1' || /^::ffff:127\./.test(h) || h === '0:0:0:0:0:0:0:1';
}

function parseAdmin(admin: ConfigFile['admin'], env: NodeJS.ProcessEnv, fail: Fail): AdminConfig | undefined {
  if (admin === false) return undefined;
  const obj = admin ?? {};
  const listen = parseListen(obj.listen ?? DEFAULTS.adminListen, 'admin.listen', fail);
  // the token never appears in a message: a wrong one is described, not quoted
  let token: string | undefined;
  let tokenSource: AdminConfig['tokenSource'] = 'generated';
  if (obj.token !== undefined && obj.tokenFile !== undefined) fail('admin.tokenFile', obj.tokenFile, 'is set beside admin.token; set only one of them');
  if (obj.token !== undefined) {
    token = checkToken(obj.token, 'admin.token', fail);
    tokenSource = 'admin.token';
  } else if (obj.tokenFile !== undefined) {
    const file = obj.tokenFile;
    let text: string;
    try {
      text = readFileSync(resolve(file), 'utf8');
    } catch (err) {
      return fail('admin.tokenFile', file, `cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    token = checkToken(text.replace(/\r?\n$/, ''), 'admin.tokenFile', fail, file);
    tokenSource = 'admin.tokenFile';
  } else if (env['MESHDNS_API_TOKEN'] !== undefined && env['MESHDNS_API_TOKEN'] !== '') {
    token = checkToken(env['MESHDNS_API_TOKEN'], 'MESHDNS_API_TOKEN', fail, '(environment)');
    tokenSource = 'MESHDNS_API_TOKEN';
  }
  if (token === undefined && !isLoopback(listen.host)) {
    fail('admin.listen', listen.text, 'is not a loopback address and no API token is set (admin.token, admin.tokenFile or MESHDNS_API_TOKEN)');
  }
  const allowedHosts = (obj.allowedHosts ?? []).map((h, i) => {
    if (!/^[a-z0-9_.-]+$/i.test(h)) return fail(`admin.allowedHosts[${i}]`, h, 'is not a host name (no port, no scheme)');
    return h.toLowerCase().replace(/\.$/, '');
  });
  return { listen, token, tokenSource, allowedHosts };
}

/** Shorter tokens are refused: a guessable token on a reachable listener is no lock at all. */
export const MIN_TOKEN_LENGTH = 16;

function checkToken(value: unknown, key: string, fail: Fail, shown = '(hidden)'): string {
  if (typeof value !== 'string' || value === '') return fail(key, shown, 'must hold a non-empty token');
  if (/\s/.test(value)) return fail(key, shown, 'holds a token with whitespace inside; HTTP headers cannot carry it');
  // the length is told, never the token
  if (value.length < MIN_TOKEN_LENGTH) {
    return fail(key, shown, `holds a token of ${value.length} characters; at least ${MIN_TOKEN_LENGTH} are needed (e.g. openssl rand -hex 24)`);
  }
  return value;
}
