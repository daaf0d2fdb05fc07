/**
 * A bounds-checked reader of DNS messages for the tests' own decoders (independent of the server's
 * code): every read says where a message ends too early, names follow compression pointers.
 */
export class Reader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error(`truncated at offset ${this.pos} (need ${n})`);
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  /** Read a possibly compressed name; returns its uncompressed wire form (case preserved). */
  name(): Buffer {
    const out: number[] = [];
    let pos = this.pos;
    let jumped = false;
    let hops = 0;
    for (;;) {
      if (pos >= this.buf.length) throw new Error(`name runs past the end at offset ${pos}`);
      const len = this.buf[pos]!;
      if ((len & 0xc0) === 0xc0) {
        if (pos + 1 >= this.buf.length) throw new Error(`truncated pointer at offset ${pos}`);
        const target = ((len & 0x3f) << 8) | this.buf[pos + 1]!;
        if (!jumped) this.pos = pos + 2;
        jumped = true;
        if (++hops > 64) throw new Error('compression pointer loop');
        pos = target;
        continue;
      }
      if ((len & 0xc0) !== 0) throw new Error(`bad label type 0x${len.toString(16)} at offset ${pos}`);
      if (pos + 1 + len > this.buf.length) throw new Error(`label runs past the end at offset ${pos}`);
      out.push(...this.buf.subarray(pos, pos + 1 + len));
      pos += 1 + len;
      if (len === 0) break;
      if (out.length > 255) throw new Error('name longer than 255 octets');
    }
    if (!jumped) this.pos = pos;
    return Buffer.from(out);
  }
}
