import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseName, NameError, nameToText } from '../zones/name.js';
import { parseListen, type ListenAddress } from './listen-address.js';

export type { ListenAddress };
import type { SerialPolicy } from '../zones/serial.js';
import { parseReplication, REPLICATION_TOP_LEVEL_KEYS, REPLICATION_ZONE_KEYS, type ReplicationConfig } from './config-replication.js';


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
  tcp: { idleTimeoutMs: number; maxConnections: number };
  /** `batching`: recvmmsg/sendmmsg through the native addon when it was built (else node:dgram). */
  udp: { batching: boolean };
  answerCacheSize: number;
  serialPolicy: SerialPolicy;
  /** The admin HTTP API; undefined when turned off (`admin: false` or `--admin-listen off`). */
  admin: AdminConfig | undefined;
  /** A listener of its own for /metrics, /healthz and /readyz; they are on the admin listener too. */
  metrics: { listen: ListenAddress | undefined };
  /** Sampled query log (off when undefined): one query in 1/sample is logged at info level. */
  queryLog: { sample: number } | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'MESHDNS_ERR_CONFIG';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const SERIAL_POLICIES: SerialPolicy[] = ['increment', 'unixtime', 'dateserial'];
const TOP_LEVEL_KEYS = [
  'listen', 'data', 'zoneDir', 'zones', 'logLevel', 'nsid', 'maxUdpPayload', 'tcp', 'udp', 'answerCacheSize', 'serialPolicy',
  'admin', 'metrics', 'queryLog', ...REPLICATION_TOP_LEVEL_KEYS,
];

export const DEFAULTS = {
  listen: ['127.0.0.1:5300'],
  data: './data',
  logLevel: 'info',
  maxUdpPayload: 1232,
  tcpIdleTimeoutSeconds: 10,
  tcpMaxConnections: 1024,
  answerCacheSize: 200_000,
  serialPolicy: 'increment' as SerialPolicy,
  adminListen: '127.0.0.1:8053',
};

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

export function validateConfig(raw: unknown, overrides: ConfigOverrides, where: string, env: NodeJS.ProcessEnv = process.env): Config {
  const fail = (key: string, value: unknown, why: string): never => {
    throw new ConfigError(`${where}: ${key}: ${JSON.stringify(value)} ${why}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('(top level)', raw, 'must be a mapping of keys');
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!TOP_LEVEL_KEYS.includes(key)) fail(key, obj[key], `is not a known key (known: ${TOP_LEVEL_KEYS.join(', ')})`);
  }
  const listenRaw = overrides.listen ?? obj['listen'] ?? DEFAULTS.listen;
  if (!Array.isArray(listenRaw) || listenRaw.length === 0) fail('listen', listenRaw, 'must be a non-empty list of ADDR:PORT');
  const listen = (listenRaw as unknown[]).map((v, i) => parseListen(v, `listen[${i}]`, fail));

  const str = (key: string, value: unknown): string => {
    if (typeof value !== 'string' || value === '') return fail(key, value, 'must be a non-empty string');
    return value;
  };
  const int = (key: string, value: unknown, min: number, max: number): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return fail(key, value, `must be a whole number from ${min} to ${max}`);
    }
    return value;
  };
  const data = resolve(str('data', overrides.data ?? obj['data'] ?? DEFAULTS.data));
  const zoneDirRaw = overrides.zoneDir ?? obj['zoneDir'];
  const zoneDir = zoneDirRaw === undefined ? undefined : resolve(str('zoneDir', zoneDirRaw));
  const logLevel = str('logLevel', overrides.logLevel ?? obj['logLevel'] ?? DEFAULTS.logLevel);
  if (!LOG_LEVELS.includes(logLevel)) fail('logLevel', logLevel, `must be one of ${LOG_LEVELS.join(', ')}`);
  // `defaults.serialPolicy` is the documented place (replication issue); a top-level key still works
  const defaultsObj = (typeof obj['defaults'] === 'object' && obj['defaults'] !== null ? obj['defaults'] : {}) as Record<string, unknown>;
  if (defaultsObj['serialPolicy'] !== undefined && obj['serialPolicy'] !== undefined) {
    fail('serialPolicy', obj['serialPolicy'], 'is also given as defaults.serialPolicy; keep one');
  }
  const serialPolicy = defaultsObj['serialPolicy'] !== undefined
    ? parseSerialPolicy('defaults.serialPolicy', defaultsObj['serialPolicy'], fail)
    : parseSerialPolicy('serialPolicy', obj['serialPolicy'] ?? DEFAULTS.serialPolicy, fail);

  const zonesRaw = obj['zones'] ?? [];
  if (!Array.isArray(zonesRaw)) fail('zones', zonesRaw, 'must be a list of {origin, file}');
  const zones = (zonesRaw as unknown[]).map((z, i): ZoneConfig => {
    const key = `zones[${i}]`;
    if (typeof z !== 'object' || z === null) return fail(key, z, 'must be a mapping with at least "origin"');
    const zo = z as Record<string, unknown>;
    const zoneKeys = ['origin', 'file', 'serialPolicy', ...REPLICATION_ZONE_KEYS];
    for (const k of Object.keys(zo)) if (!zoneKeys.includes(k)) fail(`${key}.${k}`, zo[k], `is not a known zone key (${zoneKeys.join(', ')})`);
    const origin = parseOrigin(str(`${key}.origin`, zo['origin']), `${key}.origin`, fail);
    const zc: ZoneConfig = { origin };
    if (zo['file'] !== undefined) zc.file = resolve(str(`${key}.file`, zo['file']));
    if (zo['serialPolicy'] !== undefined) zc.serialPolicy = parseSerialPolicy(`${key}.serialPolicy`, zo['serialPolicy'], fail);
    return zc;
  });
  const seen = new Set<string>();
  for (const [i, z] of zones.entries()) {
    if (seen.has(z.origin)) fail(`zones[${i}].origin`, z.origin, 'is configured twice');
    seen.add(z.origin);
  }

  let nsid: Uint8Array | undefined;
  if (obj['nsid'] !== undefined) nsid = Buffer.from(str('nsid', obj['nsid']), 'utf8');
  if (nsid && nsid.length > 128) fail('nsid', obj['nsid'], 'is longer than 128 octets');

  const tcpRaw = (obj['tcp'] ?? {}) as Record<string, unknown>;
  if (typeof tcpRaw !== 'object' || Array.isArray(tcpRaw)) fail('tcp', tcpRaw, 'must be a mapping {idleTimeout, maxConnections}');
  for (const k of Object.keys(tcpRaw)) if (!['idleTimeout', 'maxConnections'].includes(k)) fail(`tcp.${k}`, tcpRaw[k], 'is not a known key (idleTimeout, maxConnections)');
  const udpRaw = (obj['udp'] ?? {}) as Record<string, unknown>;
  if (typeof udpRaw !== 'object' || Array.isArray(udpRaw)) fail('udp', udpRaw, 'must be a mapping {batching}');
  for (const k of Object.keys(udpRaw)) if (k !== 'batching') fail(`udp.${k}`, udpRaw[k], 'is not a known key (batching)');
  const batching = udpRaw['batching'] ?? true;
  if (typeof batching !== 'boolean') return fail('udp.batching', batching, 'must be true or false');
  return {
    file: undefined,
    replication: parseReplication(obj, fail),
    listen,
    data,
    zoneDir,
    zones,
    logLevel,
    nsid,
    maxUdpPayload: int('maxUdpPayload', obj['maxUdpPayload'] ?? DEFAULTS.maxUdpPayload, 512, 65535),
    tcp: {
      idleTimeoutMs: 1000 * int('tcp.idleTimeout', tcpRaw['idleTimeout'] ?? DEFAULTS.tcpIdleTimeoutSeconds, 1, 3600),
      maxConnections: int('tcp.maxConnections', tcpRaw['maxConnections'] ?? DEFAULTS.tcpMaxConnections, 1, 1_000_000),
    },
    udp: { batching },
    answerCacheSize: int('answerCacheSize', obj['answerCacheSize'] ?? DEFAULTS.answerCacheSize, 0, 100_000_000),
    serialPolicy,
    admin: parseAdmin(obj['admin'], overrides.adminListen, env, fail),
    metrics: parseMetrics(obj['metrics'], overrides.metricsListen, fail),
    queryLog: parseQueryLog(obj['queryLog'], fail),
  };
}

type Fail = (key: string, value: unknown, why: string) => never;


function parseOrigin(text: string, key: string, fail: Fail): string {
  try {
    return nameToText(parseName(text.endsWith('.') ? text : `${text}.`)).toLowerCase();
  } catch (err) {
    if (err instanceof NameError) return fail(key, text, `is not a valid domain name: ${err.message}`);
    throw err;
  }
}

function parseSerialPolicy(key: string, value: unknown, fail: Fail): SerialPolicy {
  if (!SERIAL_POLICIES.includes(value as SerialPolicy)) return fail(key, value, `must be one of ${SERIAL_POLICIES.join(', ')}`);
  return value as SerialPolicy;
}

function mapping(key: string, value: unknown, known: string[], fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(key, value, `must be a mapping {${known.join(', ')}}`);
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) if (!known.includes(k)) fail(`${key}.${k}`, k === 'token' ? '(hidden)' : obj[k], `is not a known key (${known.join(', ')})`);
  return obj;
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback: where an admin API without a configured token may listen. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return /^127\./.test(h) || h === '::1' || /^::ffff:127\./.test(h) || h === '0:0:0:0:0:0:0:1';
}

function parseAdmin(value: unknown, listenOverride: string | undefined, env: NodeJS.ProcessEnv, fail: Fail): AdminConfig | undefined {
  if (listenOverride === 'off' || value === false) return undefined;
  const obj = value === undefined || value === null ? {} : mapping('admin', value, ['listen', 'token', 'tokenFile'], fail);
  const listen = parseListen(listenOverride ?? obj['listen'] ?? DEFAULTS.adminListen, 'admin.listen', fail);
  // the token never appears in a message: a wrong one is described, not quoted
  let token: string | undefined;
  let tokenSource: AdminConfig['tokenSource'] = 'generated';
  if (obj['token'] !== undefined && obj['tokenFile'] !== undefined) fail('admin.tokenFile', obj['tokenFile'], 'is set beside admin.token; set only one of them');
  if (obj['token'] !== undefined) {
    token = checkToken(obj['token'], 'admin.token', fail);
    tokenSource = 'admin.token';
  } else if (obj['tokenFile'] !== undefined) {
    const file = obj['tokenFile'];
    if (typeof file !== 'string' || file === '') return fail('admin.tokenFile', file, 'must be a file name');
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
  return { listen, token, tokenSource };
}

function checkToken(value: unknown, key: string, fail: Fail, shown = '(hidden)'): string {
  if (typeof value !== 'string' || value === '') return fail(key, shown, 'must hold a non-empty token');
  if (/\s/.test(value)) return fail(key, shown, 'holds a token with whitespace inside; HTTP headers cannot carry it');
  return value;
}

function parseMetrics(value: unknown, listenOverride: string | undefined, fail: Fail): Config['metrics'] {
  const obj = value === undefined || value === null ? {} : mapping('metrics', value, ['listen'], fail);
  const raw = listenOverride ?? obj['listen'];
  return { listen: raw === undefined ? undefined : parseListen(raw, 'metrics.listen', fail) };
}

function parseQueryLog(value: unknown, fail: Fail): Config['queryLog'] {
  if (value === undefined || value === null || value === false) return undefined;
  const obj = mapping('queryLog', value, ['sample'], fail);
  const sample = obj['sample'] ?? 1;
  if (typeof sample !== 'number' || !(sample > 0 && sample <= 1)) return fail('queryLog.sample', sample, 'must be a fraction above 0 and at most 1 (0.01 logs one query in 100)');
  return { sample };
}
