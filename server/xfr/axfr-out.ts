import { keyToName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import type { StoredRRset } from '../../zones/store/node.js';
import { MessageWriter } from '../query/writer.js';
import type { ServedZone } from '../query/zone-table.js';
import type { TsigKey } from '../tsig/keys.js';
import { signMessage } from '../tsig/tsig.js';

/** Room left in every message for the TSIG RR (RFC 8945) that may follow it. */
const TSIG_ROOM = 400;
const MAX_MESSAGE = 65535;

export interface XfrSigning {
  key: TsigKey;
  requestMac: Buffer;
}

/** [owner, type, ttl, rdata] */
export type XfrRecord = readonly [Uint8Array, number, number, Uint8Array];

/**
 * AXFR (RFC 5936): the zone's SOA, every RR, the SOA again. The nodes come from one LMDB range
 * read, which holds its snapshot for the whole iteration, so a commit during the transfer never
 * mixes versions.
 */
export function axfrMessages(
  store: LmdbStore, zone: ServedZone, query: Uint8Array, questionEnd: number, signing: XfrSigning | undefined,
): Generator<Buffer> {
  return packMessages(query, questionEnd, signing, zoneRecords(store, zone));
}

function* zoneRecords(store: LmdbStore, zone: ServedZone): Generator<XfrRecord> {
  let soa: StoredRRset | undefined;
  let apexName: Uint8Array | undefined;
  for (const { nameKey, node } of store.zoneNodes(zone.id)) {
    const owner = keyToName(nameKey);
    if (!soa) {
      soa = node.rrsets.find((s) => s.type === RRType.SOA);
      if (!soa || !soa.rrs[0]) throw new Error(`zone ${zone.origin} has no SOA at its apex`);
      apexName = owner;
      yield [owner, RRType.SOA, soa.ttl, soa.rrs[0].rdata];
    }
    for (const set of node.rrsets) {
      if (set === soa) continue;
      for (const rr of set.rrs) yield [owner, set.type, set.ttl, rr.rdata];
    }
  }
  if (!soa || !apexName) throw new Error(`zone ${zone.origin} is empty`);
  yield [apexName, RRType.SOA, soa.ttl, soa.rrs[0]!.rdata];
}

/**
 * Packs records into answer messages of up to 64 KiB with name compression, the question in the
 * first (RFC 5936 §2.2.5). Every message is signed when the request was (RFC 8945 §5.3.1: the first
 * over the request MAC, then over the prior MAC and the timers).
 */
export function* packMessages(
  query: Uint8Array, questionEnd: number, signing: XfrSigning | undefined, records: Iterable<XfrRecord>,
): Generator<Buffer> {
  const id = (query[0]! << 8) | query[1]!;
  const flags = 0x8000 | 0x0400; // QR, AA; opcode QUERY, NOERROR
  const writer = new MessageWriter();
  let priorMac = signing?.requestMac;
  let first = true;
  let count = 0;
  const begin = () => {
    writer.begin(MAX_MESSAGE - (signing ? TSIG_ROOM : 0));
    if (first) writer.question(query, 12, questionEnd);
    count = 0;
  };
  const finish = (): Buffer => {
    const message = writer.finish(id, flags);
    const timersOnly = !first;
    first = false;
    if (!signing) return message;
    const signed = signMessage(message, signing.key, { priorMac: priorMac!, timersOnly });
    priorMac = signed.mac;
    return signed.message;
  };
  begin();
  for (const [owner, type, ttl, rdata] of records) {
    if (writer.rrset(1, { owner, type, ttl, rdatas: [rdata] })) {
      count++;
      continue;
    }
    if (count === 0) throw new Error('a single record does not fit in a 64 KiB message');
    yield finish();
    begin();
    if (!writer.rrset(1, { owner, type, ttl, rdatas: [rdata] })) throw new Error('a single record does not fit in a 64 KiB message');
    count++;
  }
  yield finish();
}
