import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { parseName, type WireName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import { notifyTargetsFor, type NotifyTarget, type ReplicationConfig } from '../config-replication.js';
import { Flag, FLAGS_HI_QR, Header, HEADER_LENGTH, OPCODE_SHIFT, rcodeOf } from '../message/header.js';
import { Opcode } from '../message/opcode.js';
import { Rcode } from '../message/rcode.js';
import { signMessage } from '../tsig/tsig.js';
import type { ControlCounters } from '../metrics/counters.js';

/** RFC 1996 §3.6: retry until answered; these are the waits between tries. */
const RETRY_MS = [1000, 2000, 4000, 8000, 16000];

interface Pending {
  target: NotifyTarget;
  origin: string;
  attempt: number;
  timer: NodeJS.Timeout;
  message: Buffer;
}


/**
 * NOTIFY out (RFC 1996): after every commit to a primary zone, each of its notify targets gets a
 * NOTIFY (signed when the target names a key), resent with backoff until it is answered. A newer
 * change to the same zone replaces a pending one for the same target.
 */
export class NotifySender {
  private readonly pending = new Map<number, Pending>();
  private readonly latest = new Map<string, number>();
  private sockets: { v4: dgram.Socket; v6: dgram.Socket } | undefined;

  constructor(
    private readonly config: () => ReplicationConfig,
    private readonly log: Logger,
    private readonly counters: ControlCounters,
  ) {}

  /** Announces the zone's new serial to its targets; returns how many NOTIFYs went out. */
  zoneChanged(origin: string, soa: { ttl: number; rdata: Uint8Array } | undefined, except: readonly { host: string; port: number }[] = []): number {
    const config = this.config();
    const targets = notifyTargetsFor(config, origin).filter((t) => !except.some((e) => e.host === t.host && e.port === t.port));
    for (const target of targets) {
      const id = this.freeId();
      let message = notifyMessage(id, parseName(origin), soa);
      if (target.key) {
        const key = config.keyring.byText(target.key);
        if (key) message = signMessage(message, key).message;
      }
      const slot = `${origin}|${target.host}|${target.port}`;
      const previous = this.latest.get(slot);
      if (previous !== undefined) this.settle(previous);
      this.latest.set(slot, id);
      const entry: Pending = { target, origin, attempt: 0, timer: setTimeout(() => undefined, 0), message };
      this.pending.set(id, entry);
      this.send(id, entry);
    }
    return targets.length;
  }

  close(): void {
    for (const id of [...this.pending.keys()]) this.settle(id);
    this.sockets?.v4.close();
    this.sockets?.v6.close();
    this.sockets = undefined;
  }

  private send(id: number, entry: Pending): void {
    const sockets = this.open();
    const socket = isIP(entry.target.host) === 6 ? sockets.v6 : sockets.v4;
    this.counters.notifySent++;
    socket.send(entry.message, entry.target.port, entry.target.host);
    clearTimeout(entry.timer);
    const wait = RETRY_MS[entry.attempt];
    if (wait === undefined) {
      this.counters.notifyFailed++;
      this.log.warn({ zone: entry.origin, target: `${entry.target.host}:${entry.target.port}` }, 'NOTIFY not answered; giving up (the secondary will refresh on its own)');
      this.settle(id);
      return;
    }
    entry.timer = setTimeout(() => {
      entry.attempt++;
      this.send(id, entry);
    }, wait);
    entry.timer.unref();
  }

  private onResponse(msg: Buffer, from: dgram.RemoteInfo): void {
    if (msg.length < HEADER_LENGTH || !(msg[2]! & FLAGS_HI_QR)) return;
    const id = msg.readUInt16BE(0);
    const entry = this.pending.get(id);
    if (!entry || entry.target.port !== from.port) return;
    const rcode = rcodeOf(msg);
    if (rcode !== Rcode.NOERROR) this.log.warn({ zone: entry.origin, target: `${from.address}:${from.port}`, rcode }, 'NOTIFY answered with an error');
    else this.log.debug({ zone: entry.origin, target: `${from.address}:${from.port}` }, 'NOTIFY acknowledged');
    this.settle(id);
  }

  private settle(id: number): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(id);
  }

  private freeId(): number {
    for (;;) {
      const id = randomInt(0, 65536);
      if (!this.pending.has(id)) return id;
    }
  }

  private open(): { v4: dgram.Socket; v6: dgram.Socket } {
    if (this.sockets) return this.sockets;
    const v4 = dgram.createSocket('udp4');
    const v6 = dgram.createSocket({ type: 'udp6', ipv6Only: true });
    for (const s of [v4, v6]) {
      s.on('message', (msg, rinfo) => this.onResponse(msg, rinfo));
      s.on('error', (err) => this.log.warn({ err }, 'NOTIFY socket error'));
      s.unref();
    }
    v4.bind(0);
    v6.bind(0);
    this.sockets = { v4, v6 };
    return this.sockets;
  }
}

/** RFC 1996 §3.7: opcode NOTIFY, AA, the zone's SOA question, the new SOA in the answer. */
function notifyMessage(id: number, origin: WireName, soa: { ttl: number; rdata: Uint8Array } | undefined): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE((Opcode.NOTIFY << OPCODE_SHIFT) | Flag.AA, Header.FLAGS);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(soa ? 1 : 0, 6);
  parts.push(header, Buffer.from(origin), Buffer.from([0, RRType.SOA, 0, 1]));
  if (soa) {
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(RRType.SOA, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(soa.ttl, 6);
    rr.writeUInt16BE(soa.rdata.length, 10);
    parts.push(rr, Buffer.from(soa.rdata));
  }
  return Buffer.concat(parts);
}
