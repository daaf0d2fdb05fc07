// Test fixture: a scriptable primary for secondary-zone tests. It answers SOA queries over UDP and
// AXFR/IXFR over TCP on one free loopback port, with whatever the test scripts: good transfers, or
// broken ones (cut short, stalled, wrong SOAs, foreign records, error rcodes, another ID...).
import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';
import { findFreePort } from './knotd.js';

export type Rr = dnsPacket.Answer;

/** A transfer request as the fake primary saw it. */
export interface XfrRequest {
  id: number;
  /** Zone origin, lowercase, without the trailing dot (as dns-packet decodes names). */
  origin: string;
  qtype: 'AXFR' | 'IXFR';
  /** IXFR: the serial of the client's SOA in the authority section (RFC 1995 §3). */
  clientSerial: number | undefined;
}

/** One message of a transfer answer: records (header filled in), or raw bytes sent as they are. */
export type XfrMessage = { answers: Rr[]; rcode?: number; id?: number } | Buffer;

export interface XfrReply {
  messages: XfrMessage[];
  /** After the messages: close the connection (default), or keep it open and silent. */
  then?: 'close' | 'hang';
}

export interface FakePrimaryScript {
  /** The serial the SOA query for `origin` is answered with (undefined: no answer at all). */
  serial(origin: string): number | undefined;
  /** The SOA record for `origin` at `serial`, as the SOA query answers it. */
  soa(origin: string, serial: number): Rr;
  transfer(req: XfrRequest): XfrReply;
}

export interface FakePrimary {
  port: number;
  script: FakePrimaryScript;
  /** Every transfer request received so far. */
  requests: XfrRequest[];
  stop(): Promise<void>;
}

export async function startFakePrimary(script: FakePrimaryScript): Promise<FakePrimary> {
  const requests: XfrRequest[] = [];
  const sockets = new Set<net.Socket>();
  const self = { port: 0, script, requests } as FakePrimary;

  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (pending.length < 2 || pending.length < 2 + pending.readUInt16BE(0)) return;
      const query = dnsPacket.decode(pending.subarray(2, 2 + pending.readUInt16BE(0)));
      pending = Buffer.alloc(0);
      const question = query.questions?.[0];
      if (!question || (question.type !== 'AXFR' && question.type !== 'IXFR')) return void socket.destroy();
      const soa = query.authorities?.find((a) => a.type === 'SOA');
      const req: XfrRequest = {
        id: query.id ?? 0,
        origin: question.name.toLowerCase(),
        qtype: question.type,
        clientSerial: soa && soa.type === 'SOA' ? soa.data.serial : undefined,
      };
      requests.push(req);
      const reply = self.script.transfer(req);
      for (const m of reply.messages) {
        const wire = Buffer.isBuffer(m) ? m : encode(m.id ?? req.id, question, m.answers, m.rcode ?? 0);
        const frame = Buffer.alloc(2);
        frame.writeUInt16BE(wire.length);
        socket.write(Buffer.concat([frame, wire]));
      }
      if ((reply.then ?? 'close') === 'close') socket.end();
    });
  });

  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question || question.type !== 'SOA') return;
    const serial = self.script.serial(question.name.toLowerCase());
    if (serial === undefined) return;
    const answer = encode(query.id ?? 0, question, [self.script.soa(question.name.toLowerCase(), serial)], 0);
    udp.send(answer, rinfo.port, rinfo.address);
  });

  for (let attempt = 0; ; attempt++) {
    const port = await findFreePort();
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, '127.0.0.1', () => resolve());
      });
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(port, '127.0.0.1', () => resolve());
      });
      self.port = port;
      break;
    } catch (err) {
      if (tcp.listening) await new Promise((r) => tcp.close(r));
      if (attempt >= 5) throw err;
    }
  }

  self.stop = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => tcp.close(r));
    await new Promise<void>((r) => udp.close(() => r()));
  };
  return self;
}

function encode(id: number, question: dnsPacket.Question, answers: Rr[], rcode: number): Buffer {
  return dnsPacket.encode({
    type: 'response', id, flags: dnsPacket.AUTHORITATIVE_ANSWER | (rcode & 0x0f), questions: [question], answers,
  });
}

/** Splits records into transfer messages of `perMessage` records each. */
export function messages(records: Rr[], perMessage = records.length): { answers: Rr[] }[] {
  const out: { answers: Rr[] }[] = [];
  for (let i = 0; i < records.length; i += Math.max(1, perMessage)) out.push({ answers: records.slice(i, i + Math.max(1, perMessage)) });
  return out;
}
