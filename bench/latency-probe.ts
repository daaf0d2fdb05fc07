// A steady UDP query load with per-query timing: one socket, queries at a fixed rate, each with its
// own ID, the round trip measured from send to answer. Answers that never come count as lost (a
// query still unanswered 2 s after it was sent).

import dgram from 'node:dgram';

export interface LatencyStats {
  sent: number;
  answered: number;
  lost: number;
  p50: number;
  p99: number;
  max: number;
}

const LOST_AFTER_MS = 2000;

export class UdpProbe {
  private readonly socket = dgram.createSocket('udp4');
  private readonly sentAt = new Float64Array(65536);
  private readonly rtts: number[] = [];
  private nextId = 0;
  private sent = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly question: Buffer;

  constructor(private readonly port: number, qname: string, private readonly qps: number) {
    const labels = qname.replace(/\.$/, '').split('.');
    this.question = Buffer.concat([
      ...labels.map((l) => Buffer.concat([Buffer.of(l.length), Buffer.from(l, 'latin1')])),
      Buffer.of(0, 0, 1, 0, 1), // root, A, IN
    ]);
    this.socket.on('message', (msg) => {
      const id = msg.readUInt16BE(0);
      const at = this.sentAt[id]!;
      if (at === 0) return;
      this.sentAt[id] = 0;
      this.rtts.push(performance.now() - at);
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    // a 1 ms tick sends what the rate asks for since the last one, so a stalled server still gets
    // its queries on time and its stall shows as latency, not as fewer queries
    let due = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      while (due <= now) {
        this.send();
        due += 1000 / this.qps;
      }
    }, 1);
  }

  private send(): void {
    const id = this.nextId;
    this.nextId = (this.nextId + 1) & 0xffff;
    const msg = Buffer.allocUnsafe(12 + this.question.length);
    msg.writeUInt16BE(id, 0);
    msg.writeUInt16BE(0, 2);
    msg.writeUInt16BE(1, 4);
    msg.fill(0, 6, 12);
    this.question.copy(msg, 12);
    this.sentAt[id] = performance.now();
    this.sent++;
    this.socket.send(msg, this.port, '127.0.0.1');
  }

  reset(): void {
    this.rtts.length = 0;
    this.sent = 0;
    this.sentAt.fill(0);
  }

  stats(): LatencyStats {
    const now = performance.now();
    let lost = 0;
    for (const at of this.sentAt) if (at !== 0 && now - at > LOST_AFTER_MS) lost++;
    const sorted = Float64Array.from(this.rtts).sort();
    const pick = (q: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
    return { sent: this.sent, answered: sorted.length, lost, p50: pick(0.5), p99: pick(0.99), max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]! };
  }

  stop(): void {
    clearInterval(this.timer);
    this.socket.close();
  }
}
