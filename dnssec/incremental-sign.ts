import { randomBytes } from 'node:crypto';
import { keyToName, nameToKey, type WireName } from '../zones/name.js';
import { RRType } from '../zones/rrtype.js';
import { soaTimers } from '../zones/soa.js';
import type { ChainView } from '../zones/store/chain-view.js';
import { fixStructure } from '../zones/store/incremental.js';
import type { JournalRR } from '../zones/store/journal.js';
import { findRRset, NodeFlag, type StoredRRset, type ZoneNode } from '../zones/store/node.js';
import type { WorkingEntry, WorkingSet } from '../zones/store/working-set.js';
import { hashedOwner } from './bulk-sign.js';
import { isSignerOwnedType, keysetRRsets } from './keyset.js';
import { nsec3Hash } from './nsec3-hash.js';
import { NSEC3_OPT_OUT, nsec3Fields, nsec3paramRdata, nsec3Rdata, nsecRdata } from './records.js';
import { rrsigFields } from './rrsig.js';
import type { ZoneSigner } from './zone-signer.js';
import { coverSignatures } from './signature-cover.js';
import { DATA_EXCLUDED, dropFrom, hashFromOwnerKey, insertRRset, isHashNode, latin1, nearest } from './node-edit.js';

export interface IncrementalSignInput {
  ws: WorkingSet;
  chain: ChainView;
  apexKey: Buffer;
  signer: ZoneSigner;
  /** The new SOA (final serial) and its TTL. */
  soa: Uint8Array;
  soaTtl: number;
  /** RRs the commit's diff added and removed (the changeset's lists, SOA excluded). */
  added: JournalRR[];
  removed: JournalRR[];
  /** Sign and chain every name (turning signing on, a new denial mode or NSEC3 parameters). */
  all: boolean;
}

export interface IncrementalSignResult {
  signatures: number;
  /** Signer-owned records a source tried to add (RRSIG, NSEC*, keyset): dropped. */
  stripped: number;
}

/**
 * Signs what one commit changed, inside its transaction (the write door's `sign` stage): the
 * RRsets the diff touched and the SOA get new RRSIGs, signatures of other keys or near expiry in
 * the touched nodes are replaced, the keyset follows the key view, and the NSEC or NSEC3 chain is
 * patched at the names that joined or left it and at their predecessors only. Every change is
 * appended to the commit's changeset, so IXFR carries signatures and chain with the data.
 */
export function signIncremental(input: IncrementalSignInput, journal: { removed: JournalRR[]; added: JournalRR[] }): IncrementalSignResult {
  const run = new SignRun(input, journal);
  return run.run();
}

class SignRun {
  private readonly ws: WorkingSet;
  private readonly chain: ChainView;
  private readonly apexKey: Buffer;
  private readonly apex: WireName;
  private readonly signer: ZoneSigner;
  /** Types changed per name (latin1 name key): their signatures are made again. */
  private readonly touched = new Map<string, Set<number>>();
  private readonly storedCache = new Map<string, ZoneNode | null>();
  /** Names of the NSEC chain among the loaded ones, sorted (made once the structure is final). */
  private chainInWs: Buffer[] | undefined;
  private signatures = 0;
  private stripped = 0;
  private denialTtl = 0;

  constructor(private readonly input: IncrementalSignInput, private readonly journal: { removed: JournalRR[]; added: JournalRR[] }) {
    this.ws = input.ws;
    this.chain = input.chain;
    this.apexKey = input.apexKey;
    this.apex = keyToName(input.apexKey);
    this.signer = input.signer;
  }

  run(): IncrementalSignResult {
    const policy = this.signer.policy;
    this.denialTtl = Math.min(this.input.soaTtl, soaTimers(this.input.soa).minimum);
    this.stripSourceRecords();
    for (const rr of [...this.input.added, ...this.input.removed]) this.touch(nameToKey(rr[0]), rr[1]);
    this.touch(this.apexKey, RRType.SOA);
    const apexEntry = this.ws.load(this.apexKey);
    const keyset = keysetRRsets(this.apex, this.signer.view, policy);
    this.setRRset(apexEntry, RRType.DNSKEY, policy.dnskeyTtl, keyset.dnskey);
    this.setRRset(apexEntry, RRType.CDS, policy.dnskeyTtl, keyset.cds);
    this.setRRset(apexEntry, RRType.CDNSKEY, policy.dnskeyTtl, keyset.cdnskey);

    let all = this.input.all;
    let salt: Uint8Array = Buffer.alloc(0);
    const param = findRRset(apexEntry.node, RRType.NSEC3PARAM)?.rrs[0]?.rdata;
    if (policy.denial === 'nsec3') {
      // NSEC3PARAM (RFC 5155 §4.2): hash algorithm, flags, iterations (u16), salt length, salt
      const current = param && { iterations: (param[2]! << 8) | param[3]!, salt: param.subarray(5, 5 + param[4]!) };
      if (current && current.iterations === policy.nsec3.iterations && current.salt.length === policy.nsec3.saltLength) {
        salt = current.salt;
      } else {
        salt = randomBytes(policy.nsec3.saltLength);
        this.setRRset(apexEntry, RRType.NSEC3PARAM, 0, [nsec3paramRdata(policy.nsec3.iterations, salt)]);
        all = true;
      }
    } else {
      if (param) this.setRRset(apexEntry, RRType.NSEC3PARAM, 0, []);
      if (!findRRset(apexEntry.node, RRType.NSEC) || param) all = true;
    }
    if (all) for (const key of this.ws.descendantKeys(this.apexKey)) this.ws.load(key);

    fixStructure(this.ws, this.apexKey);
    if (policy.denial === 'nsec') this.patchNsecChain(all);
    else this.patchNsec3Chain(all, salt);
    fixStructure(this.ws, this.apexKey);
    for (const entry of [...this.ws.entries.values()]) {
      if (!entry.deleted) this.signatures += coverSignatures(entry, this.signer, this.touched.get(latin1(entry.nameKey)), all, this.journal);
    }
    return { signatures: this.signatures, stripped: this.stripped };
  }

  // --- the source's side -------------------------------------------------------------------

  /**
   * Signer-owned records in the diff are dropped (the zone file, API or UPDATE may not set them),
   * and a name left with nothing but RRSIG/NSEC loses those too.
   */
  private stripSourceRecords(): void {
    const keep: JournalRR[] = [];
    for (const rr of this.input.added) {
      const key = nameToKey(rr[0]);
      if (!isSignerOwnedType(rr[1], key.equals(this.apexKey))) {
        keep.push(rr);
        continue;
      }
      const entry = this.ws.load(key);
      const set = findRRset(entry.node, rr[1]);
      if (set) set.rrs = set.rrs.filter((x) => !Buffer.from(x.rdata).equals(rr[3]));
      if (set && set.rrs.length === 0) entry.node.rrsets = entry.node.rrsets.filter((s) => s !== set);
      this.stripped++;
      dropFrom(this.journal.added, rr);
    }
    this.input.added = keep;
    for (const entry of this.ws.entries.values()) {
      if (!entry.dirty || entry.nameKey.equals(this.apexKey)) continue;
      if (entry.node.rrsets.some((s) => !DATA_EXCLUDED.has(s.type)) || isHashNode(entry.node)) continue;
      for (const set of [...entry.node.rrsets]) this.setRRset(entry, set.type, set.ttl, []);
    }
  }

  private touch(key: Uint8Array, type: number): void {
    const id = latin1(key);
    let types = this.touched.get(id);
    if (!types) this.touched.set(id, (types = new Set()));
    types.add(type);
  }

  // --- NSEC ----------------------------------------------------------------------------------

  private inNsecChain(entry: WorkingEntry): boolean {
    if (entry.deleted || entry.node.flags & (NodeFlag.NONAUTH | NodeFlag.NSEC3) || isHashNode(entry.node)) return false;
    return entry.node.rrsets.some((s) => !DATA_EXCLUDED.has(s.type));
  }

  private wasInNsecChain(key: Uint8Array): boolean {
    const stored = this.stored(key);
    return stored !== undefined && findRRset(stored, RRType.NSEC) !== undefined;
  }

  private patchNsecChain(all: boolean): void {
    const entries = [...this.ws.entries.values()];
    const redo = new Map<string, WorkingEntry>();
    for (const entry of entries) {
      if (isHashNode(entry.node)) {
        for (const set of [...entry.node.rrsets]) this.setRRset(entry, set.type, set.ttl, []);
        continue;
      }
      const now = this.inNsecChain(entry);
      const before = !all && this.wasInNsecChain(entry.nameKey);
      if (now) redo.set(latin1(entry.nameKey), entry);
      else if (findRRset(entry.node, RRType.NSEC)) this.setRRset(entry, RRType.NSEC, this.denialTtl, []);
      if (now !== before && !entry.nameKey.equals(this.apexKey)) {
        const prev = this.neighbour(entry.nameKey, -1);
        redo.set(latin1(prev), this.ws.load(prev));
      }
    }
    for (const entry of redo.values()) {
      const next = this.neighbour(entry.nameKey, 1);
      const types = this.dataTypes(entry.node);
      types.push(RRType.RRSIG, RRType.NSEC);
      this.setRRset(entry, RRType.NSEC, this.denialTtl, [nsecRdata(keyToName(next), types.sort((a, b) => a - b))]);
    }
  }

  /** The nearest name of the NSEC chain before (-1) or after (1) `key` as the commit leaves the zone; wraps to the apex. */
  private neighbour(key: Uint8Array, direction: -1 | 1): Buffer {
    this.chainInWs ??= [...this.ws.entries.values()].filter((e) => this.inNsecChain(e)).map((e) => e.nameKey).sort(Buffer.compare);
    const best = nearest(this.chainInWs, Buffer.from(key), direction);
    const scan = direction < 0 ? this.chain.keysBefore(key) : this.chain.keysAfter(key);
    for (const k of scan) {
      if (best && (direction < 0 ? k.compare(best) <= 0 : k.compare(best) >= 0)) break;
      const entry = this.ws.get(k);
      if (entry ? this.inNsecChain(entry) : this.wasInNsecChain(k)) return k;
    }
    return best ?? (direction < 0 ? this.lastInChain() : this.apexKey);
  }

  private lastInChain(): Buffer {
    return this.neighbour(Buffer.concat([this.apexKey, Buffer.alloc(256, 0xff)]), -1);
  }

  // --- NSEC3 ---------------------------------------------------------------------------------

  private patchNsec3Chain(all: boolean, salt: Uint8Array): void {
    const policy = this.signer.policy;
    const { iterations, optOut } = policy.nsec3;
    const flags = optOut ? NSEC3_OPT_OUT : 0;
    /** hash (latin1) → the types its NSEC3 lists; undefined: the hash leaves the chain */
    const wanted = new Map<string, number[] | undefined>();
    const hashOf = (key: Buffer) => nsec3Hash(keyToName(key), salt, iterations);
    for (const entry of [...this.ws.entries.values()]) {
      if (isHashNode(entry.node)) continue;
      if (findRRset(entry.node, RRType.NSEC)) this.setRRset(entry, RRType.NSEC, this.denialTtl, []);
      const hash = latin1(hashOf(entry.nameKey));
      const flagsNow = entry.node.flags;
      const isCut = (flagsNow & NodeFlag.DELEGATION) !== 0;
      const hasDs = findRRset(entry.node, RRType.DS) !== undefined;
      const inChain = !entry.deleted && !(flagsNow & NodeFlag.NONAUTH) && !(optOut && isCut && !hasDs);
      if (!inChain) {
        if (!wanted.has(hash)) wanted.set(hash, undefined);
        continue;
      }
      const types = this.dataTypes(entry.node);
      // an insecure delegation holds no signature; everything else authoritative is signed
      if (types.length > 0 && !(isCut && !hasDs)) types.push(RRType.RRSIG);
      wanted.set(hash, types.sort((a, b) => a - b));
    }
    // hashed owners loaded (a new salt, a name gone) whose hash no name has any more leave the chain
    for (const entry of [...this.ws.entries.values()]) {
      if (!isHashNode(entry.node)) continue;
      const h = latin1(hashFromOwnerKey(entry.nameKey, this.apexKey));
      if (wanted.get(h) === undefined) wanted.set(h, undefined);
    }
    const present = [...wanted].filter(([, t]) => t !== undefined).map(([h]) => Buffer.from(h, 'latin1')).sort(Buffer.compare);
    const leaving = new Set([...wanted].filter(([, t]) => t === undefined).map(([h]) => h));
    const next = (hash: Buffer) => this.hashNeighbour(hash, 1, present, leaving);
    const setAt = (hash: Buffer, types: number[]) => {
      const entry = this.ws.load(nameToKey(hashedOwner(hash, this.apex)));
      this.setRRset(entry, RRType.NSEC3, this.denialTtl, [nsec3Rdata({ flags, iterations, salt, nextHashed: next(hash), types })]);
    };
    for (const [h, types] of wanted) {
      const hash = Buffer.from(h, 'latin1');
      const stored = this.stored(nameToKey(hashedOwner(hash, this.apex)));
      const wasThere = stored !== undefined && findRRset(stored, RRType.NSEC3) !== undefined;
      if (types) setAt(hash, types);
      else if (wasThere || this.ws.get(nameToKey(hashedOwner(hash, this.apex)))) {
        const entry = this.ws.load(nameToKey(hashedOwner(hash, this.apex)));
        this.setRRset(entry, RRType.NSEC3, this.denialTtl, []);
      }
      if ((types !== undefined) !== wasThere) {
        const prev = this.hashNeighbour(hash, -1, present, leaving);
        if (!prev.equals(hash) && !wanted.get(latin1(prev))) {
          const prevEntry = this.ws.load(nameToKey(hashedOwner(prev, this.apex)));
          const current = findRRset(prevEntry.node, RRType.NSEC3)?.rrs[0]?.rdata;
          if (current) setAt(prev, nsec3Fields(current).types);
        }
      }
    }
  }

  /** The nearest hash of the chain as the commit leaves it, before (-1) or after (1) `hash`; wraps. */
  private hashNeighbour(hash: Buffer, direction: -1 | 1, present: Buffer[], leaving: Set<string>): Buffer {
    const best = nearest(present, hash, direction);
    const scan = direction < 0 ? this.chain.hashesBefore(hash) : this.chain.hashesAfter(hash);
    for (const h of scan) {
      if (best && (direction < 0 ? h.compare(best) <= 0 : h.compare(best) >= 0)) break;
      if (!leaving.has(latin1(h))) return h;
    }
    if (best) return best;
    // wrap around: the last (or first) hash of the whole chain
    const edge = direction < 0 ? Buffer.alloc(20, 0xff) : Buffer.alloc(0);
    const fromPresent = present.length > 0 ? (direction < 0 ? present[present.length - 1]! : present[0]!) : undefined;
    const edgeScan = direction < 0 ? this.chain.hashesBefore(Buffer.concat([edge, Buffer.of(0xff)])) : this.chain.hashesAfter(edge);
    for (const h of edgeScan) {
      if (leaving.has(latin1(h))) continue;
      if (!fromPresent) return h;
      return direction < 0 ? (h.compare(fromPresent) > 0 ? h : fromPresent) : (h.compare(fromPresent) < 0 ? h : fromPresent);
    }
    return fromPresent ?? hash;
  }

  // --- signatures ----------------------------------------------------------------------------

  // --- helpers -------------------------------------------------------------------------------

  /** Replaces one RRset made by the signer, journaling the difference; an empty list removes it. */
  private setRRset(entry: WorkingEntry, type: number, ttl: number, rdatas: Uint8Array[]): void {
    const node = entry.node;
    const set = findRRset(node, type);
    const oldRdatas = set?.rrs.map((r) => r.rdata) ?? [];
    const same = set !== undefined && set.ttl === ttl && oldRdatas.length === rdatas.length &&
      oldRdatas.every((r, i) => Buffer.from(r).equals(rdatas[i]!));
    if (same || (set === undefined && rdatas.length === 0)) return;
    const owner = keyToName(entry.nameKey);
    if (set) for (const r of oldRdatas) this.journal.removed.push([owner, type, type === RRType.RRSIG ? rrsigFields(r).originalTtl : set.ttl, r]);
    for (const r of rdatas) this.journal.added.push([owner, type, ttl, r]);
    node.rrsets = node.rrsets.filter((s) => s.type !== type);
    if (rdatas.length > 0) insertRRset(node, { type, ttl, rrs: rdatas.map((rdata) => ({ rdata, owners: [] })) });
    entry.dirty = true;
    this.touch(entry.nameKey, type);
  }

  private dataTypes(node: ZoneNode): number[] {
    return node.rrsets.filter((s) => !DATA_EXCLUDED.has(s.type) && s.rrs.length > 0).map((s) => s.type);
  }

  private stored(key: Uint8Array): ZoneNode | undefined {
    const id = latin1(key);
    let node = this.storedCache.get(id);
    if (node === undefined) this.storedCache.set(id, (node = this.chain.storedNode(key) ?? null));
    return node ?? undefined;
  }
}

