// TCP clients for `npm run bench:xfr`: one zone transfer timed from the request to its closing SOA,
// one request/response exchange, and UPDATEs pipelined on one connection. They run inside the bench
// process, which xfr-run pins to the client CPU. Framing is RFC 7766 (2-byte length prefix).

import net from 'node:net';
import { cpuDelta, cpuSnapshot } from './proc.js';
import { rcodeOf, TransferTracker } from './xfr-wire.js';

/** Splits a TCP byte stream into DNS messages (views into the received chunks, not copies when possible). */
class FrameReader {
  private pending: Buffer | undefined;
  /** Every complete message in `chunk` (plus what was left over from before). */
  push(chunk: Buffer): Buffer[] {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    let p = 0;
    while (buf.length - p >= 2) {
      const len = buf.readUInt16BE(p);
      if (buf.length - p - 2 < len) break;
      out.push(buf.subarray(p + 2, p + 2 + len));
      p += 2 + len;
    }
    this.pending = p < buf.length ? buf.subarray(p) : undefined;
    return out;
  }
}

function frame(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length, 0);
  return Buffer.concat([len, msg]);
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true });
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

export interface TransferResult {
  /** Request written → closing SOA received (the connection is already open). */
  readonly ms: number;
  readonly messages: number;
  readonly records: number;
  /** DNS message bytes received (without TCP length prefixes). */
  readonly bytes: number;
  readonly serial: number | undefined;
  /** IXFR: answered with a difference (false: the whole zone, or the SOA alone). */
  readonly incremental: boolean;
  readonly lastIsSoa: boolean;
  /** utime+stime of the server's process tree over the transfer (undefined without a pid). */
  readonly serverCpuMs: number | undefined;
  /** This (client) process's CPU over the transfer. */
  readonly clientCpuMs: number;
}

/** One AXFR or IXFR over a fresh TCP connection, timed from writing the request to the closing SOA. */
export async function transfer(port: number, query: Buffer, ixfr: boolean, serverPid: number | undefined, timeoutMs: number): Promise<TransferResult> {
  const socket = await connect(port);
  const id = query.readUInt16BE(0);
  const tracker = new TransferTracker(id, ixfr);
  const reader = new FrameReader();
  const before = serverPid !== undefined ? cpuSnapshot(serverPid) : undefined;
  const cpu0 = process.cpuUsage();
  return new Promise((resolve, reject) => {
    let t1 = 0;
    const timer = setTimeout(() => fail(new Error(`transfer not complete after ${timeoutMs} ms (${tracker.records} records in ${tracker.messages} messages)`)), timeoutMs);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    socket.on('error', fail);
    socket.on('close', () => {
      if (!tracker.done) fail(new Error(`connection closed after ${tracker.records} records in ${tracker.messages} messages, before the closing SOA`));
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const m of reader.push(chunk)) tracker.message(m);
      } catch (e) {
        fail(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      if (!tracker.done || t1 !== 0) return;
      t1 = performance.now();
      const cpu = process.cpuUsage(cpu0);
      const serverCpuMs = before !== undefined ? cpuDelta(before, cpuSnapshot(serverPid!)) / 1000 : undefined;
      clearTimeout(timer);
      socket.destroy();
      resolve({
        ms: t1 - t0,
        messages: tracker.messages,
        records: tracker.records,
        bytes: tracker.bytes,
        serial: tracker.firstSerial,
        incremental: tracker.incremental,
        lastIsSoa: tracker.lastType === 6,
        serverCpuMs,
        clientCpuMs: (cpu.user + cpu.system) / 1000,
      });
    });
    const t0 = performance.now();
    socket.write(frame(query));
  });
}

/** One request, one response, over a fresh TCP connection. */
export async function exchange(port: number, msg: Buffer, timeoutMs = 10_000): Promise<Buffer> {
  const socket = await connect(port);
  const reader = new FrameReader();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const done = (e: Error | undefined, r?: Buffer): void => {
      clearTimeout(timer);
      socket.destroy();
      if (e) reject(e);
      else resolve(r!);
    };
    socket.on('error', (e) => done(e));
    socket.on('close', () => done(new Error('connection closed before an answer')));
    socket.on('data', (chunk: Buffer) => {
      const [m] = reader.push(chunk);
      if (m !== undefined) done(undefined, Buffer.from(m));
    });
    socket.write(frame(msg));
  });
}

export interface PipelineResult {
  readonly ms: number;
  /** UPDATEs sent and answered (fewer than asked when the cap ended the run). */
  readonly sent: number;
  readonly capped: boolean;
  /** Responses by rcode number. */
  readonly rcodes: Readonly<Record<string, number>>;
  readonly clientCpuMs: number;
}

/**
 * Sends `messages` (ids must be distinct within any `depth` consecutive ones) over one TCP connection,
 * keeping up to `depth` unanswered; timed from the first write to the last answer. After `capMs`
 * nothing new is sent, and the run ends once the UPDATEs in flight are answered.
 */
export async function pipelined(port: number, messages: readonly Buffer[], depth: number, capMs: number, timeoutMs: number): Promise<PipelineResult> {
  const socket = await connect(port);
  const reader = new FrameReader();
  const rcodes: Record<string, number> = {};
  const outstanding = new Set<number>();
  let next = 0;
  let answered = 0;
  const cpu0 = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${answered} of ${messages.length} UPDATEs answered after ${timeoutMs} ms`)), timeoutMs);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    let capped = false;
    const fill = (): void => {
      if (!capped && performance.now() - t0 > capMs) capped = true;
      const batch: Buffer[] = [];
      while (outstanding.size < depth && next < messages.length && !capped) {
        const m = messages[next++]!;
        outstanding.add(m.readUInt16BE(0));
        batch.push(frame(m));
      }
      if (batch.length > 0) socket.write(batch.length === 1 ? batch[0]! : Buffer.concat(batch));
    };
    socket.on('error', fail);
    socket.on('close', () => {
      if (outstanding.size > 0) fail(new Error(`connection closed after ${answered} of ${messages.length} answers`));
    });
    socket.on('data', (chunk: Buffer) => {
      for (const m of reader.push(chunk)) {
        const id = m.readUInt16BE(0);
        if (!outstanding.delete(id)) {
          fail(new Error(`unexpected response id ${id}`));
          return;
        }
        const rc = String(rcodeOf(m));
        rcodes[rc] = (rcodes[rc] ?? 0) + 1;
        answered++;
      }
      fill();
      if (outstanding.size === 0) {
        const ms = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        clearTimeout(timer);
        socket.destroy();
        resolve({ ms, sent: answered, capped, rcodes, clientCpuMs: (cpu.user + cpu.system) / 1000 });
      }
    });
    const t0 = performance.now();
    fill();
  });
}
