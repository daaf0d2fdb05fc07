import dgram from 'node:dgram';
import type { Logger } from 'pino';
import type { ListenAddress } from '../listen-address.js';
import { transportOf, type MessageHandler, type TransportId } from '../transports.js';
import { bindError } from './bind-error.js';
import { BatchedUdpSocket, udpBatchAddon, type UdpCounters } from './udp-batch.js';

/** A bound UDP listener, whichever way it reads its datagrams. */
export interface UdpListener {
  /** 'batched': recvmmsg/sendmmsg through the native addon; 'dgram': node:dgram, one datagram per callback. */
  readonly kind: 'batched' | 'dgram';
  readonly port: number;
  /** Batched only (dgram logs its send and receive errors instead; zeros here). */
  counters(): UdpCounters;
  close(): void;
}

/**
 * A reply goes back to the address the kernel gave us, always an IP literal: dgram's default
 * resolves it with dns.lookup, which defers every send through process.nextTick (about 2 µs a
 * query here). Passing the literal through sends at once.
 */
export function literalAddress(address: string, family: number, callback: (err: Error | null, address: string, family: number) => void): void {
  callback(null, address, family);
}

let fallbackLogged = false;

/**
 * One UDP socket answering every datagram synchronously from the pipeline: batched through the
 * native addon when `batching` is on and the addon was built, else node:dgram.
 */
export async function listenUdp(address: ListenAddress, pipeline: MessageHandler, log: Logger, batching: boolean): Promise<UdpListener> {
  const transport = transportOf('udp', address.family);
  // a scoped IPv6 address (fe80::1%eth0) needs the interface lookup dgram does
  if (batching && !address.host.includes('%')) {
    const native = udpBatchAddon();
    if ('addon' in native) {
      try {
        const socket = new BatchedUdpSocket(native.addon, address.host, address.port, pipeline, transport);
        return {
          kind: 'batched', get port() { return socket.port; },
          counters: () => socket.counters(), close: () => socket.close(),
        };
      } catch (err) {
        throw bindError('udp', address, err);
      }
    }
    if (!fallbackLogged) {
      fallbackLogged = true;
      log.warn({ reason: native.reason }, 'batched UDP unavailable (the addon was not built); serving UDP through node:dgram');
    }
  }
  const socket = await listenDgram(address, pipeline, log, transport);
  return { kind: 'dgram', port: socket.address().port, counters: () => ({ answersDropped: 0, receiveErrors: 0 }), close: () => socket.close() };
}

async function listenDgram(address: ListenAddress, pipeline: MessageHandler, log: Logger, transport: TransportId): Promise<dgram.Socket> {
  const socket = dgram.createSocket({
    type: address.family === 6 ? 'udp6' : 'udp4', ipv6Only: address.family === 6, lookup: literalAddress as never,
  });
  socket.on('message', (msg, rinfo) => {
    const response = pipeline.handle(msg, transport, rinfo.address);
    // (a sequence of messages is a TCP-only answer; the pipeline never gives one to UDP)
    if (response instanceof Uint8Array) socket.send(response, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (err) => reject(bindError('udp', address, err)));
    socket.bind(address.port, address.host, () => resolve());
  });
  socket.on('error', (err) => log.warn({ err }, 'udp socket error'));
  // generous kernel buffers keep bursts from being dropped before we read them
  try {
    socket.setRecvBufferSize(4 * 1024 * 1024);
    socket.setSendBufferSize(4 * 1024 * 1024);
  } catch {
    /* capped by net.core.rmem_max; the default still works */
  }
  return socket;
}
