import { keyToName } from '../zones/name.js';
import { RRType } from '../zones/rrtype.js';
import type { JournalRR } from '../zones/store/journal.js';
import { findRRset, NodeFlag, type StoredRRset } from '../zones/store/node.js';
import type { WorkingEntry } from '../zones/store/working-set.js';
import { insertRRset, isHashNode, latin1 } from './node-edit.js';
import { rrsigFields } from './rrsig.js';
import { isKeysetType, type ZoneSigner } from './zone-signer.js';

/**
 * Makes a node's RRSIGs right: every RRset that must be signed has one signature per signing
 * key that is neither stale (its RRset changed), nor due (refresh), nor from a key that no
 * longer signs; anything else is removed.
 */
export function coverSignatures(
entry: WorkingEntry, signer: ZoneSigner, touched: ReadonlySet<number> | undefined, all: boolean, journal: { removed: JournalRR[]; added: JournalRR[] },
): number {
  const node = entry.node;
  const sigs = findRRset(node, RRType.RRSIG);
  const nonAuth = (node.flags & NodeFlag.NONAUTH) !== 0;
  const isCut = (node.flags & NodeFlag.DELEGATION) !== 0;
  const hashNode = isHashNode(node);
  const signable = (set: StoredRRset) => {
    if (set.type === RRType.RRSIG || nonAuth) return false;
    if (hashNode) return set.type === RRType.NSEC3;
    // RFC 4035 §2.2: at a cut only DS and NSEC are the parent's to sign
    return !isCut || set.type === RRType.DS || set.type === RRType.NSEC;
  };
  const owner = keyToName(entry.nameKey);
  let made = 0;
  const signers = new Map<number, string[]>();
  for (const type of [0, 1]) {
    const list = type === 1 ? signer.view.keysetSigners : signer.view.zoneSigners;
    signers.set(type, list.map((k) => `${k.algorithm}/${k.keyTag}`));
  }
  const kept: Uint8Array[] = [];
  const covered = new Map<number, Set<string>>();
  for (const rr of sigs?.rrs ?? []) {
    const f = rrsigFields(rr.rdata);
    const set = findRRset(node, f.typeCovered);
    const keyId = `${f.algorithm}/${f.keyTag}`;
    const ok = set !== undefined && set.rrs.length > 0 && signable(set) && !all && !touched?.has(f.typeCovered) &&
      signers.get(isKeysetType(f.typeCovered) ? 1 : 0)!.includes(keyId) && !signer.isDue(f.expiration) && f.originalTtl === set.ttl;
    if (!ok) continue;
    kept.push(rr.rdata);
    let keys = covered.get(f.typeCovered);
    if (!keys) covered.set(f.typeCovered, (keys = new Set()));
    keys.add(keyId);
  }
  const fresh: { type: number; ttl: number; rdatas: Uint8Array[] }[] = [];
  for (const set of node.rrsets) {
    if (!signable(set) || set.rrs.length === 0) continue;
    const need = signers.get(isKeysetType(set.type) ? 1 : 0)!;
    const have = covered.get(set.type);
    if (need.every((k) => have?.has(k))) continue;
    // some key lacks a signature: sign the RRset again with all of them (drop what is kept for it)
    for (let i = kept.length - 1; i >= 0; i--) if (((kept[i]![0]! << 8) | kept[i]![1]!) === set.type) kept.splice(i, 1);
    fresh.push({ type: set.type, ttl: set.ttl, rdatas: signer.sign(owner, set.type, set.ttl, set.rrs.map((r) => r.rdata)) });
  }
  const oldRdatas = sigs?.rrs.map((r) => r.rdata) ?? [];
  const keptSet = new Set(kept.map(latin1));
  for (const rdata of oldRdatas) {
    if (keptSet.has(latin1(rdata))) continue;
    journal.removed.push([owner, RRType.RRSIG, rrsigFields(rdata).originalTtl, rdata]);
  }
  for (const f of fresh) {
    for (const rdata of f.rdatas) journal.added.push([owner, RRType.RRSIG, f.ttl, rdata]);
    made += f.rdatas.length;
  }
  const all2 = [...kept, ...fresh.flatMap((f) => f.rdatas)];
  if (all2.length === oldRdatas.length && fresh.length === 0) return made;
  entry.dirty = true;
  const maxTtl = Math.max(0, ...node.rrsets.filter((s) => s.type !== RRType.RRSIG).map((s) => s.ttl));
  node.rrsets = node.rrsets.filter((s) => s.type !== RRType.RRSIG);
  if (all2.length > 0) insertRRset(node, { type: RRType.RRSIG, ttl: maxTtl, rrs: all2.map((rdata) => ({ rdata, owners: [] })) });
  return made;
}
