import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Acl, addressProblem, type AclAction, type AclRule } from './acl.js';
import type { ConfigFile } from './config/schema.js';
import { resolve } from 'node:path';
import { ACL_ACTIONS, PRIMARY_TRANSPORTS } from './config/values.js';
import type { Fail } from './config/error.js';
import { parseListen } from './listen-address.js';
import { Keyring, makeKey, type TsigKey } from './tsig/keys.js';
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
  /** ACL rule names and notify targets of zones not in the config (members of consumed catalogs), set by the catalog service. */
  memberAcl?: (origin: string) => string[] | undefined;
  memberNotify?: (origin: string) => NotifyTarget[] | undefined;
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
  /** How transfers reach it (default tcp); SOA queries stay on UDP (RFC 9103 §5). */
  transport?: PrimaryTransport;
  /** tls/quic: base64 SHA-256 of the primary's SubjectPublicKeyInfo. */
  pin?: string;
  /** tls/quic: CA certificates (PEM file, absolute path) for strict verification with `hostname`. */
  caFile?: string;
  /** tls/quic: the name the primary's certificate must carry (strict verification). */
  hostname?: string;
}

export type PrimaryTransport = (typeof PRIMARY_TRANSPORTS)[number];

const ACTIONS: readonly AclAction[] = ACL_ACTIONS;
/** Kept for callers of the hand-written validator; the schema (server/config/schema.ts) is the list now. */
export const REPLICATION_TOP_LEVEL_KEYS = ['keys', 'acls', 'defaults'];
export const REPLICATION_ZONE_KEYS = ['acl', 'notify', 'primaries', 'journal'];

type Target = NonNullable<NonNullable<ConfigFile['defaults']>['notify']>[number]
  & Partial<Pick<PrimaryTarget, 'idleTimeout' | 'transport' | 'pin' | 'caFile' | 'hostname'>>;

/**
 * `keys`, `acls`, `defaults` and the replication keys of `zones[]` (the shape of the replication
 * issue), after the schema pass has checked their shape: what is left are secrets, addresses, sizes
 * and the references between sections (an ACL naming a key, a zone naming an ACL). Every error names
 * the key, the value and why, like the rest of the config.
 */
export function parseReplication(obj: ConfigFile, fail: Fail): ReplicationConfig {
  const keys: TsigKey[] = [];
  for (const [i, ko] of (obj.keys ?? []).entries()) {
    const at = `keys[${i}]`;
    const algorithm = ko.algorithm ?? 'hmac-sha256';
    let secret: string;
    if (ko.secretFile !== undefined) {
      try {
        secret = readFileSync(ko.secretFile, 'utf8').trim();
      } catch (err) {
        return fail(`${at}.secretFile`, ko.secretFile, `cannot be read (${(err as NodeJS.ErrnoException).code})`);
      }
    } else if (ko.secret !== undefined) {
      secret = ko.secret;
    } else {
      return fail(`${at}.secret`, undefined, 'is required (or secretFile)');
    }
    // the secret itself never appears in an error message
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(secret) || Buffer.from(secret, 'base64').length < 16) {
      fail(`${at}.secret`, '(hidden)', 'must be base64 of at least 16 octets');
    }
    const key = makeKey(ko.name, algorithm, secret);
    if (keys.some((x) => x.nameText === key.nameText)) fail(`${at}.name`, ko.name, 'is defined twice');
    keys.push(key);
  }
  const keyring = new Keyring(keys);

  const rules = new Map<string, AclRule>();
  for (const [i, ao] of (obj.acls ?? []).entries()) {
    const at = `acls[${i}]`;
    const name = ao.name;
    if (rules.has(name)) fail(`${at}.name`, name, 'is defined twice');
    const addresses = list(ao.address);
    for (const [j, addr] of addresses.entries()) {
      const problem = addressProblem(addr);
      if (problem) fail(listAt(ao.address, `${at}.address`, j), addr, problem);
    }
    const keyNames = list(ao.key).map((k) => (k.endsWith('.') ? k : `${k}.`).toLowerCase());
    for (const [j, k] of keyNames.entries()) if (!keyring.byText(k)) fail(listAt(ao.key, `${at}.key`, j), k, 'is not a key defined under keys');
    const actions = list(ao.action);
    if (actions.length === 0) fail(`${at}.action`, ao.action, `must list at least one of ${ACTIONS.join(', ')}`);
    const transports = list(ao.transport);
    if (ao.transport !== undefined && transports.length === 0) fail(`${at}.transport`, ao.transport, 'must list at least one transport (or be left out: any)');
    rules.set(name, { name, addresses, keys: keyNames, actions, deny: ao.deny ?? false, transports });
  }
  const ruleNames = (value: string | string[] | undefined, at: string): string[] => {
    const names = list(value);
    for (const [j, n] of names.entries()) if (!rules.has(n)) fail(listAt(value, at, j), n, 'is not an ACL defined under acls');
    return names;
  };

  const defaults = obj.defaults ?? {};
  const defaultJournal = journalLimits(defaults.journal, 'defaults.journal', DEFAULT_JOURNAL_LIMITS, fail);
  const zoneJournal = new Map<string, JournalLimits>();
  const defaultAcl = ruleNames(defaults.acl, 'defaults.acl');
  const notifyTargets = (value: Target[] | undefined, at: string): PrimaryTarget[] => parseTargets(value, at, keyring, fail);
  const defaultNotify = notifyTargets(defaults.notify, 'defaults.notify');
  const zoneNotify = new Map<string, NotifyTarget[]>();
  const secondaries = new Map<string, PrimaryTarget[]>();

  const zoneAcl = new Map<string, string[]>();
  for (const [i, zo] of (obj.zones ?? []).entries()) {
    const origin = (zo.origin.endsWith('.') ? zo.origin : `${zo.origin}.`).toLowerCase();
    if (zo.acl !== undefined) zoneAcl.set(origin, ruleNames(zo.acl, `zones[${i}].acl`));
    if (zo.notify !== undefined) zoneNotify.set(origin, notifyTargets(zo.notify, `zones[${i}].notify`));
    if (zo.journal !== undefined) zoneJournal.set(origin, journalLimits(zo.journal, `zones[${i}].journal`, defaultJournal, fail));
    if (zo.primaries !== undefined) {
      if (zo.file !== undefined) fail(`zones[${i}].file`, zo.file, 'cannot be given for a secondary zone (it has primaries)');
      secondaries.set(origin, notifyTargets(zo.primaries, `zones[${i}].primaries`));
    }
  }
  // a catalog produced here is a zone with an ACL and notify targets; a consumed one, a secondary
  for (const [i, c] of (obj.catalogs ?? []).entries()) {
    const origin = (c.zone.endsWith('.') ? c.zone : `${c.zone}.`).toLowerCase();
    if (c.acl !== undefined) zoneAcl.set(origin, ruleNames(c.acl, `catalogs[${i}].acl`));
    if (c.notify !== undefined) zoneNotify.set(origin, notifyTargets(c.notify, `catalogs[${i}].notify`));
  }
  for (const [i, c] of (obj.consumers ?? []).entries()) {
    const origin = (c.zone.endsWith('.') ? c.zone : `${c.zone}.`).toLowerCase();
    secondaries.set(origin, notifyTargets(c.primaries, `consumers[${i}].primaries`));
  }
  return { keyring, rules, defaultAcl, zoneAcl, defaultNotify, zoneNotify, secondaries, defaultJournal, zoneJournal };
}

/** NOTIFY targets or primaries: addresses, keys and transport settings checked, each error naming its key. */
export function parseTargets(value: Target[] | undefined, at: string, keyring: Keyring, fail: Fail): PrimaryTarget[] {
  return (value ?? []).map((to, j) => {
    const listen = parseListen(to.address, `${at}[${j}].address`, fail);
    const keyName = to.key === undefined ? undefined : (to.key.endsWith('.') ? to.key : `${to.key}.`).toLowerCase();
    if (keyName && !keyring.byText(keyName)) fail(`${at}[${j}].key`, to.key, 'is not a key defined under keys');
    const target: PrimaryTarget = { host: listen.host, port: listen.port, key: keyName };
    if (to.idleTimeout !== undefined) target.idleTimeout = to.idleTimeout;
    if (to.transport !== undefined && to.transport !== 'tcp') target.transport = to.transport;
    const secured = target.transport !== undefined;
    for (const field of ['pin', 'caFile', 'hostname'] as const) {
      if (to[field] !== undefined && !secured) fail(`${at}[${j}].${field}`, to[field], 'needs transport: tls or quic');
    }
    if (to.pin !== undefined && (to.caFile !== undefined || to.hostname !== undefined)) {
      fail(`${at}[${j}].pin`, to.pin, 'is set beside caFile/hostname; authenticate the primary one way (pin, or caFile with hostname)');
    }
    if (to.caFile !== undefined && to.hostname === undefined) fail(`${at}[${j}].caFile`, to.caFile, 'needs hostname: the name the primary\'s certificate is checked against');
    if (to.caFile !== undefined) {
      const caFile = resolve(to.caFile);
      try {
        readFileSync(caFile);
      } catch (err) {
        fail(`${at}[${j}].caFile`, to.caFile, `cannot be read (${(err as NodeJS.ErrnoException).code})`);
      }
      target.caFile = caFile;
    }
    if (to.pin !== undefined) target.pin = to.pin;
    if (to.hostname !== undefined) target.hostname = to.hostname;
    return target;
  });
}

type JournalFile = NonNullable<NonNullable<ConfigFile['defaults']>['journal']>;

const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** `{maxDepth: 1000, maxSize: 100M}`: entries and bytes (a number, or with a K, M or G suffix). */
function journalLimits(value: JournalFile | undefined, at: string, base: JournalLimits, fail: Fail): JournalLimits {
  if (value === undefined) return base;
  const limits = { ...base };
  if (value.maxDepth !== undefined) limits.maxDepth = value.maxDepth;
  const size = value.maxSize;
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
  const key = origin.toLowerCase();
  return config.zoneNotify.get(key) ?? config.memberNotify?.(key) ?? config.defaultNotify;
}

/** The ACL of one zone: its own rule names, else the defaults. */
export function aclFor(config: ReplicationConfig, origin: string): Acl {
  const key = origin.toLowerCase();
  const names = config.zoneAcl.get(key) ?? config.memberAcl?.(key) ?? config.defaultAcl;
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

/** A string or a list of strings (YAML habit: `key: a` or `key: [a, b]`). */
function list<T extends string>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** `acls[0].key[1]` for a list, `acls[0].key` for a single string. */
function listAt(value: unknown, at: string, j: number): string {
  return Array.isArray(value) ? `${at}[${j}]` : at;
}
