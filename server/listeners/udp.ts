import dgram from 'node:dgram';
import type { Logger } from 'pino';
import type { QueryPipeline } from '../query/pipeline.js';
import type { ListenAddress } from '../config.js';
import { bindError } from './bind-error.js';
import { Transport } from '../query/stats.js';

/** One UDP socket answering every datagram synchronously from the pipeline. */
export async function listenUdp(address: ListenAddress, pipeline: QueryPipeline, log: Logger): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: address.family === 6 ? 'udp6' : 'udp4', ipv6Only: address.family === 6 });
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
