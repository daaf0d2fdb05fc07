import { LOWER } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';

const MAX_POINTER = 0x3fff;
const MAX_NAME = 255;

/**
 * Packs zone-transfer records into messages of up to 64 KiB, written straight from wire names and
 * rdata with no per-record objects. Names are compressed (RFC 1035 §4.1.4) against the previous
 * owner: a zone comes out in canonical order, so the previous owner holds the longest suffix worth
 * pointing at (the apex, a parent, a sibling's parent) and finding it is one label comparison from
 * the right, where a general writer would search every name in the message. Rdata names of the RFC
 * 1035 types (RFC 3597 §4: only those may be compressed) are compressed against the same owner.
 */
export class XfrPacker {
  private readonly buf = Buffer.allocUnsafe(65535);
  private pos = 12;
  private limit = 65535;
  private count = 0;
  private questions = 0;
  /** The reference name (the last owner written), lowercased, with its label starts. */
  private readonly ref = Buffer.allocUnsafe(MAX_NAME);
  private refLabels: number[] = [];
  /** Message offset of the suffix beginning at each label of the reference, or -1 (none usable). */
  private refOffsets: number[] = [];
  /** Where the current owner starts in the message, for its next RR (-1: beyond pointer reach). */
  private ownerAt = -1;
  private scratchLabels: number[] = [];
  private scratchOffsets: number[] = [];

  /** Starts a message; the question (first message only, RFC 5936 §2.2.5) is copied verbatim. */
  begin(limit: number, question?: Uint8Array): void {
    this.limit = Math.min(limit, 65535);
    this.pos = 12;
    this.count = 0;
    this.questions = 0;
    this.refLabels.length = 0;
    this.refOffsets.length = 0;
    this.ownerAt = -1;
    if (question) {
      this.buf.set(question, 12);
      this.pos += question.length;
      this.questions = 1;
      // the qname is a compression target like any owner (the zone's apex, as the client wrote it)
      this.remember(question, 12);
    }
  }

  get records(): number {
    return this.count;
  }

  /** Whether a record with this much rdata surely fits (names never grow when compressed). */
  fits(rdataLength: number): boolean {
    return this.pos + MAX_NAME + 10 + rdataLength <= this.limit;
  }

  /**
   * Appends one RR. `sameOwner` says the owner is the one of the previous call (another RR of the
   * same node): a 2-byte pointer then. The caller checked `fits` first.
   */
  record(owner: Uint8Array, sameOwner: boolean, type: number, ttl: number, rdata: Uint8Array, rdataStart = 0, rdataEnd = rdata.length): void {
    const b = this.buf;
    if (sameOwner && this.ownerAt >= 0) {
      b[this.pos] = 0xc0 | (this.ownerAt >> 8);
      b[this.pos + 1] = this.ownerAt & 0xff;
      this.pos += 2;
    } else {
      this.writeName(owner, 0, true);
      // where the whole owner can be found again: its first label, or what its pointer points at
      this.ownerAt = this.refOffsets.length > 0 ? this.refOffsets[0]! : -1;
    }
    b[this.pos] = type >> 8;
    b[this.pos + 1] = type & 0xff;
    b[this.pos + 2] = 0;
    b[this.pos + 3] = 1;
    b.writeUInt32BE(ttl >>> 0, this.pos + 4);
    const lengthAt = this.pos + 8;
    this.pos += 10;
    switch (type) {
      case RRType.NS:
      case RRType.CNAME:
      case RRType.PTR:
        this.writeName(rdata, rdataStart, false);
        break;
      case RRType.MX:
        b[this.pos++] = rdata[rdataStart]!;
        b[this.pos++] = rdata[rdataStart + 1]!;
        this.writeName(rdata, rdataStart + 2, false);
        break;
      case RRType.SOA: {
        const second = this.writeName(rdata, rdataStart, false);
        const fixed = this.writeName(rdata, second, false);
        b.set(rdata.subarray(fixed, rdataEnd), this.pos);
        this.pos += rdataEnd - fixed;
        break;
      }
      default:
        b.set(rdata.subarray(rdataStart, rdataEnd), this.pos);
        this.pos += rdataEnd - rdataStart;
    }
    b.writeUInt16BE(this.pos - lengthAt - 2, lengthAt);
    this.count++;
  }

  /** The finished message (a copy): header with ID and flags, the counts from what was written. */
  finish(id: number, flags: number): Buffer {
    const b = this.buf;
    b.writeUInt16BE(id, 0);
    b.writeUInt16BE(flags, 2);
    b.writeUInt16BE(this.questions, 4);
    b.writeUInt16BE(this.count, 6);
    b.writeUInt32BE(0, 8);
    const out = Buffer.allocUnsafe(this.pos);
    b.copy(out, 0, 0, this.pos);
    return out;
  }

  /**
   * Writes the name at `name[start..]`, pointing at the longest suffix it shares with the
   * reference name; an owner becomes the new reference. Returns the offset just past the name in
   * `name`.
   */
  private writeName(name: Uint8Array, start: number, isOwner: boolean): number {
    const labels = this.scratchLabels;
    labels.length = 0;
    let p = start;
    while (name[p]! !== 0) {
      labels.push(p);
      p += name[p]! + 1;
    }
    const end = p + 1;
    // common trailing labels with the reference
    const n = labels.length;
    const refLabels = this.refLabels;
    const m = refLabels.length;
    let common = 0;
    while (common < n && common < m && this.sameLabel(name, labels[n - 1 - common]!, refLabels[m - 1 - common]!)) common++;
    // the longest of those suffixes that has a reachable offset
    while (common > 0 && this.refOffsets[m - common]! < 0) common--;
    const offsets = this.scratchOffsets;
    offsets.length = 0;
    const b = this.buf;
    for (let i = 0; i < n - common; i++) {
      const at = labels[i]!;
      const len = name[at]!;
      offsets.push(this.pos <= MAX_POINTER ? this.pos : -1);
      b.set(name.subarray(at, at + len + 1), this.pos);
      this.pos += len + 1;
    }
    if (common > 0) {
      const target = this.refOffsets[m - common]!;
      b[this.pos] = 0xc0 | (target >> 8);
      b[this.pos + 1] = target & 0xff;
      this.pos += 2;
      for (let j = m - common; j < m; j++) offsets.push(this.refOffsets[j]!);
    } else {
      b[this.pos++] = 0;
    }
    if (isOwner) this.adopt(name, start, end, labels, offsets);
    return end;
  }

  /** The question's name as the first reference (its labels all sit at known offsets). */
  private remember(name: Uint8Array, at: number): void {
    const labels: number[] = [];
    const offsets: number[] = [];
    for (let p = 0; name[p]! !== 0; p += name[p]! + 1) {
      labels.push(p);
      offsets.push(at + p <= MAX_POINTER ? at + p : -1);
    }
    let end = 0;
    while (name[end]! !== 0) end += name[end]! + 1;
    this.adopt(name, 0, end + 1, labels, offsets);
  }

  private adopt(name: Uint8Array, start: number, end: number, labels: number[], offsets: number[]): void {
    const ref = this.ref;
    for (let i = start; i < end; i++) ref[i - start] = LOWER[name[i]!]!;
    if (start !== 0) for (let i = 0; i < labels.length; i++) labels[i] = labels[i]! - start;
    // the scratch arrays become the reference and the old reference arrays the next scratch
    const oldLabels = this.refLabels;
    const oldOffsets = this.refOffsets;
    this.refLabels = labels;
    this.refOffsets = offsets;
    if (labels === this.scratchLabels) {
      this.scratchLabels = oldLabels;
      this.scratchOffsets = oldOffsets;
    }
  }

  private sameLabel(name: Uint8Array, at: number, refAt: number): boolean {
    const len = name[at]!;
    const ref = this.ref;
    if (ref[refAt] !== len) return false;
    for (let i = 1; i <= len; i++) if (LOWER[name[at + i]!] !== ref[refAt + i]) return false;
    return true;
  }
}
