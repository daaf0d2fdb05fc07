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
import { readName, skipName } from '../message-names.js';
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
function request(id: number, origin: WireName, qtype: number, key: TsigKey | undefined, ourSoa?: DiffRR): { message: Buffer; mac: Buffer | undefined } {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(1, 4);
  const parts = [header, Buffer.from(origin), Buffer.from([qtype >> 8, qtype & 0xff, 0, 1])];
  if (ourSoa) {
    // RFC 1995 §3: the client's SOA in the authority section
    header.writeUInt16BE(1, 8);
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(RRType.SOA, 0);
    fixed.writeUInt16BE(1, 2);
    fixed.writeUInt32BE(ourSoa.ttl, 4);
    fixed.writeUInt16BE(ourSoa.rdata.length, 8);
    parts.push(Buffer.from(ourSoa.owner), fixed, Buffer.from(ourSoa.rdata));
  }
  const message = Buffer.concat(parts);
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
  const records = await transfer(primary, origin, keyring, RRType.AXFR, undefined, axfrComplete);
  return records.slice(0, -1);
}

export type IxfrResult =
  | { kind: 'current' }
  | { kind: 'axfr'; records: DiffRR[] }
  | { kind: 'ixfr'; steps: IxfrStep[] };

export interface IxfrStep {
  from: number;
  to: number;
  removed: DiffRR[];
  /** The step's new SOA first. */
  added: DiffRR[];
}

/**
 * IXFR over TCP (RFC 1995): our SOA in the authority section; the answer is our serial already
 * (the SOA alone), the whole zone (AXFR form), or a sequence of differences.
 */
export async function fetchIxfr(primary: Primary, origin: WireName, ourSoa: DiffRR, keyring: Keyring): Promise<IxfrResult> {
  const records = await transfer(primary, origin, keyring, RRType.IXFR, ourSoa, ixfrComplete);
  if (records.length === 1) return { kind: 'current' };
  if (records[1]!.type !== RRType.SOA) return { kind: 'axfr', records: records.slice(0, -1) };
  const steps = ixfrSteps(records);
  if (!steps) throw new TransferError('IXFR answer is not a valid sequence of differences');
  return { kind: 'ixfr', steps };
}

async function transfer(
  primary: Primary, origin: WireName, keyring: Keyring, qtype: number, ourSoa: DiffRR | undefined,
  complete: (records: DiffRR[]) => boolean,
): Promise<DiffRR[]> {
  const id = randomInt(0, 65536);
  const { message, mac } = request(id, origin, qtype, primary.key, ourSoa);
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
        if (records.length > 0 && (records[0]!.type !== RRType.SOA || !nameEquals(records[0]!.owner, origin))) {
          throw new TransferError('transfer does not start with the zone SOA');
        }
        // RFC 1995 §4: a lone SOA in the first message means "you are current"
        if (complete(records) || (qtype === RRType.IXFR && records.length === 1)) return records;
      }
    }
  } finally {
    socket.destroy();
  }
  throw new TransferError('transfer ended before the closing SOA');
}

function axfrComplete(records: DiffRR[]): boolean {
  const last = records[records.length - 1]!;
  if (records.length < 2 || last.type !== RRType.SOA) return false;
  if (soaSerial(last.rdata) !== soaSerial(records[0]!.rdata)) throw new TransferError('transfer ends with a different SOA');
  return true;
}

function ixfrComplete(records: DiffRR[]): boolean {
  if (records.length < 2) return false;
  if (records[1]!.type !== RRType.SOA) return axfrComplete(records);
  return ixfrSteps(records) !== undefined;
}

/** RFC 1995 §4: [new SOA] ([old SOA] removed… [new SOA] added…)… [new SOA]; undefined if incomplete. */
function ixfrSteps(records: DiffRR[]): IxfrStep[] | undefined {
  const final = soaSerial(records[0]!.rdata);
  const steps: IxfrStep[] = [];
  let i = 1;
  for (;;) {
    const head = records[i];
    if (!head) return undefined;
    if (head.type !== RRType.SOA) throw new TransferError('IXFR difference does not start with an SOA');
    if (i === records.length - 1 && soaSerial(head.rdata) === final && steps.length > 0) return steps;
    const from = soaSerial(head.rdata);
    const removed: DiffRR[] = [];
    for (i++; i < records.length && records[i]!.type !== RRType.SOA; i++) removed.push(records[i]!);
    const newSoa = records[i];
    if (!newSoa) return undefined;
    const added: DiffRR[] = [newSoa];
    for (i++; i < records.length && records[i]!.type !== RRType.SOA; i++) added.push(records[i]!);
    if (i >= records.length) return undefined;
    steps.push({ from, to: soaSerial(newSoa.rdata), removed, added });
  }
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
