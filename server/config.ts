import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseName, NameError, nameToText } from '../zones/name.js';
import type { SerialPolicy } from '../zones/serial.js';

export interface ListenAddress {
  host: string;
  port: number;
  family: 4 | 6;
  /** As written, for messages. */
  text: string;
}

export interface ZoneConfig {
  /** Absolute origin in presentation format, lowercased, with the trailing dot. */
  origin: string;
  file?: string;
  serialPolicy?: SerialPolicy;
}

export interface Config {
  listen: ListenAddress[];
  data: string;
  zoneDir: string | undefined;
  zones: ZoneConfig[];
  logLevel: string;
  nsid: Uint8Array | undefined;
  maxUdpPayload: number;
  tcp: { idleTimeoutMs: number; maxConnections: number };
  answerCacheSize: number;
  serialPolicy: SerialPolicy;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'MESHDNS_ERR_CONFIG';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const SERIAL_POLICIES: SerialPolicy[] = ['increment', 'unixtime', 'dateserial'];
const TOP_LEVEL_KEYS = ['listen', 'data', 'zoneDir', 'zones', 'logLevel', 'nsid', 'maxUdpPayload', 'tcp', 'answerCacheSize', 'serialPolicy'];

export const DEFAULTS = {
  listen: ['127.0.0.1:5300'],
  data: './data',
  logLevel: 'info',
  maxUdpPayload: 1232,
  tcpIdleTimeoutSeconds: 10,
  tcpMaxConnections: 1024,
  answerCacheSize: 200_000,
  serialPolicy: 'increment' as SerialPolicy,
};

/** Command-line values that override the file (flags win). */
export interface ConfigOverrides {
  listen?: string[];
  zoneDir?: string;
  data?: string;
  logLevel?: string;
}

export function loadConfig(file: string | undefined, overrides: ConfigOverrides = {}): Config {
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
  return validateConfig(raw, overrides, file ?? 'command line');
}

export function validateConfig(raw: unknown, overrides: ConfigOverrides, where: string): Config {
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
  const serialPolicy = parseSerialPolicy('serialPolicy', obj['serialPolicy'] ?? DEFAULTS.serialPolicy, fail);

  const zonesRaw = obj['zones'] ?? [];
  if (!Array.isArray(zonesRaw)) fail('zones', zonesRaw, 'must be a list of {origin, file}');
  const zones = (zonesRaw as unknown[]).map((z, i): ZoneConfig => {
    const key = `zones[${i}]`;
    if (typeof z !== 'object' || z === null) return fail(key, z, 'must be a mapping with at least "origin"');
    const zo = z as Record<string, unknown>;
    for (const k of Object.keys(zo)) if (!['origin', 'file', 'serialPolicy'].includes(k)) fail(`${key}.${k}`, zo[k], 'is not a known zone key (origin, file, serialPolicy)');
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
  return {
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
    answerCacheSize: int('answerCacheSize', obj['answerCacheSize'] ?? DEFAULTS.answerCacheSize, 0, 100_000_000),
    serialPolicy,
  };
}

type Fail = (key: string, value: unknown, why: string) => never;

/** `127.0.0.1:5300`, `[::1]:5300`. */
export function parseListen(value: unknown, key: string, fail: Fail): ListenAddress {
  if (typeof value !== 'string') return fail(key, value, 'must be a string ADDR:PORT');
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(value) ?? /^([^:[\]]+):(\d+)$/.exec(value);
  if (!m) return fail(key, value, 'is not ADDR:PORT (IPv6 as [::1]:5300)');
  const host = m[1]!;
  const port = Number(m[2]);
  const family = isIP(host);
  if (family === 0) return fail(key, value, `has "${host}", which is not an IP address`);
  if (port > 65535) return fail(key, value, `has port ${port}, above 65535`);
  return { host, port, family: family as 4 | 6, text: value };
}

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
