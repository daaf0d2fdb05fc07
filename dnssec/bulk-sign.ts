import { randomBytes } from 'node:crypto';
import type { WireName } from '../zones/name.js';
import { RRType } from '../zones/rrtype.js';
import { soaTimers } from '../zones/soa.js';
import { canonicalOrder, forEachName, isPrefixOf, type CanonicalOrder } from '../zones/table/canonical-order.js';
import type { RecordTable } from '../zones/table/record-table.js';
import { keysetRRsets, isSignerOwnedType } from './keyset.js';
import { HashedNames } from './hashed-names.js';
import { base32hex, nsec3Hash } from './nsec3-hash.js';
import { NSEC3_OPT_OUT, nsec3paramRdata, nsec3Rdata, nsecRdata } from './records.js';
import { PooledSigning } from './sign-pool-job.js';
import { signPoolFor } from './sign-pool.js';
import type { ZoneSigner } from './zone-signer.js';

const DNSSEC_FILE = '(signed by meshdns)';

export interface BulkSignResult {
  signatures: number;
  /** DNSSEC records of the source (RRSIG, NSEC*, DNSKEY, CDS, CDNSKEY) dropped to be made again. */
  stripped: number;
}

/** Where the walk puts what it makes: RRSIGs of an RRset (signed here or on a pool), chain records. */
interface ZoneOutput {
  signSet(owner: WireName, type: number, ttl: number, rdatas: Uint8Array[]): void;
  add(owner: WireName, type: number, ttl: number, rdata: Uint8Array): void;
}

/** A name of the denial chain: its owner and the types its NSEC/NSEC3 lists. */
interface ChainName {
  owner: WireName;
  types: number[];
  /** An insecure delegation an opt-out chain leaves out (RFC 5155 §6). */
  insecureCut: boolean;
}

/**
 * Signs a whole zone held as a record table (first load, a new version replacing the old one):
 * drops whatever DNSSEC records the source had, adds the keyset, signs every authoritative RRset
 * (RFC 4035 §2.2; at a cut only DS and NSEC, glue never), and builds the NSEC chain in canonical
 * order (RFC 4034 §4) or the NSEC3 chain in hash order (RFC 5155 §7.1, empty non-terminals included).
 * `soa` is the SOA rdata with its final serial (the table's SOA is replaced by it when written).
 */
export function signTable(table: RecordTable, apexKey: Buffer, signer: ZoneSigner, soa: Uint8Array): BulkSignResult {
  const apex = signer.apex;
  const policy = signer.policy;
  let stripped = 0;
  let soaTtl = 0;
  for (let i = 0; i < table.count; i++) {
    if (table.dropped[i] !== 0) continue;
    const type = table.type[i]!;
    if (type === RRType.SOA) soaTtl = table.ttl[i]!;
    if (isSignerOwnedType(type, true) && (type !== RRType.DNSKEY && type !== RRType.CDS && type !== RRType.CDNSKEY || isApexOwner(table, i, apex))) {
      table.drop(i);
      stripped++;
    }
  }
  table.ownerlessFrom = table.count;
  const keyset = keysetRRsets(apex, signer.view, policy);
  for (const rdata of keyset.dnskey) table.add(apex, RRType.DNSKEY, policy.dnskeyTtl, rdata, DNSSEC_FILE, 0);
  for (const rdata of keyset.cds) table.add(apex, RRType.CDS, policy.dnskeyTtl, rdata, DNSSEC_FILE, 0);
  for (const rdata of keyset.cdnskey) table.add(apex, RRType.CDNSKEY, policy.dnskeyTtl, rdata, DNSSEC_FILE, 0);
  const nsec3 = policy.denial === 'nsec3';
  const salt = nsec3 ? randomBytes(policy.nsec3.saltLength) : Buffer.alloc(0);
  // RFC 5155 §4: NSEC3PARAM's TTL is not specified; 0, as BIND writes it, keeps it out of caches
  if (nsec3) table.add(apex, RRType.NSEC3PARAM, 0, nsec3paramRdata(policy.nsec3.iterations, salt), DNSSEC_FILE, 0);
  // RFC 9077 §3.3: NSEC/NSEC3 TTL is min(SOA TTL, SOA MINIMUM)
  const denialTtl = Math.min(soaTtl, soaTimers(soa).minimum);

  const order = canonicalOrder(table, apexKey, () => {});
  let signatures = 0;
  // RRSIGs and chain records go straight into the table (records past `order.count` are not in
  // the walk), in the order one thread makes them, so a pool changes nothing in the result
  const add = (owner: WireName, type: number, ttl: number, rdata: Uint8Array) => void table.add(owner, type, ttl, rdata, DNSSEC_FILE, 0);
  const pool = signPoolFor(table.liveCount);
  const pooled = pool ? new PooledSigning(pool, signer, add) : undefined;
  const out: ZoneOutput = pooled
    ? { signSet: (owner, type, ttl, rdatas) => void (signatures += pooled.sign(owner, type, ttl, rdatas)), add: (o, t, ttl, r) => pooled.add(o, t, ttl, r) }
    : {
      signSet: (owner, type, ttl, rdatas) => {
        for (const sig of signer.sign(owner, type, ttl, rdatas)) {
          add(owner, RRType.RRSIG, ttl, sig);
          signatures++;
        }
      },
      add,
    };
  try {
    signZoneData(table, order, signer, soa, nsec3, salt, denialTtl, out);
    pooled?.finish();
  } catch (e) {
    pooled?.stop();
    throw e;
  }
  return { signatures, stripped };
}

/**
 * Walks the zone in canonical order signing its authoritative RRsets, then builds and signs the
 * denial chain, through `out` (here or on the pool).
 */
function signZoneData(
  table: RecordTable, order: CanonicalOrder, signer: ZoneSigner, soa: Uint8Array, nsec3: boolean, salt: Buffer, denialTtl: number,
  out: ZoneOutput,
): void {
  const signSet = out.signSet;
  const apex = signer.apex;
  const policy = signer.policy;
  const keys = order.keys;
  const iterations = policy.nsec3.iterations;
  const optOut = nsec3 && policy.nsec3.optOut;
  // NSEC: each name's NSEC is made when the next name is reached, so no chain is kept;
  // NSEC3: hashes and type lists packed, sorted once the walk is over
  let first: ChainName | undefined;
  let previous: ChainName | undefined;
  const emitNsec = (name: ChainName, next: WireName) => {
    const rdata = nsecRdata(next, name.types);
    out.add(name.owner, RRType.NSEC, denialTtl, rdata);
    signSet(name.owner, RRType.NSEC, denialTtl, [rdata]);
  };
  const hashed = new HashedNames();
  const addToChain = (name: ChainName) => {
    if (!nsec3) {
      previous = name;
      first ??= name;
    } else if (!(optOut && name.insecureCut)) {
      hashed.add(nsec3Hash(name.owner, salt, iterations), name.insecureCut ? name.types.filter((t) => t !== RRType.RRSIG) : name.types);
    }
  };
  // the path from the apex to the current name (canonical order is a depth-first walk): ids of
  // names seen, and the cut above, to tell ENTs and glue
  const path: { at: number; length: number }[] = [];
  let cut: { at: number; length: number } | undefined;
  forEachName(order, table, (at, length, members, size) => {
    while (path.length > 0 && !isPrefixOf(keys, path[path.length - 1]!.at, path[path.length - 1]!.length, at, length)) path.pop();
    if (cut && !isPrefixOf(keys, cut.at, cut.length, at, length)) cut = undefined;
    const owner = table.owner(members[0]!);
    if (cut) return; // glue and occluded data: not signed, not in the chain (RFC 4035 §2.2)
    if (nsec3) addEmptyNonTerminals(owner, path.length === 0 ? 0 : labelsOf(keys, path[path.length - 1]!), labelsOf(keys, { at, length }), addToChain);
    else if (previous) emitNsec(previous, owner);
    path.push({ at, length });
    const types: number[] = [];
    let hasNs = false;
    let hasDs = false;
    for (let m = 0; m < size; ) {
      const type = table.type[members[m]!]!;
      types.push(type);
      if (type === RRType.NS) hasNs = true;
      if (type === RRType.DS) hasDs = true;
      m++;
      while (m < size && table.type[members[m]!] === type) m++;
    }
    const isCut = hasNs && length > 0;
    for (let m = 0; m < size; ) {
      const firstMember = members[m]!;
      const type = table.type[firstMember]!;
      const rdatas: Uint8Array[] = [];
      for (; m < size && table.type[members[m]!] === type; m++) rdatas.push(table.rdata(members[m]!));
      if (isCut && type !== RRType.DS) continue; // RFC 4035 §2.2: the NS set at a cut is the child's, unsigned
      if (type === RRType.SOA) rdatas[0] = soa;
      signSet(owner, type, table.ttl[firstMember]!, rdatas);
    }
    if (isCut) cut = { at, length };
    types.push(RRType.RRSIG);
    if (!nsec3) types.push(RRType.NSEC);
    types.sort((a, b) => a - b);
    addToChain({ owner, types, insecureCut: isCut && !hasDs });
  });

  if (!nsec3) {
    if (previous) emitNsec(previous, first!.owner); // the last name points back at the apex
    return;
  }
  const sorted = hashed.sorted();
  const n = sorted.length;
  for (let i = 0; i < n; i++) {
    const at = sorted[i]!;
    if (i > 0 && hashed.sameHash(at, sorted[i - 1]!)) continue; // an ENT reached twice
    let j = (i + 1) % n;
    while (j !== i && hashed.sameHash(sorted[j]!, at)) j = (j + 1) % n;
    const hash = hashed.hash(at);
    const owner = hashedOwner(hash, apex);
    const rdata = nsec3Rdata({ flags: optOut ? NSEC3_OPT_OUT : 0, iterations, salt, nextHashed: hashed.hash(sorted[j]!), types: hashed.types(at) });
    out.add(owner, RRType.NSEC3, denialTtl, rdata);
    signSet(owner, RRType.NSEC3, denialTtl, [rdata]);
  }
}

/** `<base32hex(hash)>.<apex>`, the owner of an NSEC3 RR (RFC 5155 §3). */
export function hashedOwner(hash: Uint8Array, apex: WireName): WireName {
  const label = Buffer.from(base32hex(hash), 'latin1');
  const out = new Uint8Array(1 + label.length + apex.length);
  out[0] = label.length;
  out.set(label, 1);
  out.set(apex, 1 + label.length);
  return out;
}

function isApexOwner(table: RecordTable, i: number, apex: WireName): boolean {
  const owner = table.owner(i);
  if (owner.length !== apex.length) return false;
  return Buffer.from(owner).toString('latin1').toLowerCase() === Buffer.from(apex).toString('latin1').toLowerCase();
}

/** Labels of a relative id below the apex (each label ends with a 0x00 in the key). */
function labelsOf(keys: Uint8Array, id: { at: number; length: number }): number {
  let n = 0;
  for (let i = id.at; i < id.at + id.length; i++) if (keys[i] === 0) n++;
  return n;
}

/**
 * Empty non-terminals between the nearest name seen above `owner` (at `fromLabels` below the apex)
 * and `owner`: RFC 5155 §7.1 gives each its NSEC3. They are `owner` without its first labels.
 */
function addEmptyNonTerminals(owner: WireName, fromLabels: number, ownerLabels: number, add: (name: ChainName) => void): void {
  let p = 0;
  for (let depth = ownerLabels; depth > fromLabels + 1; depth--) {
    p += owner[p]! + 1;
    add({ owner: owner.subarray(p), types: [], insecureCut: false });
  }
}
