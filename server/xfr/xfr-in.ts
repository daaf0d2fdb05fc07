import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import { nameEquals, type WireName } from '../../zones/name.js';
import { rdataFromWire, validateRdata } from '../../zones/rdata/index.js';
import { RRType } from '../../zones/rrtype.js';
import { soaSerial } from '../../zones/soa.js';
import type { DiffRR } from '../../zones/diff.js';
import type { TsigKey, Keyring } from '../tsig/keys.js';
import { readName, skipName } from '../tsig/record.js';
import { signMessage, verifyMessage } from '../tsig/tsig.js';

export interface Primary {
  host: string;
  port: number;
  key: TsigKey | undefined;
}

export class TransferError extends Error {
  override name = 'TransferError';
}

const TIMEOUT_MS = 10_000;

/** A query for the zone's SOA or a transfer, signed when the primary has a key. */
function request(id: number, origin: WireName, qtype: number, key: TsigKey | undefined): { message: Buffer; mac: Buffer | undefined } {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(1, 4);
  const message = Buffer.concat([header, Buffer.from(origin), Buffer.from([qtype >> 8, qtype & 0xff, 0, 1])]);
  if (!key) return { message, mac: undefined };
  return signMessage(message, key);
}

/** The primary's current serial (RFC 1996 §3.11 / RFC 1034 §4.3.5: a SOA query over UDP). */
export function querySerial(primary: Primary, origin: WireName, keyring: Keyring): Promise<number> {
  const id = randomInt(0, 65536);
  const { message, mac } = request(id, origin, RRType.SOA, primary.key);
  const socket = dgram.createSocket(isIP(primary.host) === 6 ? 'udp6' : 'udp4');
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => done(new TransferError(`no answer to the SOA query from ${primary.host}:${primary.port}`)), 3000);
    const done = (result: number | Error) => {
      clearTimeout(timer);
      socket.close();
      if (typeof result === 'number') resolve(result);
      else reject(result);
    };
    socket.on('error', (err) => done(err));
    socket.on('message', (msg) => {
      if (msg.length < 12 || msg.readUInt16BE(0) !== id || !(msg[2]! & 0x80)) return;
      try {
        if (primary.key) checkSigned(msg, keyring, mac!, false);
        const records = parseAnswer(msg);
        const soa = records.find((r) => r.type === RRType.SOA && nameEquals(r.owner, origin));
        if ((msg[3]! & 0x0f) !== 0 || !soa) throw new TransferError(`SOA query answered with rcode ${msg[3]! & 0x0f} and no SOA`);
        done(soaSerial(soa.rdata));
      } catch (err) {
        done(err as Error);
      }
    });
    socket.send(message, primary.port, primary.host);
  });
}

/**
 * AXFR over TCP (RFC 5936): every record from the first SOA to the last, every signed message
 * verified in sequence (RFC 8945 §5.3.1). Throws on anything inconsistent; the caller keeps the old
 * version of the zone then.
 */
export async function fetchAxfr(primary: Primary, origin: WireName, keyring: Keyring): Promise<DiffRR[]> {
  const id = randomInt(0, 65536);
  const { message, mac } = request(id, origin, RRType.AXFR, primary.key);
  const socket = net.connect({ host: primary.host, port: primary.port });
  socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new TransferError('transfer timed out')));
  const frame = Buffer.alloc(2);
  frame.writeUInt16BE(message.length);
  socket.write(Buffer.concat([frame, message]));
  const records: DiffRR[] = [];
  let priorMac = mac;
  let first = true;
  let pending = Buffer.alloc(0);
  try {
    for await (const chunk of socket as AsyncIterable<Buffer>) {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const msg = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + msg.length);
        if (msg.readUInt16BE(0) !== id) throw new TransferError('transfer message with another ID');
        const rcode = msg[3]! & 0x0f;
        if (rcode !== 0) throw new TransferError(`primary answered the transfer with rcode ${rcode}`);
        if (primary.key) priorMac = checkSigned(msg, keyring, priorMac!, !first);
        first = false;
        records.push(...parseAnswer(msg));
        const last = records[records.length - 1];
        if (records.length >= 2 && last && last.type === RRType.SOA && records[0]!.type === RRType.SOA) {
          if (!nameEquals(records[0]!.owner, origin)) throw new TransferError('transfer does not start with the zone SOA');
          if (soaSerial(last.rdata) !== soaSerial(records[0]!.rdata)) throw new TransferError('transfer ends with a different SOA');
          socket.destroy();
          return records.slice(0, -1);
        }
      }
    }
  } finally {
    socket.destroy();
  }
  throw new TransferError('transfer ended before the closing SOA');
}

/** Verifies a signed message; returns its MAC for the next one. */
function checkSigned(msg: Buffer, keyring: Keyring, priorMac: Buffer, timersOnly: boolean): Buffer {
  const verdict = verifyMessage(msg, keyring, { priorMac, timersOnly });
  if (verdict.status !== 'ok') {
    throw new TransferError(`TSIG of the primary's answer: ${verdict.status === 'error' ? verdict.reason : verdict.status}`);
  }
  return verdict.tsig.mac;
}

/** The answer section's records, names decompressed, rdata checked for its type. */
function parseAnswer(msg: Buffer): DiffRR[] {
  const out: DiffRR[] = [];
  const qd = msg.readUInt16BE(4);
  const an = msg.readUInt16BE(6);
  let p = 12;
  for (let i = 0; i < qd; i++) {
    p = skipName(msg, p);
    if (p < 0) throw new TransferError('malformed question');
    p += 4;
  }
  for (let i = 0; i < an; i++) {
    const owner = readName(msg, p);
    p = skipName(msg, p);
    if (!owner || p < 0 || p + 10 > msg.length) throw new TransferError('malformed record');
    const type = msg.readUInt16BE(p);
    const ttl = msg.readUInt32BE(p + 4);
    const rdlength = msg.readUInt16BE(p + 8);
    if (p + 10 + rdlength > msg.length) throw new TransferError('record overruns the message');
    const rdata = rdataFromWire(type, msg, p + 10, rdlength);
    validateRdata(type, rdata);
    out.push({ owner, type, ttl, rdata });
    p += 10 + rdlength;
  }
  return out;
}
