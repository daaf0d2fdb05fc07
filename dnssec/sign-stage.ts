import { keyToName } from '../zones/name.js';
import { RRType } from '../zones/rrtype.js';
import type { CommitContext, Stage } from '../zones/store/commit-context.js';
import { findRRset } from '../zones/store/node.js';
import { KeyStore, type StoredDnssecKey } from '../zones/store/key-store.js';
import type { ZoneWriter } from '../zones/store/write-door.js';
import { StoreError } from '../zones/store/zone-meta.js';
import { signTable } from './bulk-sign.js';
import { signIncremental } from './incremental-sign.js';
import { unsignZone } from './unsign.js';
import { isSignerOwnedType } from './keyset.js';
import { initialKeys, type KeyPolicy } from './initial-keys.js';
import type { SigningPolicy } from './signing-policy.js';
import { ZoneSigner } from './zone-signer.js';

export type ZonePolicy = SigningPolicy & KeyPolicy;

/** What one signing commit did (metrics, logs). */
export interface SignEvent {
  origin: string;
  mode: 'bulk' | 'incremental';
  signatures: number;
  /** DNSSEC records the source carried, dropped to be made here (zone file, API, UPDATE). */
  stripped: number;
  /** Keys made in this commit (a zone's first signing). */
  keysCreated: StoredDnssecKey[];
}

export interface SignStageOptions {
  /** The signing policy of a zone by origin (lowercase, trailing dot); undefined: not signed here. */
  policyFor(origin: string): ZonePolicy | undefined;
  keys: KeyStore;
  /** Unix seconds (tests move it). */
  now(): number;
  /** Called inside the transaction; must not throw. */
  onSigned?(event: SignEvent): void;
}

/**
 * The write door's `sign` stage: a primary zone with a policy is signed in the commit that
 * changes it — whole for a first load or a new version, only what changed otherwise — so no
 * reader ever sees data without its signatures. Secondary zones are served as transferred, never
 * signed again. A zone whose keys are missing or unusable is not committed at all: the last good
 * signed version keeps answering.
 */
export function createSignStage(options: SignStageOptions): Stage {
  return (ctx: CommitContext) => {
    if (ctx.mode === 'delete' || ctx.next.kind !== 'primary') return;
    const origin = ctx.before.origin.toLowerCase();
    const policy = options.policyFor(origin.endsWith('.') ? origin : `${origin}.`);
    if (!policy) return;
    if (policy.unsign) {
      unsignStage(ctx);
      return;
    }
    const now = options.now();
    let keys = options.keys.list(origin);
    let keysCreated: StoredDnssecKey[] = [];
    if (keys.length === 0) {
      // keys lost from the key store under a zone that is signed: new keys would sign only what
      // this commit touches, under a DNSKEY RRset the parent's DS does not match — a half-signed,
      // bogus zone. Refuse the change; the last signed version keeps answering.
      if (ctx.mode === 'incremental' && storedApexIsSigned(ctx)) {
        throw new StoreError(`zone ${ctx.before.origin} is signed but its DNSSEC keys are missing from the key store: change refused, the zone keeps its last signed version (import the keys again: meshdns keys import ${ctx.before.origin})`, 'MESHDNS_ERR_DNSSEC_KEYS');
      }
      keysCreated = initialKeys(policy, now);
      options.keys.putInTransaction(origin, keysCreated);
      keys = keysCreated;
    }
    const apex = keyToName(ctx.apexKey);
    let signer: ZoneSigner;
    try {
      signer = new ZoneSigner(apex, keys, policy, now);
    } catch (e) {
      throw new StoreError(`zone ${ctx.before.origin} cannot be signed: ${(e as Error).message}`, 'MESHDNS_ERR_DNSSEC_KEYS');
    }
    if (!signer.canSign) {
      throw new StoreError(`zone ${ctx.before.origin} has DNSSEC policy "${policyName(policy)}" but no active ${signer.view.keysetSigners.length === 0 ? 'KSK/CSK' : 'ZSK/CSK'} (meshdns keys list ${ctx.before.origin})`, 'MESHDNS_ERR_DNSSEC_KEYS');
    }
    if (ctx.mode === 'bulk') {
      const result = signTable(ctx.table!, ctx.apexKey, signer, ctx.soa!);
      options.onSigned?.({ origin, mode: 'bulk', ...result, keysCreated });
      return;
    }
    const apexNode = ctx.working!.load(ctx.apexKey).node;
    const soaSet = findRRset(apexNode, RRType.SOA)!;
    const changeset = ctx.changeset!;
    const result = signIncremental({
      ws: ctx.working!, chain: ctx.chain!, apexKey: ctx.apexKey, signer, soa: ctx.soa!, soaTtl: soaSet.ttl,
      added: ctx.edits!.added, removed: ctx.edits!.removed, all: ctx.resign === 'all',
    }, changeset);
    // the SOA pair is not counted as a record added and removed
    ctx.added = changeset.added.length - 1;
    ctx.removed = changeset.removed.length - 1;
    options.onSigned?.({ origin, mode: 'incremental', ...result, keysCreated });
  };
}

/** Removes whatever the signer made (bulk: the source's DNSSEC records are not loaded either). */
function unsignStage(ctx: CommitContext): void {
  if (ctx.mode === 'bulk') {
    const table = ctx.table!;
    for (let i = 0; i < table.count; i++) if (table.dropped[i] === 0 && isSignerOwnedType(table.type[i]!, true)) table.drop(i);
    return;
  }
  const changeset = ctx.changeset!;
  unsignZone(ctx.working!, ctx.apexKey, changeset);
  ctx.added = changeset.added.length - 1;
  ctx.removed = changeset.removed.length - 1;
}

/** Whether the zone as stored before this commit publishes a DNSKEY RRset (it was signed). */
function storedApexIsSigned(ctx: CommitContext): boolean {
  const apex = ctx.chain?.storedNode(ctx.apexKey);
  return apex !== undefined && findRRset(apex, RRType.DNSKEY) !== undefined;
}

function policyName(policy: ZonePolicy): string {
  return (policy as { name?: string }).name ?? 'policy';
}

/**
 * Signs the zones of a write door: registers the sign stage and tells the door the policies, so
 * the worker threads and processes it hands big commits to sign them the same way.
 */
export function attachSigning(
  writer: ZoneWriter, policyFor: (origin: string) => ZonePolicy | undefined,
  options: { now?: () => number; onSigned?: (event: SignEvent) => void } = {},
): void {
  writer.signingPolicy = policyFor;
  writer.registerStage('sign', createSignStage({
    policyFor, keys: new KeyStore(writer.store), now: options.now ?? (() => Math.floor(Date.now() / 1000)),
    ...(options.onSigned ? { onSigned: options.onSigned } : {}),
  }));
}
