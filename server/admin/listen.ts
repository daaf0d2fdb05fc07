import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { ListenAddress } from '../config.js';
import { bindError } from '../listeners/bind-error.js';

/** Binds a fastify app; a failure is the same one-line error as a DNS port's. */
export async function listenHttp(app: FastifyInstance, address: ListenAddress, what: string): Promise<ListenAddress> {
  try {
    await app.listen({ host: address.host, port: address.port, ipv6Only: address.family === 6 });
  } catch (err) {
    throw bindError(what, address, err);
  }
  return { ...address, port: (app.server.address() as AddressInfo).port };
}
