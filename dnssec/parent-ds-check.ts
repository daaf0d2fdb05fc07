// Asks the parent-side servers for a zone's DS RRset and returns the key tags it refers to, so a
// KSK roll can move on once the parent serves the new DS (RFC 7344 §4.1, RFC 7583 §3.3). Every
// server must answer, authoritatively, with the same set: until they agree the parent is still
// propagating, and the answer is an error rather than a guess.
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import net from 'node:net';
import { LOWER, nameToText, parseName, type WireName } from '../zones/name.js';

const TYPE_DS = 43;
const CLASS_IN = 1;
const HEADER = 12;

export interface ParentServer {
  host: string;
  port: number;
}

export type ParentDsResult =
  | { ok: true; keyTags: number[] }
  | { ok: false; error: string };

export interface ParentDsOptions {
  /** Per query (UDP, then TCP on TC); default 3000 ms. */
  timeoutMs?: number;
}

/** "192.0.2.1:53", "[2001:db8::1]:53", or an address without a port (53). */
export function parseServerAddress(text: string): ParentServer {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(text);
  const bare = net.isIPv6(text) ? [text, text, undefined] : null;
  const match = bracketed ?? plain ?? bare;
  const host = match?.[1];
  const port = match?.[2] === undefined ? 53 : Number(match[2]);
  if (host === undefined || net.isIP(host) === 0 || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new RangeError(`parent DS check address "${text}" is not "ip:port" (IPv6 as "[addr]:port")`);
  }
  return { host, port };
}

/** The key tags of the DS RRset of `zone` as every server in `addresses` serves it (sorted, unique). */
export async function checkParentDs(zone: string, addresses: readonly string[], options: ParentDsOptions = {}): Promise<ParentDsResult> {
  let qname: WireName;
  let servers: ParentServer[];
  try {
    qname = parseName(zone.endsWith('.') ? zone : `${zone}.`);
    servers = addresses.map(parseServerAddress);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  if (servers.length === 0) return { ok: false, error: 'no parent-side server to ask for the DS' };
  const timeoutMs = options.timeoutMs ?? 3000;
  const answers = await Promise.all(servers.map((server, i) => askOne(server, qname, timeoutMs).then(
    (tags) => ({ address: addresses[i]!, tags, error: undefined }),
    (error: unknown) => ({ address: addresses[i]!, tags: undefined, error: (error as Error).message }),
  )));
  const failed = answers.filter((a) => a.error !== undefined);
  if (failed.length > 0) return { ok: false, error: failed.map((a) => `${a.address}: ${a.error}`).join('; ') };
  const sets = answers.map((a) => a.tags!.join(' '));
  if (new Set(sets).size > 1) {
    return { ok: false, error: `parent servers disagree on the DS of ${nameToText(qname)} (still propagating): ${answers.map((a) => `${a.address} [${a.tags!.join(' ')}]`).join(', ')}` };
  }
  return { ok: true, keyTags: answers[0]!.tags! };
}

async function askOne(server: ParentServer, qname: WireName, timeoutMs: number): Promise<number[]> {
  const id = randomInt(0, 0x10000);
  const query = buildDsQuery(qname, id);
  const udp = await queryUdp(server, query, timeoutMs);
  // RFC 1035 §4.2.1 / RFC 7766 §5: a truncated answer is asked again over TCP.
  const response = (udp[2]! & 0x02) !== 0 ? await queryTcp(server, query, timeoutMs) : udp;
  return dsKeyTags(response, id, qname);
}

/** A DS query without EDNS (the parent's answer is small; TC sends us to TCP when it is not). */
export function buildDsQuery(qname: WireName, id: number): Buffer {
  const out = Buffer.alloc(HEADER + qname.length + 4);
  out.writeUInt16BE(id, 0);
  out.writeUInt16BE(1, 4); // QDCOUNT; flags 0: a query, RD clear (we ask authoritative servers)
  out.set(qname, HEADER);
  out.writeUInt16BE(TYPE_DS, HEADER + qname.length);
  out.writeUInt16BE(CLASS_IN, HEADER + qname.length + 2);
  return out;
}

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** The key tags (RFC 4034 §5.1: the first two octets of each DS rdata) of the answer's DS RRset for qname. */
export function dsKeyTags(msg: Uint8Array, id: number, qname: WireName): number[] {
  if (msg.length < HEADER) throw new Error(`answer of ${msg.length} octets is shorter than a DNS header`);
  const view = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  if (view.getUint16(0) !== id) throw new Error('answer id does not match the query');
  const flags = view.getUint16(2);
  if ((flags & 0x8000) === 0) throw new Error('answer is not a response (QR clear)');
  const rcode = flags & 0x000f;
  if (rcode !== 0) throw new Error(`answered ${RCODE_NAMES[rcode] ?? `rcode ${rcode}`} for the DS of ${nameToText(qname)}`);
  if ((flags & 0x0400) === 0) throw new Error(`not authoritative for the parent of ${nameToText(qname)} (AA clear)`);
  const qdcount = view.getUint16(4);
  const ancount = view.getUint16(6);
  let offset = HEADER;
  for (let i = 0; i < qdcount; i++) offset = readName(msg, offset).next + 4;
  const tags = new Set<number>();
  for (let i = 0; i < ancount; i++) {
    const owner = readName(msg, offset);
    offset = owner.next;
    if (offset + 10 > msg.length) throw new Error('answer record is truncated');
    const type = view.getUint16(offset);
    const cls = view.getUint16(offset + 2);
    const rdlength = view.getUint16(offset + 8);
    offset += 10;
    if (offset + rdlength > msg.length) throw new Error('answer rdata runs past the end of the message');
    if (type === TYPE_DS && cls === CLASS_IN && sameName(owner.name, qname)) {
      if (rdlength < 4) throw new Error(`DS rdata of ${rdlength} octets is too short`);
      tags.add(view.getUint16(offset));
    }
    offset += rdlength;
  }
  return [...tags].sort((a, b) => a - b);
}

/** An uncompressed copy of the (possibly compressed, RFC 1035 §4.1.4) name at `offset`. */
function readName(msg: Uint8Array, start: number): { name: Uint8Array; next: number } {
  const out: number[] = [];
  let offset = start;
  let next: number | undefined;
  let lowestPointer = start;
  for (;;) {
    if (offset >= msg.length) throw new Error('name runs past the end of the message');
    const length = msg[offset]!;
    if (length === 0) {
      out.push(0);
      return { name: Uint8Array.from(out), next: next ?? offset + 1 };
    }
    if ((length & 0xc0) === 0xc0) {
      if (offset + 1 >= msg.length) throw new Error('compression pointer runs past the end of the message');
      const target = ((length & 0x3f) << 8) | msg[offset + 1]!;
      // Pointers only go backwards, each before the last: no loops.
      if (target >= lowestPointer) throw new Error('compression pointer does not point backwards');
      next ??= offset + 2;
      lowestPointer = target;
      offset = target;
      continue;
    }
    if ((length & 0xc0) !== 0) throw new Error(`unknown label type 0x${length.toString(16)}`);
    if (offset + 1 + length > msg.length) throw new Error('label runs past the end of the message');
    for (let i = 0; i <= length; i++) out.push(msg[offset + i]!);
    if (out.length > 255) throw new Error('name longer than 255 octets');
    offset += length + 1;
  }
}

function sameName(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (LOWER[a[i]!] !== LOWER[b[i]!]) return false;
  return true;
}

function queryUdp(server: ParentServer, query: Buffer, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    let finished = false;
    const done = (error: Error | undefined, msg?: Uint8Array): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.close();
      if (error !== undefined) reject(error);
      else resolve(msg!);
    };
    const timer = setTimeout(() => done(new Error(`no answer over UDP within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (error) => done(new Error(`UDP: ${error.message}`)));
    socket.on('message', (msg, from) => {
      // Only the server asked, with our id: anything else is ignored, not fatal.
      if (from.port !== server.port || msg.length < 2 || msg.readUInt16BE(0) !== query.readUInt16BE(0)) return;
      done(undefined, msg);
    });
    socket.send(query, server.port, server.host);
  });
}

function queryTcp(server: ParentServer, query: Buffer, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: server.host, port: server.port });
    let received = Buffer.alloc(0);
    let finished = false;
    const done = (error: Error | undefined, msg?: Uint8Array): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      if (error !== undefined) reject(error);
      else resolve(msg!);
    };
    const timer = setTimeout(() => done(new Error(`no answer over TCP within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (error) => done(new Error(`TCP: ${error.message}`)));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) done(undefined, received.subarray(2, 2 + received.readUInt16BE(0)));
    });
    socket.on('end', () => done(new Error('TCP connection closed before a whole answer')));
  });
}
