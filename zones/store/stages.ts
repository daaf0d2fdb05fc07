import { keyToName, nameToKey, nameToText } from '../name.js';
import { LimitError, type ZoneLimits } from '../limits.js';
import { rdataEqual } from '../rdata-equal.js';
import { RRType, typeToText } from '../rrtype.js';
import { nextSerial, serialLessThan } from '../serial.js';
import { soaSerial, withSerial } from '../soa.js';
import { bulkBuild } from './bulk-build.js';
import type { CommitContext, Stage, StageName } from './commit-context.js';
import { zoneRange, type StoreHandles } from './handles.js';
import { fixStructure, writeBack } from './incremental.js';
import { appendJournal, deleteJournal, type JournalLimits } from './journal.js';
import { findRRset, NodeFlag } from './node.js';
import { bulkNsec3Sink } from './nsec3-index.js';
import { bulkIndexSink, dropZoneIndex } from './source-index.js';
import { StoreError } from './zone-meta.js';

/** What the built-in stages need besides the commit's context. */
export interface StageEnvironment {
  readonly h: StoreHandles;
  limits(): ZoneLimits;
  /** The journal limits of a zone, by origin (lowercase, trailing dot). */
  journalLimits(origin: string): JournalLimits;
}

/** The built-in stage functions by name (`sign` and `catalog` have none of their own). */
export function builtinStages(env: StageEnvironment): Partial<Record<StageName, Stage>> {
  const { h } = env;
  return {
    checks(ctx) {
      if (ctx.mode === 'incremental') {
        const edits = ctx.edits!;
        const apex = ctx.working!.load(ctx.apexKey);
        const oldSet = findRRset(apex.node, RRType.SOA);
        const oldSoa = oldSet?.rrs[0]?.rdata;
        if (!oldSet || !oldSoa) throw new StoreError(`zone ${ctx.before.origin} has no SOA`, 'MESHDNS_ERR_NO_SOA');
        const newSoa = edits.newSoa;
        const soaContentChanged = newSoa !== undefined &&
          (edits.newSoaTtl !== oldSet.ttl || !rdataEqual(RRType.SOA, withSerial(newSoa, 0), withSerial(oldSoa, 0)));
        const soaSerialRaised = newSoa !== undefined && serialLessThan(soaSerial(oldSoa), soaSerial(newSoa));
        ctx.unchanged = edits.removed.length === 0 && edits.added.length === 0 && !soaContentChanged && !soaSerialRaised && ctx.resign === undefined;
        if (!ctx.unchanged) checkIncrementalLimits(ctx, env.limits());
      } else if (ctx.mode === 'bulk') {
        if (ctx.table!.liveCount === 0) {
          ctx.unchanged = true;
          return;
        }
        const { recordsPerZone } = env.limits();
        if (ctx.table!.liveCount > recordsPerZone) {
          throw new LimitError(`zone ${ctx.before.origin} would have ${ctx.table!.liveCount} records, more than ${recordsPerZone} (limits.recordsPerZone)`, 'recordsPerZone');
        }
        ctx.soa = apexSoa(ctx);
        if (ctx.soa === undefined) throw new StoreError(`zone ${ctx.before.origin} has no SOA at its apex`, 'MESHDNS_ERR_NO_SOA');
      }
    },

    serial(ctx) {
      if (ctx.mode === 'incremental') {
        const apex = ctx.working!.load(ctx.apexKey);
        const oldSet = findRRset(apex.node, RRType.SOA)!;
        const oldSoa = oldSet.rrs[0]!.rdata;
        const oldTtl = oldSet.ttl;
        const { newSoa, newSoaTtl } = ctx.edits!;
        const raised = newSoa !== undefined && serialLessThan(soaSerial(oldSoa), soaSerial(newSoa));
        const serial = raised ? soaSerial(newSoa) : nextSerial(soaSerial(oldSoa), ctx.before.serialPolicy);
        const soa = withSerial(newSoa ?? oldSoa, serial);
        const ttl = newSoaTtl ?? oldTtl;
        oldSet.rrs = [{ rdata: soa, owners: oldSet.rrs[0]!.owners }];
        oldSet.ttl = ttl;
        apex.dirty = true;
        ctx.soa = soa;
        ctx.next.serial = serial;
        const owner = keyToName(ctx.apexKey);
        ctx.changeset = {
          from: soaSerial(oldSoa), to: serial,
          removed: [[owner, RRType.SOA, oldTtl, oldSoa], ...ctx.edits!.removed],
          added: [[owner, RRType.SOA, ttl, soa], ...ctx.edits!.added],
        };
        ctx.added = ctx.edits!.added.length;
        ctx.removed = ctx.edits!.removed.length;
      } else if (ctx.mode === 'bulk') {
        let serial = soaSerial(ctx.soa!);
        // a zone that had a version before (AXFR replacing it) never goes back in serial
        if (ctx.before.serial !== 0 && !serialLessThan(ctx.before.serial, serial)) serial = nextSerial(ctx.before.serial, ctx.before.serialPolicy);
        ctx.soa = withSerial(ctx.soa!, serial);
        ctx.next.serial = serial;
      }
    },

    nodes(ctx) {
      const zoneId = ctx.before.id;
      if (ctx.mode === 'incremental') {
        fixStructure(ctx.working!, ctx.apexKey);
        writeBack(h, ctx.working!);
        ctx.next.records = ctx.before.records + ctx.added - ctx.removed;
      } else if (ctx.mode === 'bulk') {
        const zonePrefix = zoneRange(zoneId).start;
        // keys arrive strictly increasing; when this zone's range is the end of the database, LMDB may
        // append (MDB_APPEND) instead of searching the tree for every node
        let last: Buffer | undefined;
        for (const k of h.nodes.getKeys({ reverse: true, limit: 1 })) last = k;
        const options = last === undefined || last.readUInt32BE(0) < zoneId ? { append: true } : {};
        // lmdb's typings omit the options form of put (lmdb-js README: "append")
        const put = h.nodes.put.bind(h.nodes) as unknown as (k: Buffer, v: Buffer, o: object) => void;
        const index = bulkIndexSink(h, zoneId, ctx.ownerId);
        const nsec3Index = bulkNsec3Sink(h, zoneId);
        // (inside this write transaction lmdb copies key and value at once: the reused buffers are safe)
        const built = bulkBuild(ctx.apexKey, ctx.table!, ctx.ownerId, ctx.soa!, zonePrefix, (key, value) => {
          put(key, value, options);
          if (value[2] !== 0 || value[3] !== 0) index(key.subarray(4));
          if (value[1]! & NodeFlag.NSEC3) nsec3Index(key.subarray(4));
        }, env.limits().recordsPerRRset);
        ctx.added = built.records;
        ctx.next.records = built.records;
      } else {
        for (const key of h.nodes.getKeys(zoneRange(zoneId))) h.nodes.remove(key);
        dropZoneIndex(h, zoneId);
      }
    },

    journal(ctx) {
      if (ctx.mode === 'incremental') {
        const limits = env.journalLimits(ctx.before.origin.toLowerCase());
        ctx.next.journalUsage = appendJournal(h, ctx.next, ctx.changeset!, limits);
        ctx.next.journalSeq = ctx.next.journalSeq + 1;
      } else if (ctx.mode === 'delete') {
        deleteJournal(h, ctx.before.id);
      }
      // bulk: a whole new version has no difference to serve (AXFR only); the old journal went with the old content
    },

    meta(ctx) {
      if (ctx.mode === 'delete') {
        h.zones.remove(ctx.apexKey);
        return;
      }
      if (!ctx.unchanged) {
        ctx.next.generation = ctx.before.generation + 1;
        ctx.next.lastChange = new Date().toISOString();
      }
      h.zones.put(ctx.apexKey, ctx.next);
    },
  };
}

/** RRsets the commit grew, and the zone, within their limits (the working set holds every touched node). */
function checkIncrementalLimits(ctx: CommitContext, limits: ZoneLimits): void {
  const records = ctx.before.records + ctx.edits!.added.length - ctx.edits!.removed.length;
  if (records > limits.recordsPerZone) {
    throw new LimitError(`zone ${ctx.before.origin} would have ${records} records, more than ${limits.recordsPerZone} (limits.recordsPerZone)`, 'recordsPerZone');
  }
  for (const entry of ctx.working!.entries.values()) {
    if (!entry.dirty) continue;
    for (const set of entry.node.rrsets) {
      if (set.rrs.length > limits.recordsPerRRset) {
        throw new LimitError(`${nameToText(keyToName(entry.nameKey))} ${typeToText(set.type)} would have ${set.rrs.length} records, ` +
          `more than ${limits.recordsPerRRset} (limits.recordsPerRRset)`, 'recordsPerRRset');
      }
    }
  }
}

/** The apex SOA of a bulk table (the last one, as the old door took it); undefined when missing. */
function apexSoa(ctx: CommitContext): Uint8Array | undefined {
  const table = ctx.table!;
  let soa: Uint8Array | undefined;
  for (let i = 0; i < table.count; i++) {
    if (table.type[i] === RRType.SOA && table.dropped[i] === 0 && nameToKey(table.owner(i)).equals(ctx.apexKey)) soa = table.rdata(i);
  }
  return soa;
}
