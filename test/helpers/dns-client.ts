// A tiny DNS client for tests: build a query, send it over UDP or TCP to a loopback port, return
// the raw response bytes (or null when the server stayed silent). The caller decodes.
//
// The question is encoded here rather than with dns-packet's encoder because dns-packet cannot
// encode escaped labels (`a\.b`, `\200`), and the differential tests need them. dns-packet's type
// table is reused so type names match what the decoding side prints.
import dgram from 'node:dgram';
import net from 'node:net';
import { createRequire } from 'node:module';

/** Types dns-packet does not know by name, and the meta types we query. */
const EXTRA_TYPES: Readonly<Record<string, number>> = {
  SVCB: 64,
  HTTPS: 65,
  ANY: 255,
  AXFR: 252,
  IXFR: 251,
  OPT: 41,
  SPF: 99,
  URI: 256,
  CSYNC: 62,
  ZONEMD: 63,
};

const CLASSES: Readonly<Record<string, number>> = { IN: 1, CH: 3, HS: 4, NONE: 254, ANY: 255 };

/** Type mnemonic (or `TYPEnnn`) → number. Throws RangeError for an unknown mnemonic. */
export function typeCode(type: string | number): number {
  if (typeof type === 'number') return type;
  const upper = type.toUpperCase();
  const extra = EXTRA_TYPES[upper];
  if (extra !== undefined) return extra;
  const generic = /^TYPE(\d{1,5})$/.exec(upper);
  if (generic?.[1] !== undefined) return Number(generic[1]);
  const code = dnsPacket_toType(upper);
  if (code === 0) throw new RangeError(`unknown RR type "${type}"`);
  return code;
}

/** Number → type mnemonic (or `TYPEnnn`). */
export function typeName(code: number): string {
  for (const [name, value] of Object.entries(EXTRA_TYPES)) if (value === code) return name;
  const name = dnsPacket_typeString(code);
  return name.startsWith('UNKNOWN_') ? `TYPE${code}` : name;
}

/** Class mnemonic (or `CLASSnnn`) → number. */
export function classCode(cls: string | number): number {
  if (typeof cls === 'number') return cls;
  const upper = cls.toUpperCase();
  const known = CLASSES[upper];
  if (known !== undefined) return known;
  const generic = /^CLASS(\d{1,5})$/.exec(upper);
  if (generic?.[1] !== undefined) return Number(generic[1]);
  throw new RangeError(`unknown class "${cls}"`);
}

export function className(code: number): string {
  for (const [name, value] of Object.entries(CLASSES)) if (value === code) return name;
  return `CLASS${code}`;
}

// dns-packet ships its type table as a CommonJS sub-module without typings.
type TypeTable = { toType(name: string): number; toString(code: number): string };
const dnsPacketTypes = createRequire(import.meta.url)('dns-packet/types.js') as TypeTable;
function dnsPacket_toType(name: string): number {
  return dnsPacketTypes.toType(name);
}
function dnsPacket_typeString(code: number): string {
  return dnsPacketTypes.toString(code);
}

/**
 * Presentation-format name (RFC 1035 §5.1 escapes `\.`, `\X`, `\DDD`) → uncompressed wire form.
 * A trailing dot is optional; "." and "" are the root. Throws RangeError on an invalid name.
 */
export function nameToWire(name: string): Buffer {
  if (name === '.' || name === '') return Buffer.from([0]);
  const labels: number[][] = [];
  let current: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    if (ch === 0x2e /* . */) {
      if (current.length === 0) throw new RangeError(`empty label in name "${name}"`);
      labels.push(current);
      current = [];
      continue;
    }
    if (ch === 0x5c /* \ */) {
      const digits = name.slice(i + 1, i + 4);
      if (/^\d{3}$/.test(digits)) {
        const value = Number(digits);
        if (value > 255) throw new RangeError(`bad escape "\\${digits}" in name "${name}"`);
        current.push(value);
        i += 3;
      } else if (i + 1 < name.length) {
        current.push(name.charCodeAt(i + 1));
        i += 1;
      } else {
        throw new RangeError(`dangling backslash in name "${name}"`);
      }
      continue;
    }
    if (ch > 0x7f) throw new RangeError(`non-ASCII character in name "${name}" (use \\DDD)`);
    current.push(ch);
  }
  if (current.length > 0) labels.push(current);
  const parts: number[] = [];
  for (const label of labels) {
    if (label.length > 63) throw new RangeError(`label longer than 63 octets in name "${name}"`);
    parts.push(label.length, ...label);
  }
  parts.push(0);
  if (parts.length > 255) throw new RangeError(`name "${name}" is longer than 255 octets`);
  return Buffer.from(parts);
}

export interface EdnsOption {
  code: number;
  data?: Uint8Array;
}

export interface EdnsOptions {
  /** Requestor's UDP payload size; default 1232. */
  payload?: number;
  /** EDNS version; default 0. */
  version?: number;
  /** DNSSEC OK bit. */
  do?: boolean;
  /** Extended rcode bits in the OPT TTL (a query should send 0). */
  extendedRcode?: number;
  /** Other OPT flag bits (beyond DO), e.g. to set Z bits. */
  zFlags?: number;
  options?: EdnsOption[];
}

export interface QuerySpec {
  qname: string;
  qtype: string | number;
  qclass?: string | number;
  id?: number;
  opcode?: number;
  rd?: boolean;
  cd?: boolean;
  ad?: boolean;
  /** Set QR=1 (a response packet; servers must not answer it). */
  qr?: boolean;
  edns?: EdnsOptions;
}

/** EDNS option codes used in tests. */
export const OPT_NSID = 3;
export const OPT_COOKIE = 10;
export const OPT_PADDING = 12;

/** Build a query in wire form. */
export function buildQuery(spec: QuerySpec): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE((spec.id ?? 0x1234) & 0xffff, 0);
  let flags = ((spec.opcode ?? 0) & 0xf) << 11;
  if (spec.qr === true) flags |= 0x8000;
  if (spec.rd === true) flags |= 0x0100;
  if (spec.ad === true) flags |= 0x0020;
  if (spec.cd === true) flags |= 0x0010;
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(spec.edns === undefined ? 0 : 1, 10);
  const question = Buffer.concat([nameToWire(spec.qname), Buffer.alloc(4)]);
  question.writeUInt16BE(typeCode(spec.qtype), question.length - 4);
  question.writeUInt16BE(classCode(spec.qclass ?? 'IN'), question.length - 2);
  const parts: Buffer[] = [header, question];
  if (spec.edns !== undefined) parts.push(encodeOpt(spec.edns));
  return Buffer.concat(parts);
}

/** Encode an OPT pseudo-RR (RFC 6891 §6.1.2). */
export function encodeOpt(edns: EdnsOptions): Buffer {
  const options = (edns.options ?? []).map((option) => {
    const data = Buffer.from(option.data ?? new Uint8Array());
    const head = Buffer.alloc(4);
    head.writeUInt16BE(option.code, 0);
    head.writeUInt16BE(data.length, 2);
    return Buffer.concat([head, data]);
  });
  const rdata = Buffer.concat(options);
  const rr = Buffer.alloc(11);
  rr[0] = 0; // root owner
  rr.writeUInt16BE(41, 1);
  rr.writeUInt16BE(edns.payload ?? 1232, 3);
  rr[5] = (edns.extendedRcode ?? 0) & 0xff;
  rr[6] = (edns.version ?? 0) & 0xff;
  rr.writeUInt16BE(((edns.do === true ? 0x8000 : 0) | (edns.zFlags ?? 0)) & 0xffff, 7);
  rr.writeUInt16BE(rdata.length, 9);
  return Buffer.concat([rr, rdata]);
}

const LOOPBACK = '127.0.0.1';

/**
 * Send one datagram and wait for the first datagram back. Resolves null when nothing arrives within
 * timeoutMs. Never rejects for a silent server; rejects only if the socket cannot be used at all.
 */
export function queryUdp(port: number, packet: Uint8Array, timeoutMs: number, host = LOOPBACK): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    let done = false;
    const finish = (result: Buffer | null, error?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (error !== undefined) reject(error);
      else resolve(result);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.on('message', (message) => finish(message));
    socket.on('error', (error) => finish(null, error));
    socket.send(packet, port, host, (error) => {
      if (error) finish(null, error);
    });
  });
}

/**
 * Open a TCP connection, send one length-prefixed message and read one length-prefixed reply.
 * Resolves null when the server closes without a complete reply or nothing arrives in timeoutMs.
 */
export function queryTcp(port: number, packet: Uint8Array, timeoutMs: number, host = LOOPBACK): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    let buffered: Buffer = Buffer.alloc(0);
    let done = false;
    const finish = (result: Buffer | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.on('connect', () => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(packet.length, 0);
      socket.write(Buffer.concat([prefix, packet]));
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length >= 2 + length) finish(Buffer.from(buffered.subarray(2, 2 + length)));
      }
    });
    socket.on('error', () => finish(null));
    socket.on('close', () => finish(null));
  });
}

/** Send over the given transport. */
export function query(transport: 'udp' | 'tcp', port: number, packet: Uint8Array, timeoutMs: number): Promise<Buffer | null> {
  return transport === 'udp' ? queryUdp(port, packet, timeoutMs) : queryTcp(port, packet, timeoutMs);
}
