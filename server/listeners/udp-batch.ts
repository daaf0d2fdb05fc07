import { createRequire } from 'node:module';
import type { MessageHandler, TransportId } from '../transports.js';

/** The native addon built from native/udp-batch.c (see there for the shared-memory layout). */
interface UdpBatchAddon {
  readonly BATCH: number;
  open(host: string, port: number, input: Buffer, output: Buffer, meta: Int32Array, onBatch: (count: number) => void): object;
  port(handle: object): number;
  peer(handle: object, slot: number): string;
  counters(handle: object): [answersDropped: number, receiveErrors: number];
  close(handle: object): void;
}

/** Where the build put the addon; it is optional: without it UDP is served by node:dgram. */
const ADDON_FILE = './native/udp-batch.node';

let loaded: { addon: UdpBatchAddon } | { reason: string } | undefined;

/** The addon, or why it cannot be used (not built: no C compiler when npm install ran, say). */
export function udpBatchAddon(): { addon: UdpBatchAddon } | { reason: string } {
  if (loaded === undefined) {
    try {
      loaded = { addon: createRequire(import.meta.url)(ADDON_FILE) as UdpBatchAddon };
    } catch (err) {
      loaded = { reason: (err as Error).message.split('\n')[0] ?? String(err) };
    }
  }
  return loaded;
}

/** Answers dropped (full send buffer or a send error) and failed receives (other than "nothing to read"). */
export interface UdpCounters {
  answersDropped: number;
  receiveErrors: number;
}

/** A DNS message over UDP is at most 65,535 octets; one slot holds any of them. */
const SLOT = 65536;
/** Queries are short: views are kept for lengths below this (a dense array per slot). */
const VIEW_CACHE_LENGTH = 512;

/**
 * A UDP socket served in batches: the addon receives up to BATCH datagrams per system call and
 * calls `answerBatch` once for all of them; each answer is copied into its slot of the output
 * area and the addon sends them together.
 */
export class BatchedUdpSocket {
  private readonly handle: object;
  private readonly input: Buffer;
  private readonly output: Buffer;
  private readonly meta: Int32Array;
  private readonly batch: number;
  /** Views of the input area by slot and length (lengths below VIEW_CACHE_LENGTH). */
  private readonly views: Buffer[][] = [];
  /** Set by close(): the addon frees its state, so nothing may reach it through the handle after. */
  private final: { port: number; counters: UdpCounters } | undefined;
  /** The slot being answered: the peer address function reads it. */
  private slot = 0;
  private readonly peer = (): string => this.addon.peer(this.handle, this.slot);

  constructor(
    private readonly addon: UdpBatchAddon, host: string, port: number,
    private readonly pipeline: MessageHandler, private readonly transport: TransportId,
  ) {
    this.batch = addon.BATCH;
    // allocated untouched: the kernel backs only the pages datagrams are written to
    this.input = Buffer.allocUnsafeSlow(SLOT * this.batch);
    this.output = Buffer.allocUnsafeSlow(SLOT * this.batch);
    this.meta = new Int32Array(2 * this.batch);
    this.handle = addon.open(host, port, this.input, this.output, this.meta, (count) => this.answerBatch(count));
  }

  get port(): number {
    return this.final?.port ?? this.addon.port(this.handle);
  }

  counters(): UdpCounters {
    if (this.final) return this.final.counters;
    const [answersDropped, receiveErrors] = this.addon.counters(this.handle);
    return { answersDropped, receiveErrors };
  }

  close(): void {
    if (this.final) return;
    this.final = { port: this.port, counters: this.counters() };
    this.addon.close(this.handle);
  }

  private answerBatch(count: number): void {
    const { input, output, meta, batch, pipeline, transport } = this;
    for (let i = 0; i < count; i++) {
      const length = meta[i]!;
      // a datagram longer than a slot (-1) cannot be a DNS message: silence, as for other garbage
      if (length < 0) continue;
      const start = i * SLOT;
      this.slot = i;
      // a view per slot and length, made once: a query's Buffer then costs no allocation
      let msg: Buffer;
      if (length < VIEW_CACHE_LENGTH) {
        const views = (this.views[i] ??= []);
        msg = views[length] ??= input.subarray(start, start + length);
      } else msg = input.subarray(start, start + length);
      const response = pipeline.handle(msg, transport, this.peer);
      // (a sequence of messages is a TCP-only answer; the pipeline never gives one to UDP)
      if (response instanceof Uint8Array && response.length <= SLOT) {
        output.set(response, start);
        meta[batch + i] = response.length;
      }
    }
  }
}
