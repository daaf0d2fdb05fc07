// `npm run bench:k8s`: how the bench sees data arrive at a DNS server — small raw UDP clients on
// loopback. `waitFor` polls one name every ~1-2 ms until an answer passes a check (the arrival of a
// change); `checkNames` asks many names once each (with a resend for the unanswered) and returns those
// whose answer does not pass (a sample of the zone, or every name of a batch).

import dgram from 'node:dgram';
import { buildQuery } from '../test/helpers/dns-client.js';

export interface Answer {
  rcode: number;
  aa: boolean;
  /** IPv4 addresses of the A records in the answer section, dotted. */
  a: string[];
  ancount: number;
}

/** Skips a (possibly compressed) name at `p`; the offset after it. */
function skipName(msg: Buffer, p: number): number {
  while (p < msg.length) {
    const len = msg[p]!;
    if (len === 0) return p + 1;
    if ((len & 0xc0) === 0xc0) return p + 2;
    p += len + 1;
  }
  return p;
}

export function parseAnswer(msg: Buffer): Answer | undefined {
  if (msg.length < 12) return undefined;
  const qdcount = msg.readUInt16BE(4);
  const ancount = msg.readUInt16BE(6);
  let p = 12;
  for (let i = 0; i < qdcount; i++) p = skipName(msg, p) + 4;
  const a: string[] = [];
  for (let i = 0; i < ancount && p + 10 <= msg.length; i++) {
    p = skipName(msg, p);
    const type = msg.readUInt16BE(p);
    const rdlength = msg.readUInt16BE(p + 8);
    p += 10;
    if (type === 1 && rdlength === 4) a.push(`${msg[p]}.${msg[p + 1]}.${msg[p + 2]}.${msg[p + 3]}`);
    p += rdlength;
  }
  return { rcode: msg[3]! & 0x0f, aa: (msg[2]! & 0x04) !== 0, a, ancount };
}

export type Check = (a: Answer) => boolean;
/** Authoritative NOERROR with exactly this address among the A records. */
export const hasA = (address: string): Check => (a) => a.rcode === 0 && a.aa && a.a.includes(address);
/** Authoritative NXDOMAIN: the name is gone. */
export const isNxdomain: Check = (a) => a.rcode === 3 && a.aa;

export interface Wait {
  /** performance.now() when the first passing answer arrived. */
  readonly arrived: Promise<number>;
  cancel(): void;
}

/** Polls `qname A` at 127.0.0.1:port every `intervalMs` until `check` passes; answers to any query sent count. */
export function waitFor(port: number, qname: string, check: Check, intervalMs = 1, timeoutMs = 30_000): Wait {
  const socket = dgram.createSocket('udp4');
  let id = Math.floor(Math.random() * 0xffff);
  const sent = new Set<number>();
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  let resolveArrived!: (ms: number) => void;
  let rejectArrived!: (e: Error) => void;
  const arrived = new Promise<number>((res, rej) => { resolveArrived = res; rejectArrived = rej; });
  arrived.catch(() => undefined);
  let last = 'no answer';
  const finish = (): void => {
    settled = true;
    clearTimeout(timer);
    clearTimeout(deadline);
    socket.close();
  };
  socket.on('message', (msg) => {
    const at = performance.now();
    if (settled || msg.length < 12 || !sent.has(msg.readUInt16BE(0))) return;
    const answer = parseAnswer(msg);
    if (answer !== undefined && check(answer)) {
      finish();
      resolveArrived(at);
    } else if (answer !== undefined) {
      last = `rcode ${answer.rcode}, A ${answer.a.join(',') || 'none'}`;
    }
  });
  socket.on('error', () => { /* ICMP unreachable while a server starts: keep polling */ });
  const send = (): void => {
    if (settled) return;
    id = (id + 1) & 0xffff;
    sent.add(id);
    socket.send(buildQuery({ qname, qtype: 'A', id }), port, '127.0.0.1');
    timer = setTimeout(send, intervalMs);
  };
  const deadline = setTimeout(() => {
    if (settled) return;
    finish();
    rejectArrived(new Error(`${qname} A: no passing answer at 127.0.0.1:${port} within ${timeoutMs} ms (last: ${last})`));
  }, timeoutMs);
  socket.bind(0, '127.0.0.1', send);
  return {
    arrived,
    cancel() {
      if (!settled) {
        finish();
        rejectArrived(new Error('cancelled'));
      }
    },
  };
}

/**
 * Asks every name once (at most `perTick` queries per 1 ms tick, so a burst never overflows the
 * socket buffers), resends the unanswered after `resendMs`, and resolves with the names whose
 * answer failed `check` (or that were never answered within `timeoutMs`).
 */
export function checkNames(port: number, names: readonly string[], check: (name: string, a: Answer) => boolean, timeoutMs = 5_000, perTick = 50, resendMs = 250): Promise<string[]> {
  if (names.length > 65_536) throw new RangeError('checkNames: at most 65,536 names at once');
  if (names.length === 0) return Promise.resolve([]);
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const pending = new Map<number, { name: string; sentAt: number }>();
    const failed: string[] = [];
    const queue = names.map((name, i) => ({ name, id: i }));
    let remaining = names.length;
    let next = 0;
    let tick: NodeJS.Timeout | undefined;
    const done = (): void => {
      clearInterval(tick);
      clearTimeout(deadline);
      socket.close();
      resolve(failed);
    };
    socket.on('message', (msg) => {
      if (msg.length < 12) return;
      const entry = pending.get(msg.readUInt16BE(0));
      if (entry === undefined) return;
      pending.delete(msg.readUInt16BE(0));
      const answer = parseAnswer(msg);
      if (answer === undefined || !check(entry.name, answer)) failed.push(entry.name);
      if (--remaining === 0) done();
    });
    socket.on('error', () => undefined);
    const send = (): void => {
      const now = performance.now();
      for (const [id, entry] of pending) {
        if (now - entry.sentAt > resendMs) {
          entry.sentAt = now;
          socket.send(buildQuery({ qname: entry.name, qtype: 'A', id }), port, '127.0.0.1');
        }
      }
      for (let n = 0; n < perTick && next < queue.length; n++) {
        const { name, id } = queue[next++]!;
        pending.set(id, { name, sentAt: now });
        socket.send(buildQuery({ qname: name, qtype: 'A', id }), port, '127.0.0.1');
      }
    };
    const deadline = setTimeout(() => {
      for (const entry of pending.values()) failed.push(entry.name);
      for (const { name } of queue.slice(next)) failed.push(name);
      done();
    }, timeoutMs);
    socket.bind(0, '127.0.0.1', () => (tick = setInterval(send, 1)));
  });
}

/** p in [0, 1] of a sample (nearest rank); undefined when empty. */
export function percentile(xs: readonly number[], p: number): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}
