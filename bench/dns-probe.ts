// Readiness probes over UDP: "time to the first correct answer" and a free-port finder.
// Not on the hot path: dns-packet is fine here.

import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import dnsPacket from 'dns-packet';

export interface ProbeAnswer {
  readonly rcode: number;
  readonly aa: boolean;
  readonly answers: ReadonlyArray<{ readonly type: string; readonly data: unknown }>;
}

export type ProbeCheck = (a: ProbeAnswer) => boolean;

/** An A query for `name` whose answer must hold exactly `address`, authoritatively. */
export function expectA(address: string): ProbeCheck {
  return (a) => a.rcode === 0 && a.aa && a.answers.some((r) => r.type === 'A' && r.data === address);
}

/** Any authoritative NOERROR answer carrying a SOA record. */
export const expectSoa: ProbeCheck = (a) => a.rcode === 0 && a.aa && a.answers.some((r) => r.type === 'SOA');

/**
 * Send `name type` to 127.0.0.1:port every `intervalMs` until an answer passes `check`; resolve with
 * performance.now() at the moment that answer arrived. Rejects after `timeoutMs`.
 */
export function waitForAnswer(
  port: number,
  name: string,
  type: 'A' | 'SOA',
  check: ProbeCheck,
  timeoutMs: number,
  /** Give up early when this returns a reason (e.g. the server process exited). */
  abort: () => string | undefined = () => undefined,
  intervalMs = 5,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    let id = 0;
    let last = 'no answer';
    const send = (): void => {
      const why = abort();
      if (why !== undefined) {
        finish(new Error(`gave up waiting for "${name} ${type}" on port ${port}: ${why}`));
        return;
      }
      id = (id + 1) & 0xffff;
      const q = dnsPacket.encode({ type: 'query', id, flags: 0, questions: [{ type, name, class: 'IN' }] });
      sock.send(q, port, '127.0.0.1');
    };
    let done = false;
    const finish = (err: Error | null, at = 0): void => {
      if (done) return;
      done = true;
      clearInterval(tick);
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(at);
    };
    sock.on('message', (msg) => {
      const at = performance.now();
      if (msg.length < 12) return;
      let p: ReturnType<typeof dnsPacket.decode>;
      try {
        p = dnsPacket.decode(msg);
      } catch {
        last = 'undecodable answer';
        return;
      }
      const a: ProbeAnswer = {
        rcode: msg[3]! & 0x0f,
        aa: p.flag_aa,
        answers: (p.answers ?? []).map((r) => ({ type: r.type, data: 'data' in r ? r.data : undefined })),
      };
      if (check(a)) finish(null, at);
      else last = `rcode ${a.rcode}, aa ${a.aa}, answers ${JSON.stringify(a.answers)}`;
    });
    sock.on('error', () => { /* ICMP port unreachable while the server starts: keep trying */ });
    const tick = setInterval(send, intervalMs);
    const timer = setTimeout(() => finish(new Error(`no correct answer to "${name} ${type}" on port ${port} within ${timeoutMs} ms (last: ${last})`)), timeoutMs);
    sock.bind(0, '127.0.0.1', send);
  });
}

/** A loopback port free for both TCP and UDP at the moment of asking. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const a = srv.address();
        srv.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (udpFree && port > 0) return port;
  }
  throw new Error('no free loopback port for TCP+UDP');
}
