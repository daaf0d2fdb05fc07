import type { DiffRR, ZoneDiff } from './diff.js';
import { nameToKey } from './name.js';
import { RRType } from './rrtype.js';

/** An RR a source owns now (`nameKey` saves re-encoding the owner when the reader has it). */
export interface CurrentRR extends DiffRR {
  nameKey?: Uint8Array;
}

/**
 * The one reconcile step (ARCHITECTURE.md "Data flow"): a source states what it wants, and this
 * compares it with what the source owns now, giving the diff that makes the store match. A source
 * only ever adds and removes its own records; RRs it still wants stay untouched, a changed TTL is
 * an addition (the write door gives the RRset the new TTL), and the SOA always goes in (the door
 * decides whether its serial is newer).
 */
export function reconcile(source: string, wanted: Iterable<DiffRR>, owned: Iterable<CurrentRR>): ZoneDiff {
  const current = new Map<string, CurrentRR>();
  for (const rr of owned) current.set(rrId(rr.nameKey ?? nameToKey(rr.owner), rr.type, rr.rdata), rr);
  const diff: ZoneDiff = { source, remove: [], add: [] };
  const seen = new Set<string>();
  for (const rr of wanted) {
    const id = rrId(nameToKey(rr.owner), rr.type, rr.rdata);
    if (seen.has(id)) continue;
    seen.add(id);
    const before = current.get(id);
    if (!before || before.ttl !== rr.ttl || rr.type === RRType.SOA) diff.add.push(rr);
  }
  for (const [id, rr] of current) {
    if (!seen.has(id)) diff.remove.push({ owner: rr.owner, type: rr.type, ttl: rr.ttl, rdata: rr.rdata });
  }
  return diff;
}

function rrId(nameKey: Uint8Array, type: number, rdata: Uint8Array): string {
  return `${latin1(nameKey)}|${type}|${latin1(rdata)}`;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
