import net from 'node:net';
import type { Logger } from 'pino';
import type { ListenAddress } from '../listen-address.js';
import { transportOf, type MessageHandler } from '../transports.js';
import { bindError } from './bind-error.js';
import { StreamService, type StreamOptions } from './stream.js';

export type TcpOptions = StreamOptions;

/** A bound TCP listener and the stream service counting its connections. */
export interface TcpListener {
  server: net.Server;
  service: StreamService;
}

/** DNS over TCP (RFC 7766): a TCP server whose connections the stream handling serves. */
export async function listenTcp(address: ListenAddress, handler: MessageHandler, options: TcpOptions, log: Logger): Promise<TcpListener> {
  const service = new StreamService(handler, transportOf('tcp', address.family), options, log);
  const server = net.createServer({ noDelay: true, allowHalfOpen: false }, (socket) => service.accept(socket, socket.remoteAddress ?? ''));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(bindError('tcp', address, err)));
    server.listen({ port: address.port, host: address.host, ipv6Only: address.family === 6, backlog: 1024 }, () => resolve());
  });
  server.on('error', (err) => log.warn({ err }, 'tcp listener error'));
  return { server, service };
}
