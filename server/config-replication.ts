import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Acl, addressProblem, type AclAction, type AclRule } from './acl.js';
import { parseListen } from './listen-address.js';
import { isTsigAlgorithm, Keyring, makeKey, TSIG_ALGORITHMS, type TsigKey } from './tsig/keys.js';
import { DEFAULT_JOURNAL_LIMITS, type JournalLimits } from '../zones/store/journal.js';

/** What replication needs from the config: TSIG keys, ACL rules, and which rules apply to a zone. */
export interface ReplicationConfig {
  keyring: Keyring;
  rules: Map<string, AclRule>;
  /** ACL rule names for zones that name none. */
  defaultAcl: string[];
  /** Per-zone ACL rule names (origin lowercase with trailing dot). */
  zoneAcl: Map<string, string[]>;
  /** NOTIFY targets for zones that name none (RFC 1996). */
  defaultNotify: NotifyTarget[];
  zoneNotify: Map<string, NotifyTarget[]>;
  /** Secondary zones: origin → primaries, tried in order. */
  secondaries: Map<string, PrimaryTarget[]>;
  /** IXFR history kept per zone (defaults.journal, zones[].journal). */
  defaultJournal: JournalLimits;
  zoneJournal: Map<string, JournalLimits>;
}

export interface NotifyTarget {
  host: string;
  port: number;
  /** TSIG key name (lowercase, trailing dot) that signs the NOTIFY. */
  key: string | undefined;
}

/** A primary of a secondary zone: where to ask, with which key, how long a transfer may stall. */
export interface PrimaryTarget extends NotifyTarget {
  /** Seconds a transfer may go without receiving anything before it is given up (default 10). */
  idleTimeout?: number;
}

type Fail = (key: string, value: unknown, why: string) => never;

const ACTIONS: AclAction[] = ['transfer', 'notify', 'update'];
export const REPLICATION_TOP_LEVEL_KEYS = ['keys', 'acls', 'defaults'];
export const REPLICATION_ZONE_KEYS = ['acl', 'notify', 'primaries', 'journal'];

/**
 * Parses `keys`, `acls`, `defaults.acl` and `zones[].acl` (the shape of the replication issue):
 * every error names the key, the value and why, like the rest of the config.
 */
export function parseReplication(obj: Record<string, unknown>, fail: Fail): ReplicationConfig {
  const keys: TsigKey[] = [];
  const keysRaw = obj['keys'] ?? [];
  if (!Array.isArray(keysRaw)) fail('keys', keysRaw, 'must be a list of {name, algorithm, secret | secretFile}');
  for (const [i, k] of (keysRaw as unknown[]).entries()) {
    const at = `keys[${i}]`;
    const ko = mapping(k, at, fail);
    only(ko, at, ['name', 'algorithm', 'secret', 'secretFile'], fail);
    const name = text(ko['name'], `${at}.name`, fail);
    const algorithm = text(ko['algorithm'] ?? 'hmac-sha256', `${at}.algorithm`, fail);
    if (!isTsigAlgorithm(algorithm)) fail(`${at}.algorithm`, algorithm, `must be one of ${Object.keys(TSIG_ALGORITHMS).join(', ')}`);
    let secret: string;
    if (ko['secretFile'] !== undefined) {
      const file = text(ko['secretFile'], `${at}.secretFile`, fail);
      try {
        secret = readFileSync(file, 'utf8').trim();
      } catch (err) {
        return fail(`${at}.secretFile`, file, `cannot be read (${(err as NodeJS.ErrnoException).code})`);
      }
    } else {
      secret = text(ko['secret'], `${at}.secret`, fail);
    }
    // the secret itself never appears in an error message
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(secret) || Buffer.from(secret, 'base64').length < 16) {
      fail(`${at}.secret`, '(hidden)', 'must be base64 of at least 16 octets');
    }
    const key = makeKey(name, algorithm as keyof typeof TSIG_ALGORITHMS, secret);
    if (keys.some((x) => x.nameText === key.nameText)) fail(`${at}.name`, name, 'is defined twice');
    keys.push(key);
  }
  const keyring = new Keyring(keys);

  const rules = new Map<string, AclRule>();
  const aclsRaw = obj['acls'] ?? [];
  if (!Array.isArray(aclsRaw)) fail('acls', aclsRaw, 'must be a list of {name, address, key, action, deny}');
  for (const [i, a] of (aclsRaw as unknown[]).entries()) {
    const at = `acls[${i}]`;
    const ao = mapping(a, at, fail);
    only(ao, at, ['name', 'address', 'key', 'action', 'deny'], fail);
    const name = text(ao['name'], `${at}.name`, fail);
    if (rules.has(name)) fail(`${at}.name`, name, 'is defined twice');
    const addresses = list(ao['address'], `${at}.address`, fail);
    for (const [j, addr] of addresses.entries()) {
      const problem = addressProblem(addr);
      if (problem) fail(`${at}.address[${j}]`, addr, problem);
    }
    const keyNames = list(ao['key'], `${at}.key`, fail).map((k) => (k.endsWith('.') ? k : `${k}.`).toLowerCase());
    for (const [j, k] of keyNames.entries()) if (!keyring.byText(k)) fail(`${at}.key[${j}]`, k, 'is not a key defined under keys');
    const actions = list(ao['action'], `${at}.action`, fail);
    if (actions.length === 0) fail(`${at}.action`, ao['action'], `must list at least one of ${ACTIONS.join(', ')}`);
    for (const [j, act] of actions.entries()) if (!ACTIONS.includes(act as AclAction)) fail(`${at}.action[${j}]`, act, `must be one of ${ACTIONS.join(', ')}`);
    const deny = ao['deny'] ?? false;
    if (typeof deny !== 'boolean') fail(`${at}.deny`, deny, 'must be true or false');
    rules.set(name, { name, addresses, keys: keyNames, actions: actions as AclAction[], deny: deny as boolean });
  }
  const ruleNames = (value: unknown, at: string): string[] => {
    const names = list(value, at, fail);
    for (const [j, n] of names.entries()) if (!rules.has(n)) fail(`${at}[${j}]`, n, 'is not an ACL defined under acls');
    return names;
  };

  const defaultsRaw = obj['defaults'] ?? {};
  const defaults = mapping(defaultsRaw, 'defaults', fail);
  only(defaults, 'defaults', ['acl', 'notify', 'serialPolicy', 'journal'], fail);
  const defaultJournal = journalLimits(defaults['journal'], 'defaults.journal', DEFAULT_JOURNAL_LIMITS, fail);
  const zoneJournal = new Map<string, JournalLimits>();
  const defaultAcl = ruleNames(defaults['acl'], 'defaults.acl');
  const notifyTargets = (value: unknown, at: string, primaries = false): PrimaryTarget[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) return fail(at, value, `must be a list of {address: "ADDR:PORT", key${primaries ? ', idleTimeout' : ''}}`);
    return value.map((t, j) => {
      const to = mapping(t, `${at}[${j}]`, fail);
      only(to, `${at}[${j}]`, primaries ? ['address', 'key', 'idleTimeout'] : ['address', 'key'], fail);
      const listen = parseListen(to['address'], `${at}[${j}].address`, fail);
      const key = to['key'] === undefined ? undefined : text(to['key'], `${at}[${j}].key`, fail);
      const keyName = key === undefined ? undefined : (key.endsWith('.') ? key : `${key}.`).toLowerCase();
      if (keyName && !keyring.byText(keyName)) fail(`${at}[${j}].key`, key, 'is not a key defined under keys');
      const target: PrimaryTarget = { host: listen.host, port: listen.port, key: keyName };
      const idle = to['idleTimeout'];
      if (idle !== undefined) {
        if (typeof idle !== 'number' || !Number.isFinite(idle) || idle <= 0 || idle > 3600) {
          fail(`${at}[${j}].idleTimeout`, idle, 'must be a number of seconds, more than 0 and at most 3600');
        }
        target.idleTimeout = idle;
      }
      return target;
    });
  };
  const defaultNotify = notifyTargets(defaults['notify'], 'defaults.notify');
  const zoneNotify = new Map<string, NotifyTarget[]>();
  const secondaries = new Map<string, PrimaryTarget[]>();

  const zoneAcl = new Map<string, string[]>();
  const zonesRaw = obj['zones'];
  if (Array.isArray(zonesRaw)) {
    for (const [i, z] of zonesRaw.entries()) {
      const zo = z as Record<string, unknown>;
      if (typeof zo['origin'] !== 'string') continue;
      const origin = (zo['origin'].endsWith('.') ? zo['origin'] : `${zo['origin']}.`).toLowerCase();
      if (zo['acl'] !== undefined) zoneAcl.set(origin, ruleNames(zo['acl'], `zones[${i}].acl`));
      if (zo['notify'] !== undefined) zoneNotify.set(origin, notifyTargets(zo['notify'], `zones[${i}].notify`));
      if (zo['journal'] !== undefined) zoneJournal.set(origin, journalLimits(zo['journal'], `zones[${i}].journal`, defaultJournal, fail));
      if (zo['primaries'] !== undefined) {
        const primaries = notifyTargets(zo['primaries'], `zones[${i}].primaries`, true);
        if (primaries.length === 0) fail(`zones[${i}].primaries`, zo['primaries'], 'must name at least one primary');
        if (zo['file'] !== undefined) fail(`zones[${i}].file`, zo['file'], 'cannot be given for a secondary zone (it has primaries)');
        secondaries.set(origin, primaries);
      }
    }
  }
  return { keyring, rules, defaultAcl, zoneAcl, defaultNotify, zoneNotify, secondaries, defaultJournal, zoneJournal };
}

const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** `{maxDepth: 1000, maxSize: 100M}`: entries and bytes (a number, or with a K, M or G suffix). */
function journalLimits(value: unknown, at: string, base: JournalLimits, fail: Fail): JournalLimits {
  if (value === undefined) return base;
  const jo = mapping(value, at, fail);
  only(jo, at, ['maxDepth', 'maxSize'], fail);
  const limits = { ...base };
  const depth = jo['maxDepth'];
  if (depth !== undefined) {
    if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 1 || depth > 1_000_000) fail(`${at}.maxDepth`, depth, 'must be a whole number from 1 to 1000000');
    limits.maxDepth = depth as number;
  }
  const size = jo['maxSize'];
  if (size !== undefined) {
    const m = /^(\d+)\s*([KMG]?)i?B?$/i.exec(String(size));
    const bytes = m ? Number(m[1]) * SIZE_UNITS[m[2]!.toUpperCase()]! : NaN;
    if (!(bytes >= 1024 && bytes <= 64 * 1024 ** 3)) fail(`${at}.maxSize`, size, 'must be a size from 1K to 64G (bytes, or a number with K, M or G)');
    limits.maxBytes = bytes;
  }
  return limits;
}

/** The journal limits of one zone: its own, else the defaults. */
export function journalLimitsFor(config: ReplicationConfig, origin: string): JournalLimits {
  const key = (origin.endsWith('.') ? origin : `${origin}.`).toLowerCase();
  return config.zoneJournal.get(key) ?? config.defaultJournal;
}

/** Where a change to a zone is announced: its own targets, else the defaults. */
export function notifyTargetsFor(config: ReplicationConfig, origin: string): NotifyTarget[] {
  return config.zoneNotify.get(origin.toLowerCase()) ?? config.defaultNotify;
}

/** The ACL of one zone: its own rule names, else the defaults. */
export function aclFor(config: ReplicationConfig, origin: string): Acl {
  const names = config.zoneAcl.get(origin.toLowerCase()) ?? config.defaultAcl;
  return new Acl(names.map((n) => config.rules.get(n)!));
}

/** A digest of the whole replication config, for "did it change" (secrets hashed, never shown). */
export function replicationFingerprint(config: ReplicationConfig): string {
  const hash = createHash('sha256');
  for (const key of config.keyring.all()) hash.update(`${key.nameText}|${key.algorithm}|`).update(key.secret);
  hash.update(JSON.stringify([
    [...config.rules.values()], config.defaultAcl, [...config.zoneAcl.entries()], config.defaultNotify, [...config.zoneNotify.entries()], [...config.secondaries.entries()],
    config.defaultJournal, [...config.zoneJournal.entries()],
  ]));
  return hash.digest('hex');
}

export function emptyReplication(): ReplicationConfig {
  return { keyring: new Keyring(), rules: new Map(), defaultAcl: [], zoneAcl: new Map(), defaultNotify: [], zoneNotify: new Map(), secondaries: new Map(),
    defaultJournal: DEFAULT_JOURNAL_LIMITS, zoneJournal: new Map() };
}

function mapping(value: unknown, at: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(at, value, 'must be a mapping');
  return value as Record<string, unknown>;
}

function only(obj: Record<string, unknown>, at: string, allowed: string[], fail: Fail): void {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) fail(`${at}.${k}`, obj[k], `is not a known key (${allowed.join(', ')})`);
}

function text(value: unknown, at: string, fail: Fail): string {
  if (typeof value !== 'string' || value === '') return fail(at, value, 'must be a non-empty string');
  return value;
}

/** A string or a list of strings (YAML habit: `key: a` or `key: [a, b]`). */
function list(value: unknown, at: string, fail: Fail): string[] {
  if (value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((v, i) => text(v, Array.isArray(value) ? `${at}[${i}]` : at, fail));
}
