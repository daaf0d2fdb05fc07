import { LOWER } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';

const MAX_POINTER = 0x3fff;
const MAX_NAME = 255;
const MAX_LABELS = 128;

/**
 * Packs zone-transfer records into messages of up to 64 KiB, written straight from canonical name
 * keys (zones/name.ts) and rdata, with no per-record objects.
 *
 * Owners are compressed (RFC 1035 §4.1.4) by their key: a key lists labels from the root down, so
 * the labels two consecutive owners share are the common prefix of their keys, and the place that
 * suffix was written is remembered per depth. A zone comes out in canonical order, where the
 * previous owner holds the longest suffix worth pointing at; a general writer would instead search
 * every name in the message for each new one. Rdata names of the RFC 1035 types (RFC 3597 §4: only
 * those may be compressed) point into the current owner the same way.
 */
export class XfrPacker {
  private readonly buf = Buffer.allocUnsafe(65535);
  private pos = 12;
  private limit = 65535;
  private count = 0;
  private questions = 0;
  /** The current owner's key, its label starts and ends (end = the 0x00 terminator). */
  private readonly key = Buffer.allocUnsafe(4 * MAX_NAME);
  private keyLength = 0;
  private readonly starts = new Int32Array(MAX_LABELS);
  private readonly ends = new Int32Array(MAX_LABELS);
  private labels = 0;
  /** Labels (from the root) the current owner shares with the names already in this message. */
  private shared = 0;
  /** depthOffsets[d]: where the name made of the owner's first d key labels is in the message (-1: unreachable). */
  private readonly depthOffsets = new Int32Array(MAX_LABELS + 1);
  /** How many depths of depthOffsets describe the names written in this message. */
  private validDepth = 0;
  private readonly nameLabels = new Int32Array(MAX_LABELS);

  /**
   * Starts a message. The first one carries the question (RFC 5936 §2.2.5), copied verbatim; its
   * name, the zone's apex, becomes the first compression target.
   */
  begin(limit: number, question?: Uint8Array, questionKey?: Uint8Array): void {
    this.limit = Math.min(limit, 65535);
    this.pos = 12;
    this.count = 0;
    this.questions = 0;
    // nothing of an earlier message can be pointed at (the current owner is written whole)
    this.validDepth = 0;
    this.shared = 0;
    if (question && questionKey) {
      this.buf.set(question, 12);
      this.pos += question.length;
      this.questions = 1;
      this.setOwner(questionKey, 0, questionKey.length);
      let n = 0;
      for (let p = 0; question[p]! !== 0; p += question[p]! + 1) this.nameLabels[n++] = p;
      for (let i = 0; i < n; i++) this.depthOffsets[n - i] = 12 + this.nameLabels[i]! <= MAX_POINTER ? 12 + this.nameLabels[i]! : -1;
      this.validDepth = n;
    }
  }

  get records(): number {
    return this.count;
  }

  /** Whether a record with this much rdata surely fits (names never grow when compressed). */
  fits(rdataLength: number): boolean {
    return this.pos + MAX_NAME + 10 + rdataLength <= this.limit;
  }

  /** The owner of the records that follow: `key[start..end)` is its canonical name key. */
  setOwner(key: Uint8Array, start: number, end: number): void {
    // labels shared with the previous owner: the common prefix, up to a label end
    const k = this.key;
    const length = end - start;
    const common = Math.min(length, this.keyLength);
    let m = 0;
    while (m < common && k[m] === key[start + m]) m++;
    let shared = 0;
    while (shared < this.labels && this.ends[shared]! < m) shared++;
    // depths past the shared labels described the previous owner, and are stale even when this
    // owner is never written (an empty non-terminal has no records)
    this.validDepth = Math.min(shared, this.validDepth);
    this.shared = this.validDepth;
    for (let i = m; i < length; i++) k[i] = key[start + i]!;
    this.keyLength = length;
    // the shared labels keep their bounds; only the rest of the key is scanned
    let n = shared;
    let s = n > 0 ? this.ends[n - 1]! + 1 : 0;
    for (let i = s; i < length; i++) {
      const b = k[i]!;
      if (b === 1) i++; // an escaped 0x00 or 0x01 byte
      else if (b === 0) {
        this.starts[n] = s;
        this.ends[n++] = i;
        s = i + 1;
      }
    }
    this.labels = n;
  }

  /**
   * Appends one RR of the current owner; `sameOwner`: the previous record had the same owner, in
   * this message (a 2-byte pointer then). The caller checked `fits` first.
   */
  record(sameOwner: boolean, type: number, ttl: number, rdata: Uint8Array, rdataStart = 0, rdataEnd = rdata.length): void {
    const b = this.buf;
    const ownerAt = this.labels > 0 ? this.depthOffsets[this.labels]! : -1;
    let pos: number;
    if (sameOwner && ownerAt >= 0 && this.validDepth === this.labels) {
      pos = this.pos;
      b[pos] = 0xc0 | (ownerAt >> 8);
      b[pos + 1] = ownerAt & 0xff;
      pos += 2;
    } else {
      pos = this.writeOwner();
    }
    b[pos] = type >> 8;
    b[pos + 1] = type & 0xff;
    b[pos + 2] = 0;
    b[pos + 3] = 1;
    b[pos + 4] = ttl >>> 24;
    b[pos + 5] = (ttl >>> 16) & 0xff;
    b[pos + 6] = (ttl >>> 8) & 0xff;
    b[pos + 7] = ttl & 0xff;
    const lengthAt = pos + 8;
    pos += 10;
    switch (type) {
      case RRType.NS:
      case RRType.CNAME:
      case RRType.PTR:
        this.pos = pos;
        this.writeRdataName(rdata, rdataStart);
        pos = this.pos;
        break;
      case RRType.MX:
        b[pos++] = rdata[rdataStart]!;
        b[pos++] = rdata[rdataStart + 1]!;
        this.pos = pos;
        this.writeRdataName(rdata, rdataStart + 2);
        pos = this.pos;
        break;
      case RRType.SOA: {
        this.pos = pos;
        const second = this.writeRdataName(rdata, rdataStart);
        const fixed = this.writeRdataName(rdata, second);
        pos = this.pos;
        for (let i = fixed; i < rdataEnd; i++) b[pos++] = rdata[i]!;
        break;
      }
      default:
        if (rdataEnd - rdataStart > 64) {
          b.set(rdata.subarray(rdataStart, rdataEnd), pos);
          pos += rdataEnd - rdataStart;
        } else {
          for (let i = rdataStart; i < rdataEnd; i++) b[pos++] = rdata[i]!;
        }
    }
    this.pos = pos;
    const length = pos - lengthAt - 2;
    b[lengthAt] = length >> 8;
    b[lengthAt + 1] = length & 0xff;
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

  /** The owner's labels below the deepest reachable shared suffix, then a pointer to it; returns the new position. */
  private writeOwner(): number {
    let d = this.shared;
    const offsets = this.depthOffsets;
    while (d > 0 && offsets[d]! < 0) d--;
    const b = this.buf;
    const k = this.key;
    let pos = this.pos;
    for (let j = this.labels - 1; j >= d; j--) {
      offsets[j + 1] = pos <= MAX_POINTER ? pos : -1;
      const lengthAt = pos++;
      const end = this.ends[j]!;
      for (let i = this.starts[j]!; i < end; i++) {
        const byte = k[i]!;
        b[pos++] = byte === 1 ? k[++i]! - 1 : byte;
      }
      b[lengthAt] = pos - lengthAt - 1;
    }
    if (d > 0) {
      const target = offsets[d]!;
      b[pos] = 0xc0 | (target >> 8);
      b[pos + 1] = target & 0xff;
      pos += 2;
    } else {
      b[pos++] = 0;
    }
    this.validDepth = this.labels;
    this.shared = this.labels;
    this.pos = pos;
    return pos;
  }

  /**
   * A name in rdata, pointing at the longest suffix it shares with the current owner. Returns the
   * offset just past the name in `name`.
   */
  private writeRdataName(name: Uint8Array, start: number): number {
    let n = 0;
    let p = start;
    while (name[p]! !== 0) {
      this.nameLabels[n++] = p;
      p += name[p]! + 1;
    }
    let common = 0;
    const max = Math.min(n, this.labels, this.validDepth);
    while (common < max && this.labelMatches(name, this.nameLabels[n - 1 - common]!, common)) common++;
    while (common > 0 && this.depthOffsets[common]! < 0) common--;
    const b = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n - common; i++) {
      const at = this.nameLabels[i]!;
      const len = name[at]!;
      for (let j = at; j <= at + len; j++) b[pos++] = name[j]!;
    }
    if (common > 0) {
      const target = this.depthOffsets[common]!;
      b[pos] = 0xc0 | (target >> 8);
      b[pos + 1] = target & 0xff;
      pos += 2;
    } else {
      b[pos++] = 0;
    }
    this.pos = pos;
    return p + 1;
  }

  /** The wire label at `name[at]` equals the owner's key label `depth` (0 = next to the root). */
  private labelMatches(name: Uint8Array, at: number, depth: number): boolean {
    const k = this.key;
    let i = this.starts[depth]!;
    const end = this.ends[depth]!;
    const len = name[at]!;
    for (let j = at + 1; j <= at + len; j++, i++) {
      if (i >= end) return false;
      const byte = k[i] === 1 ? k[++i]! - 1 : k[i]!;
      if (LOWER[name[j]!] !== byte) return false;
    }
    return i === end;
  }
}
