// DNS over UDP for `npm run bench:dnssec`: queries with DO=1 (is the zone signed yet? is a change
// visible with its signatures?) and an RFC 2136 UPDATE. Not on a measured hot path: dns-packet is fine.

import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { sleep } from './proc.js';

export interface Answer {
  rcode: number;
  answers: { name: string; type: string; data: unknown }[];
  authorities: { name: string; type: string }[];
}

const DNSSEC_OK = 1 << 15;

/** One exchange over UDP: `packet` to 127.0.0.1:port, the decoded answer (undefined after `timeoutMs`). */
function exchange(port: number, packet: Buffer, timeoutMs: number): Promise<Answer | undefined> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const finish = (a: Answer | undefined): void => {
      clearTimeout(timer);
      sock.close();
      resolve(a);
    };
    sock.on('error', () => finish(undefined));
    sock.on('message', (msg) => {
      try {
        const p = dnsPacket.decode(msg);
        finish({
          rcode: msg[3]! & 0x0f,
          answers: (p.answers ?? []).map((r) => ({ name: r.name, type: r.type, data: 'data' in r ? r.data : undefined })),
          authorities: (p.authorities ?? []).map((r) => ({ name: r.name, type: r.type })),
        });
      } catch {
        finish(undefined);
      }
    });
    sock.send(packet, port, '127.0.0.1');
  });
}

let nextId = 1;

/** `name type` with EDNS (4096) and DO=1. */
export function queryDo(port: number, name: string, type: string, timeoutMs = 2000): Promise<Answer | undefined> {
  nextId = (nextId + 1) & 0xffff;
  const packet = dnsPacket.encode({
    type: 'query', id: nextId, flags: 0, questions: [{ type: type as 'A', name, class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, flags: DNSSEC_OK } as dnsPacket.Answer],
  });
  return queryPacket(port, packet, timeoutMs);
}

const queryPacket = exchange;

/** Polls `name type` (DO=1) every `intervalMs` until `check` passes; performance.now() of that answer. */
export async function waitForDo(port: number, name: string, type: string, check: (a: Answer) => boolean, timeoutMs: number, abort: () => string | undefined, intervalMs = 20): Promise<number> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const why = abort();
    if (why !== undefined) throw new Error(`gave up waiting for "${name} ${type}": ${why}`);
    const a = await queryDo(port, name, type, 1000);
    if (a && check(a)) return performance.now();
    if (performance.now() > end) throw new Error(`no signed answer to "${name} ${type}" within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/** A signed answer: the type asked for and an RRSIG over it. */
export const signedAnswer = (type: string) => (a: Answer): boolean =>
  a.rcode === 0 && a.answers.some((r) => r.type === type) && a.answers.some((r) => r.type === 'RRSIG');

/** An RFC 2136 UPDATE adding A records; its rcode (undefined: no answer). */
export async function sendUpdate(port: number, zone: string, adds: { name: string; address: string }[], timeoutMs = 10_000): Promise<number | undefined> {
  nextId = (nextId + 1) & 0xffff;
  const packet = dnsPacket.encode({
    type: 'query', id: nextId, flags: 5 << 11, // opcode UPDATE (RFC 2136 §2.2)
    questions: [{ type: 'SOA', name: zone, class: 'IN' }],
    authorities: adds.map((a) => ({ type: 'A', name: a.name, ttl: 300, class: 'IN', data: a.address })),
  });
  return (await exchange(port, packet, timeoutMs))?.rcode;
}
