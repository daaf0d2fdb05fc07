import dgram from 'node:dgram';
import type { Logger } from 'pino';
import type { QueryPipeline } from '../query/pipeline.js';
import type { ListenAddress } from '../config.js';
import { bindError } from './bind-error.js';
import { Transport } from '../query/stats.js';

/**
 * A reply goes back to the address the kernel gave us, always an IP literal: dgram's default
 * resolves it with dns.lookup, which defers every send through process.nextTick (about 2 µs a
 * query here). Passing the literal through sends at once.
 */
export function literalAddress(address: string, family: number, callback: (err: Error | null, address: string, family: number) => void): void {
  callback(null, address, family);
}

/** One UDP socket answering every datagram synchronously from the pipeline. */
export async function listenUdp(address: ListenAddress, pipeline: QueryPipeline, log: Logger): Promise<dgram.Socket> {
  const socket = dgram.createSocket({
    type: address.family === 6 ? 'udp6' : 'udp4', ipv6Only: address.family === 6, lookup: literalAddress as never,
  });
  const transport = address.family === 6 ? Transport.UDP6 : Transport.UDP4;
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
