// `npm run bench:k8s`: a steady query load that shows whether meshdns stops answering while it works
// (the standards: long work never blocks answers). It runs in a worker thread of its own, so the
// bench's other polling cannot delay it: one query every `intervalMs` for a name of an unrelated zone
// file, each timed from send to answer. A server that stalls for S ms answers the query sent at the
// start of the stall after ~S ms, so the worst round trip is the longest stall; the send times say
// when it happened. Queries sent before the server's first answer are not counted (it was starting).

import dgram from 'node:dgram';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { buildQuery } from '../test/helpers/dns-client.js';

export interface StallSamples {
  /** performance.timeOrigin-based ms (Date-comparable) when each answered query was sent. */
  sentAt: number[];
  /** Round trip of each answered query, ms. */
  rtt: number[];
  /** Queries sent after the first answer that were never answered. */
  lost: number;
  sent: number;
}

interface Setup {
  port: number;
  qname: string;
  intervalMs: number;
}

/** Starts the load in a worker; `stop()` ends it and returns every sample. */
export function startStallProbe(port: number, qname: string, intervalMs = 1): { stop(): Promise<StallSamples> } {
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { port, qname, intervalMs } satisfies Setup });
  const result = new Promise<StallSamples>((resolve, reject) => {
    worker.once('message', (m: StallSamples) => resolve(m));
    worker.once('error', reject);
  });
  return {
    async stop() {
      worker.postMessage('stop');
      const samples = await result;
      await worker.terminate();
      return samples;
    },
  };
}

function run({ port, qname, intervalMs }: Setup): void {
  const socket = dgram.createSocket('udp4');
  const sentAt = new Float64Array(65_536);
  const samples: StallSamples = { sentAt: [], rtt: [], lost: 0, sent: 0 };
  let firstAnswer = false;
  let id = 0;
  const template = buildQuery({ qname, qtype: 'A', id: 0 });
  socket.on('message', (msg) => {
    const now = performance.now();
    if (msg.length < 12) return;
    const qid = msg.readUInt16BE(0);
    const at = sentAt[qid]!;
    if (at === 0) return;
    sentAt[qid] = 0;
    if (!firstAnswer) {
      firstAnswer = true;
      sentAt.fill(0); // whatever was sent while the server started is not counted
      samples.sent = 0;
      return;
    }
    samples.sentAt.push(performance.timeOrigin + at);
    samples.rtt.push(now - at);
  });
  socket.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  socket.bind(0, '127.0.0.1', () => {
    // sends what is due since the last tick, so a delayed tick still offers the load on time
    let due = performance.now();
    timer = setInterval(() => {
      const now = performance.now();
      while (due <= now) {
        due += intervalMs;
        id = (id + 1) & 0xffff;
        const query = Buffer.from(template); // send() reads the buffer later: one per query
        query.writeUInt16BE(id, 0);
        sentAt[id] = performance.now();
        if (firstAnswer) samples.sent++;
        socket.send(query, port, '127.0.0.1');
      }
    }, intervalMs);
  });
  parentPort!.on('message', () => {
    clearInterval(timer);
    // a last moment for answers in flight, then what never came is lost
    setTimeout(() => {
      samples.lost = firstAnswer ? sentAt.reduce((n, t) => n + (t !== 0 ? 1 : 0), 0) : 0;
      socket.close();
      parentPort!.postMessage(samples);
    }, 500);
  });
}

if (!isMainThread && (workerData as Setup | undefined)?.qname !== undefined) run(workerData as Setup);
