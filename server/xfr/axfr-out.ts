import { nameToKey } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import { Flag, HEADER_LENGTH } from '../message/header.js';
import type { ServedZone } from '../zone-table.js';
import { TSIG_ROOM, type Signing } from '../tsig/signed.js';
import { signMessage } from '../tsig/tsig.js';
import { XfrPacker } from './xfr-packer.js';

const MAX_MESSAGE = 65535;
const FLAGS = Flag.QR | Flag.AA; // opcode QUERY, NOERROR

export type XfrSigning = Signing;

/** [owner, type, ttl, rdata] */
export type XfrRecord = readonly [Uint8Array, number, number, Uint8Array];

/**
 * The messages of one transfer: the question in the first (RFC 5936 §2.2.5), every message signed
 * when the request was (RFC 8945 §5.3.1: the first over the request MAC, then over the prior MAC
 * and the timers).
 */
class XfrStream {
  private readonly packer = new XfrPacker();
  private readonly id: number;
  private readonly limit: number;
  private priorMac: Buffer | undefined;
  private first = true;

  constructor(query: Uint8Array, questionEnd: number, private readonly signing: XfrSigning | undefined) {
    this.id = (query[0]! << 8) | query[1]!;
    this.limit = MAX_MESSAGE - (signing ? TSIG_ROOM : 0);
    this.priorMac = signing?.requestMac;
    const question = query.subarray(HEADER_LENGTH, questionEnd);
    this.packer.begin(this.limit, question, nameToKey(question));
  }

  /**
   * Packs the RRs of one stored node (node.ts layout, read byte by byte: Buffer's readUInt* checks
   * bounds on every call) from record `from` on, while they fit. Returns the index of the first
   * record that did not fit (flush, then call again from there), or -1 once the node is done. The
   * apex SOA is skipped: it is sent first and last.
   */
  node(value: Uint8Array, apexNode: boolean, from: number): number {
    const packer = this.packer;
    const sets = (value[2]! << 8) | value[3]!;
    let p = 4;
    let index = 0;
    let sameOwner = false;
    for (let s = 0; s < sets; s++) {
      const type = (value[p]! << 8) | value[p + 1]!;
      const ttl = ((value[p + 2]! << 24) | (value[p + 3]! << 16) | (value[p + 4]! << 8) | value[p + 5]!) >>> 0;
      const count = (value[p + 6]! << 8) | value[p + 7]!;
      p += 8;
      for (let r = 0; r < count; r++, index++) {
        const length = (value[p]! << 8) | value[p + 1]!;
        const rdataAt = p + 2;
        p = rdataAt + length;
        p += 1 + 4 * value[p]!; // provenance
        if (index < from || (type === RRType.SOA && apexNode)) continue;
        if (!this.hasRoom(length)) return index;
        // one RRSIG RRset per node holds signatures of RRsets with different TTLs: each RRSIG goes
        // out with the TTL of the RRset it covers, its original TTL (RFC 4034 §3)
        const rrTtl = type === RRType.RRSIG && length >= 8 ? ((value[rdataAt + 4]! << 24) | (value[rdataAt + 5]! << 16) | (value[rdataAt + 6]! << 8) | value[rdataAt + 7]!) >>> 0 : ttl;
        packer.record(sameOwner, type, rrTtl, value, rdataAt, rdataAt + length);
        sameOwner = true;
      }
    }
    return -1;
  }

  /** Room for a record with this much rdata; when false, `flush()` and then there is. */
  hasRoom(rdataLength: number): boolean {
    if (this.packer.fits(rdataLength)) return true;
    if (this.packer.records === 0) throw new Error('a single record does not fit in a 64 KiB message');
    return false;
  }

  /** The owner of the next records, as its canonical name key `key[start..end)`. */
  owner(key: Uint8Array, start = 0, end = key.length): void {
    this.packer.setOwner(key, start, end);
  }

  add(sameOwner: boolean, type: number, ttl: number, rdata: Uint8Array, start = 0, end = rdata.length): void {
    this.packer.record(sameOwner, type, ttl, rdata, start, end);
  }

  /** The finished message (signed when asked); the next one starts empty. */
  flush(): Buffer {
    const message = this.packer.finish(this.id, FLAGS);
    const timersOnly = !this.first;
    this.first = false;
    this.packer.begin(this.limit);
    if (!this.signing) return message;
    const signed = signMessage(message, this.signing.key, { priorMac: this.priorMac!, timersOnly });
    this.priorMac = signed.mac;
    return signed.message;
  }
}

/**
 * AXFR (RFC 5936): the zone's SOA, every RR, the SOA again, packed straight from the stored node
 * values. The nodes come from one LMDB range read, which holds its snapshot for the whole
 * iteration, so a commit during the transfer never mixes versions.
 */
export function* axfrMessages(
  store: LmdbStore, zone: ServedZone, query: Uint8Array, questionEnd: number, signing: XfrSigning | undefined,
): Generator<Buffer> {
  const out = new XfrStream(query, questionEnd, signing);
  let apexKey: Buffer | undefined;
  let soa: { ttl: number; rdata: Buffer } | undefined;
  const node = store.rawNodes.entry;
  for (const _ of store.rawNodes.zone(zone.id)) {
    let value = node.value;
    let copied = false;
    const apexNode = !soa;
    if (!soa) {
      soa = apexSoa(value, zone.origin);
      apexKey = Buffer.from(node.key.subarray(node.keyStart + 4, node.keyStart + node.keyLength));
      if (!out.hasRoom(soa.rdata.length)) yield out.flush();
      out.owner(apexKey);
      out.add(false, RRType.SOA, soa.ttl, soa.rdata);
    }
    out.owner(node.key, node.keyStart + 4, node.keyStart + node.keyLength);
    // the records are packed by a plain method; this generator only flushes full messages
    for (let next = out.node(value, apexNode, 0); next >= 0; next = out.node(value, apexNode, next)) {
      // the value sits in lmdb's shared read buffer, which a query may overwrite meanwhile: copy
      if (!copied) {
        value = Buffer.from(value.subarray(0, node.valueLength));
        copied = true;
      }
      yield out.flush();
    }
  }
  if (!soa || !apexKey) throw new Error(`zone ${zone.origin} is empty`);
  if (!out.hasRoom(soa.rdata.length)) yield out.flush();
  out.owner(apexKey);
  out.add(false, RRType.SOA, soa.ttl, soa.rdata);
  yield out.flush();
}

/** Any list of records (IXFR's condensed differences, a lone SOA) as transfer messages. */
export function* packMessages(
  query: Uint8Array, questionEnd: number, signing: XfrSigning | undefined, records: Iterable<XfrRecord>,
): Generator<Buffer> {
  const out = new XfrStream(query, questionEnd, signing);
  for (const [owner, type, ttl, rdata] of records) {
    if (!out.hasRoom(rdata.length)) yield out.flush();
    out.owner(nameToKey(owner));
    out.add(false, type, ttl, rdata);
  }
  yield out.flush();
}

/** The apex node's SOA (copied: the value buffer is not ours to keep). */
function apexSoa(value: Buffer, origin: string): { ttl: number; rdata: Buffer } {
  const sets = value.readUInt16BE(2);
  let p = 4;
  for (let s = 0; s < sets; s++) {
    const type = value.readUInt16BE(p);
    const ttl = value.readUInt32BE(p + 2);
    const count = value.readUInt16BE(p + 6);
    p += 8;
    if (type === RRType.SOA && count > 0) {
      const length = value.readUInt16BE(p);
      return { ttl, rdata: Buffer.from(value.subarray(p + 2, p + 2 + length)) };
    }
    for (let r = 0; r < count; r++) {
      p += 2 + value.readUInt16BE(p);
      p += 1 + 4 * value[p]!;
    }
  }
  throw new Error(`zone ${origin} has no SOA at its apex`);
}
