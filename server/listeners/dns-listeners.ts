import type net from 'node:net';
import type { Logger } from 'pino';
import type { ListenAddress, ListenTransport } from '../listen-address.js';
import type { CertificateSource } from '../tls/certificates.js';
import { transportOf, type MessageHandler, type TransportId, type TransportProto } from '../transports.js';
import { serverLabel } from './server-label.js';
import type { DoqListener } from './quic.js';
import { DoqCounters } from './quic-doq.js';
import { listenTcp } from './tcp.js';
import { HandshakeCounters, listenTls } from './tls.js';
import { withStreamEdns } from './stream-edns.js';
import { StreamCounters, type StreamOptions } from './stream.js';
import { listenUdp, type UdpListener } from './udp.js';
import type { UdpCounters } from './udp-batch.js';

export interface DnsListenerOptions {
  udp: { batching: boolean };
  /** The stream limits of TCP, and of TLS after its handshake. */
  tcp: StreamOptions;
  tls?: { handshakeTimeoutMs: number };
  /** The certificate of tls (and quic) listeners; needed when one is configured. */
  certificates?: CertificateSource | undefined;
  /** The metrics row of a listener by transport and `server` label (QueryStats.bind); absent: messages count by transport alone. */
  bindMetrics?: ((transport: TransportId, server: string) => number) | undefined;
}

/** One bound listener, whatever its transport. */
export interface Bound {
  readonly proto: TransportProto;
  readonly port: number;
  /** Logged with the 'listening' line (UDP: how it reads datagrams). */
  readonly detail: Record<string, unknown>;
  readonly udp?: UdpListener;
  readonly stream?: StreamCounters;
  /** Connections open now (stream transports). */
  readonly connections?: () => number;
  readonly handshakes?: HandshakeCounters;
  /** DoQ: its streams and protocol errors (listeners/quic.ts). */
  readonly quic?: DoqListener;
  close(): Promise<void>;
}

export type Starter = (address: ListenAddress, handler: MessageHandler, options: DnsListenerOptions, log: Logger) => Promise<Bound>;

/** How each transport of a listen entry is started. */
const STARTERS: Record<ListenTransport, Starter> = {
  udp: async (address, handler, options, log) => {
    const u = await listenUdp(address, handler, log, options.udp.batching);
    return { proto: 'udp', port: u.port, detail: { io: u.kind }, udp: u, close: async () => u.close() };
  },
  tcp: async (address, handler, options, log) => {
    // RFC 7828: keepalive is answered over TCP too (padding only where it hides something: TLS, QUIC)
    const tcpHandler = withStreamEdns(handler, { keepaliveMs: options.tcp.idleTimeoutMs, pad: false });
    const { server, service } = await listenTcp(address, tcpHandler, options.tcp, log);
    return {
      proto: 'tcp', port: (server.address() as net.AddressInfo).port, detail: {}, stream: service.counters, connections: () => service.connections,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
  tls: async (address, handler, options, log) => {
    if (!options.certificates) throw new Error('a tls listener needs a certificate source');
    const { server, service, handshakes } = await listenTls(address, handler, {
      stream: options.tcp, handshakeTimeoutMs: options.tls?.handshakeTimeoutMs ?? 5000,
    }, options.certificates, log);
    return {
      proto: 'tls', port: (server.address() as net.AddressInfo).port, detail: { pin: options.certificates.current.pin },
      stream: service.counters, connections: () => service.connections, handshakes,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
  quic: async (address, handler, options, log) => {
    const certificates = options.certificates;
    if (!certificates) throw new Error('a quic listener needs a certificate source');
    // RFC 9250 §5.4: answers to padded queries padded (RFC 8467); keepalive never sent (§5.5.2: a query with it is refused)
    const doqHandler = withStreamEdns(handler, { keepaliveMs: 0, pad: true });
    // the QUIC stack (quiche's binding, our engine) loads only when a quic listener is configured
    const { DOQ_DEFAULTS, doqOptionsFor, listenQuic } = await import('./quic.js');
    const listener = await listenQuic(address, doqHandler, doqOptionsFor(certificates.current, options.tcp, options.tls?.handshakeTimeoutMs), log);
    // a rotated certificate is used for new connections
    const unsubscribe = certificates.onChange((next) => listener.useIdentity(next.certPem, next.keyPem));
    return {
      proto: 'quic', port: listener.port, detail: { pin: certificates.current.pin, maxStreamsPerConnection: DOQ_DEFAULTS.maxStreamsPerConnection },
      connections: () => listener.connections(), handshakes: listener.handshakeCounters(), quic: listener,
      close: async () => {
        unsubscribe();
        await listener.close();
      },
    };
  },
};

/** Sets how one transport's listener starts (the QUIC transport registers 'quic'). */
export function registerListenerStarter(transport: ListenTransport, starter: Starter): void {
  STARTERS[transport] = starter;
}

export interface TransportConnectionStats {
  proto: TransportProto;
  open: number;
  handshakes: number;
  resumed: number;
  handshakesPending: number;
  handshakeFailures: HandshakeCounters['failures'];
}

/** Port-0 pairs whose later transport found the kernel's port taken (a client's ephemeral port, say) are tried again. */
const PAIRING_ATTEMPTS = 20;

/**
 * The handler one listener calls: the shared one, told the listener's metrics row. The row is known
 * once the port is (port 0); a message before that counts under its transport alone.
 */
function labelledHandler(handler: MessageHandler, proto: ListenTransport, family: 4 | 6, bind: DnsListenerOptions['bindMetrics']) {
  if (!bind) return { handler, bound: (_address: ListenAddress): void => undefined };
  const transport = transportOf(proto, family);
  let binding: number = transport;
  return {
    handler: { handle: (msg, t, peer) => handler.handle(msg, t, peer, binding) } satisfies MessageHandler,
    bound: (address: ListenAddress): void => {
      binding = bind(transport, serverLabel(proto, address));
    },
  };
}

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
          const labelled = labelledHandler(handler, transport, address.family, options.bindMetrics);
          const b = await STARTERS[transport](address, labelled.handler, options, log);
          labelled.bound({ ...address, port: b.port });
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
    return this.streamCounters('tcp');
  }

  /** One stream transport's refused and closed connections and paused reads, summed over its listeners. */
  streamCounters(proto: TransportProto): StreamCounters {
    return StreamCounters.sum(this.bound.flatMap((b) => (b.stream && b.proto === proto ? [b.stream] : [])));
  }

  /** Per transport with a connection-oriented listener: open connections, handshakes done and failed (the metrics). */
  connectionStats(): TransportConnectionStats[] {
    const out = new Map<TransportProto, TransportConnectionStats>();
    for (const b of this.bound) {
      if (!b.connections) continue;
      const s = out.get(b.proto) ?? { proto: b.proto, open: 0, handshakes: 0, resumed: 0, handshakesPending: 0, handshakeFailures: { timeout: 0, refused: 0, error: 0 } };
      s.open += b.connections();
      if (b.handshakes) {
        s.handshakes += b.handshakes.handshakes;
        s.resumed += b.handshakes.resumed;
        s.handshakesPending += b.handshakes.pending;
        for (const k of Object.keys(s.handshakeFailures) as (keyof HandshakeCounters['failures'])[]) s.handshakeFailures[k] += b.handshakes.failures[k];
      }
      out.set(b.proto, s);
    }
    return [...out.values()];
  }

  /** The DoQ listeners' stream counts, summed. */
  doqCounters(): DoqCounters {
    return DoqCounters.sum(this.bound.flatMap((b) => (b.quic ? [b.quic.counters] : [])));
  }

  async close(): Promise<void> {
    const all = this.bound.splice(0);
    await Promise.all(all.map((b) => b.close()));
  }
}
