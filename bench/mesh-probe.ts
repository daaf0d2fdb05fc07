// `npm run bench:mesh`: how the bench sees a change arrive at a site — a UDP query for the name every
// ~2 ms until the site answers it authoritatively with at least one record of the type (before that
// it answers REFUSED for a zone it does not have yet, NXDOMAIN for a name not there yet, or nothing).

import dgram from 'node:dgram';
import { buildQuery } from '../test/helpers/dns-client.js';

export interface Probe {
  /** Milliseconds from `t0` (performance.now()) to the first positive answer; rejects after timeoutMs. */
  readonly arrived: Promise<number>;
  cancel(): void;
}

function positive(msg: Buffer, id: number): boolean {
  if (msg.length < 12 || msg.readUInt16BE(0) !== id) return false;
  const rcode = msg[3]! & 0x0f;
  const aa = (msg[2]! & 0x04) !== 0;
  return rcode === 0 && aa && msg.readUInt16BE(6) > 0;
}

/** Starts polling `port` on 127.0.0.1 for qname/qtype every intervalMs. */
export function probe(port: number, qname: string, qtype: 'SOA' | 'A', t0: number, intervalMs = 2, timeoutMs = 60_000): Probe {
  const socket = dgram.createSocket('udp4');
  let id = Math.floor(Math.random() * 0xffff);
  let timer: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let settled = false;
  let resolveArrived!: (ms: number) => void;
  let rejectArrived!: (e: Error) => void;
  const arrived = new Promise<number>((res, rej) => { resolveArrived = res; rejectArrived = rej; });
  const finish = (): void => {
    settled = true;
    clearTimeout(timer);
    clearTimeout(deadline);
    socket.close();
  };
  // Answers to any of the queries sent count: a slow answer to an earlier query is still the change arriving.
  const sent = new Set<number>();
  socket.on('message', (msg) => {
    if (settled || msg.length < 2 || !sent.has(msg.readUInt16BE(0))) return;
    if (positive(msg, msg.readUInt16BE(0))) {
      const ms = performance.now() - t0;
      finish();
      resolveArrived(ms);
    }
  });
  socket.on('error', (e) => {
    if (settled) return;
    finish();
    rejectArrived(e);
  });
  const send = (): void => {
    if (settled) return;
    id = (id + 1) & 0xffff;
    sent.add(id);
    socket.send(buildQuery({ qname, qtype, id }), port, '127.0.0.1');
    timer = setTimeout(send, intervalMs);
  };
  deadline = setTimeout(() => {
    if (settled) return;
    finish();
    rejectArrived(new Error(`${qname} ${qtype} was not answered at 127.0.0.1:${port} within ${timeoutMs} ms`));
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

export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
