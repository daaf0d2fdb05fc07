// The ceiling: the least work a Node DNS server can do per UDP query.
//
// Every query gets the same pre-encoded answer (one A record, 192.0.2.1, TTL 3600, name compressed
// to the question): copy the header template, patch the ID (and RD), copy the question bytes, send.
// No zone, no lookup, no EDNS. Prints {"msg":"listening","proto":"udp","port":N} when bound.
//
// With --lookup DATA_DIR (a meshdns LMDB directory) it becomes the floor of any server that reads
// its answers from LMDB: before sending the same fixed answer it does the least such a server must
// per query, the question name's canonical key, the zone it falls in and one node read.
//
// Usage: node dist/bench/raw-dgram-server.js [--listen 127.0.0.1:PORT] [--lookup DATA_DIR]   (PORT 0 = ephemeral)

import { createSocket } from 'node:dgram';
import { nameToKey } from '../zones/name.js';
import { LmdbStore } from '../zones/store/lmdb-store.js';
import { ZoneTable } from '../server/zone-table.js';

const HEADER = Buffer.from([
  0, 0, // ID, patched
  0x84, 0x00, // QR AA, opcode QUERY, RCODE NOERROR (RD copied from the query)
  0, 1, 0, 1, 0, 0, 0, 0, // QD=1 AN=1 NS=0 AR=0
]);
const ANSWER = Buffer.from([
  0xc0, 0x0c, // pointer to the question name
  0, 1, 0, 1, // A IN
  0, 0, 0x0e, 0x10, // TTL 3600
  0, 4, 192, 0, 2, 1,
]);

/** Offset just past the question (name + type + class), or -1 if malformed / compressed. */
function questionEnd(msg: Buffer): number {
  let p = 12;
  for (;;) {
    const len = msg[p];
    if (len === undefined || len > 63) return -1;
    p += 1 + len;
    if (len === 0) break;
  }
  p += 4;
  return p <= msg.length ? p : -1;
}

function parseListen(argv: readonly string[]): { host: string; port: number } {
  const i = argv.indexOf('--listen');
  const v = i >= 0 ? argv[i + 1] : undefined;
  if (v === undefined) return { host: '127.0.0.1', port: 0 };
  const colon = v.lastIndexOf(':');
  return { host: v.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(v.slice(colon + 1)) };
}

const { host, port } = parseListen(process.argv.slice(2));
const lookupAt = process.argv.indexOf('--lookup');
const lookupDir = lookupAt >= 0 ? process.argv[lookupAt + 1] : undefined;
const store = lookupDir === undefined ? undefined : LmdbStore.open(lookupDir);
const zones = store === undefined ? undefined : new ZoneTable(store);
/** Read so the lookups cannot be optimised away. */
let nodesFound = 0;

/** The floor's per-query store work: key, zone, one LMDB read of the name's node. */
function lookUp(msg: Buffer, qnameEnd: number): void {
  const key = nameToKey(msg.subarray(12, qnameEnd));
  const zone = zones!.find(key);
  if (zone !== undefined && store!.getFlags(zone.id, key) >= 0) nodesFound++;
}
// the same send path as meshdns (server/listeners/udp.ts): replies go to the kernel-given IP literal
// without dns.lookup's nextTick, so the ceiling stays the least work a Node server can do
const literalAddress = (address: string, family: number, callback: (err: Error | null, address: string, family: number) => void) => callback(null, address, family);
const sock = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 4 << 20, lookup: literalAddress as never });

sock.on('message', (msg, rinfo) => {
  if (msg.length < 12 || (msg[2]! & 0x80) !== 0) return; // too short, or a response: drop
  const end = questionEnd(msg);
  if (end < 0) return;
  if (store !== undefined) lookUp(msg, end - 4);
  const qlen = end - 12;
  const out = Buffer.allocUnsafe(12 + qlen + ANSWER.length);
  HEADER.copy(out, 0);
  out[0] = msg[0]!;
  out[1] = msg[1]!;
  out[2] = 0x84 | (msg[2]! & 0x01);
  msg.copy(out, 12, 12, end);
  ANSWER.copy(out, 12 + qlen);
  sock.send(out, rinfo.port, rinfo.address);
});

sock.on('error', (err) => {
  console.error(JSON.stringify({ msg: 'socket error', err: String(err) }));
  process.exit(1);
});

sock.bind(port, host, () => {
  console.log(JSON.stringify({ msg: 'listening', proto: 'udp', port: sock.address().port }));
});

process.on('SIGTERM', () => sock.close(() => {
  if (store !== undefined) console.log(JSON.stringify({ msg: 'stopping', nodesFound }));
  process.exit(0);
}));
