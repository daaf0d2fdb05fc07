import type net from 'node:net';
import type { Logger } from 'pino';
import type { ListenAddress, ListenTransport } from '../listen-address.js';
import type { MessageHandler } from '../transports.js';
import { listenTcp } from './tcp.js';
import { StreamCounters, type StreamOptions } from './stream.js';
import { listenUdp, type UdpListener } from './udp.js';
import type { UdpCounters } from './udp-batch.js';

export interface DnsListenerOptions {
  udp: { batching: boolean };
  tcp: StreamOptions;
}

/** One bound listener, whatever its transport. */
interface Bound {
  readonly port: number;
  /** Logged with the 'listening' line (UDP: how it reads datagrams). */
  readonly detail: Record<string, unknown>;
  readonly udp?: UdpListener;
  readonly stream?: StreamCounters;
  close(): Promise<void>;
}

type Starter = (address: ListenAddress, handler: MessageHandler, options: DnsListenerOptions, log: Logger) => Promise<Bound>;

/** How each transport of a listen entry is started (TLS and QUIC have no listener yet). */
const STARTERS: Record<ListenTransport, Starter> = {
  udp: async (address, handler, options, log) => {
    const u = await listenUdp(address, handler, log, options.udp.batching);
    return { port: u.port, detail: { io: u.kind }, udp: u, close: async () => u.close() };
  },
  tcp: async (address, handler, options, log) => {
    const { server, service } = await listenTcp(address, handler, options.tcp, log);
    return {
      port: (server.address() as net.AddressInfo).port, detail: {}, stream: service.counters,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
};

/** Port-0 pairs whose later transport found the kernel's port taken (a client's ephemeral port, say) are tried again. */
const PAIRING_ATTEMPTS = 20;

/** The DNS listeners of every listen entry. */
export class DnsListeners {
  private readonly bound: Bound[] = [];
  /** The listen entries as bound (port 0 replaced by the chosen port). */
  readonly addresses: ListenAddress[] = [];

  /**
   * Starts the transports of each entry. With several on port 0, the kernel picks the first's port
   * and the others take the same number (UDP and TCP on one port, as clients expect).
   */
  static async start(entries: readonly ListenAddress[], handler: MessageHandler, options: DnsListenerOptions, log: Logger): Promise<DnsListeners> {
    const listeners = new DnsListeners();
    try {
      for (const entry of entries) await listeners.startEntry(entry, handler, options, log);
    } catch (err) {
      await listeners.close();
      throw err;
    }
    return listeners;
  }

  private async startEntry(entry: ListenAddress, handler: MessageHandler, options: DnsListenerOptions, log: Logger): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const started: Bound[] = [];
      let address = entry;
      try {
        for (const transport of entry.transports) {
          const b = await STARTERS[transport](address, handler, options, log);
          started.push(b);
          address = { ...address, port: b.port };
        }
      } catch (err) {
        await Promise.all(started.map((b) => b.close()));
        if (entry.port !== 0 || started.length === 0 || attempt >= PAIRING_ATTEMPTS) throw err;
        continue;
      }
      this.bound.push(...started);
      this.addresses.push(address);
      entry.transports.forEach((proto, i) => log.info({ proto, address: address.host, port: address.port, ...started[i]!.detail }, 'listening'));
      return;
    }
  }

  /** The batched UDP sockets' own counts, summed. */
  udpCounters(): UdpCounters {
    const sum = { answersDropped: 0, receiveErrors: 0 };
    for (const b of this.bound) {
      if (!b.udp) continue;
      const c = b.udp.counters();
      sum.answersDropped += c.answersDropped;
      sum.receiveErrors += c.receiveErrors;
    }
    return sum;
  }

  /** The TCP listeners' refused and closed connections and paused reads, summed. */
  tcpCounters(): StreamCounters {
    return StreamCounters.sum(this.bound.flatMap((b) => (b.stream ? [b.stream] : [])));
  }

  async close(): Promise<void> {
    const all = this.bound.splice(0);
    await Promise.all(all.map((b) => b.close()));
  }
}
