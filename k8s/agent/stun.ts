import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { decodeResponse, encodeBindingRequest, newTransactionId, type MappedAddress } from './stun-message.js';

/** A STUN Binding client (RFC 8489) over UDP: the node's address as a server on the Internet sees it. */

export interface StunServerAddress {
  readonly host: string;
  readonly port: number;
}

export interface RetransmitOptions {
  /** RFC 8489 §6.2.1: initial RTO, "SHOULD be greater than or equal to 500 ms". */
  readonly rtoMs?: number;
  /** Rc: requests sent in all before giving up (RFC default 7). */
  readonly maxTransmissions?: number;
  /** Rm: after the last request, wait Rm × RTO for an answer (RFC default 16). */
  readonly lastWaitFactor?: number;
  /** The cap: one server never takes longer than this, whatever the schedule says (the RFC's is 39.5 s). */
  readonly deadlineMs?: number;
}

export type BindOutcome = { readonly ok: true; readonly mapped: MappedAddress } | { readonly ok: false; readonly reason: string };

export type StunOutcome =
  | { readonly ok: true; readonly mapped: MappedAddress; readonly server: string }
  | { readonly ok: false; readonly failures: readonly { readonly server: string; readonly reason: string }[] };

const DEFAULT_PORT = 3478; // RFC 8489 §9

/** "host", "host:port", "[2001:db8::1]:port", "2001:db8::1", or a `stun:` URI (RFC 7064). */
export function parseStunServer(text: string): StunServerAddress {
  const rest = text.startsWith('stun:') ? text.slice('stun:'.length) : text;
  if (isIP(rest) === 6) return { host: rest, port: DEFAULT_PORT };
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  const plain = /^([^:[\]]+)(?::(\d+))?$/.exec(rest);
  const match = bracketed ?? plain;
  const port = match?.[2] === undefined ? DEFAULT_PORT : Number(match[2]);
  if (!match?.[1] || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`not a STUN server address: "${text}" (expected host, host:port or [IPv6]:port)`);
  }
  return { host: match[1], port };
}

export function describeServer(server: StunServerAddress): string {
  return isIP(server.host) === 6 ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

export class StunClient {
  private readonly rtoMs: number;
  private readonly maxTransmissions: number;
  private readonly lastWaitFactor: number;
  private readonly deadlineMs: number;

  constructor(
    private readonly servers: readonly StunServerAddress[],
    options: RetransmitOptions = {},
  ) {
    this.rtoMs = options.rtoMs ?? 500;
    this.maxTransmissions = options.maxTransmissions ?? 7;
    this.lastWaitFactor = options.lastWaitFactor ?? 16;
    this.deadlineMs = options.deadlineMs ?? 10_000;
    for (const [name, value] of Object.entries({ rtoMs: this.rtoMs, maxTransmissions: this.maxTransmissions, deadlineMs: this.deadlineMs })) {
      if (!Number.isFinite(value) || value <= 0) throw new RangeError(`STUN ${name} must be a positive number, not ${value}`);
    }
  }

  /** Asks the configured servers in order; the first mapped address wins, else every failure is returned. */
  async discover(): Promise<StunOutcome> {
    const failures: { server: string; reason: string }[] = [];
    for (const server of this.servers) {
      const outcome = await this.bind(server);
      if (outcome.ok) return { ok: true, mapped: outcome.mapped, server: describeServer(server) };
      failures.push({ server: describeServer(server), reason: outcome.reason });
    }
    if (this.servers.length === 0) failures.push({ server: '-', reason: 'no STUN servers configured' });
    return { ok: false, failures };
  }

  /** One Binding transaction with one server (RFC 8489 §6.2.1 retransmissions over UDP). */
  async bind(server: StunServerAddress): Promise<BindOutcome> {
    let target: { address: string; family: number };
    try {
      target = await lookup(server.host);
    } catch (error) {
      return { ok: false, reason: `cannot resolve "${server.host}": ${(error as Error).message}` };
    }
    const socket = createSocket(target.family === 6 ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.connect(server.port, target.address, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      return await this.transaction(socket);
    } catch (error) {
      return { ok: false, reason: `socket: ${(error as Error).message}` };
    } finally {
      socket.close();
    }
  }

  private transaction(socket: Socket): Promise<BindOutcome> {
    const transactionId = newTransactionId();
    const request = encodeBindingRequest(transactionId);
    return new Promise<BindOutcome>((resolve) => {
      let sent = 0;
      let rto = this.rtoMs;
      let lastProblem = '';
      let retransmit: NodeJS.Timeout | undefined;
      const finish = (outcome: BindOutcome): void => {
        clearTimeout(retransmit);
        clearTimeout(deadline);
        socket.off('message', onMessage);
        socket.off('error', onError);
        resolve(outcome);
      };
      const noAnswer = (why: string): BindOutcome => ({
        ok: false,
        reason: lastProblem === '' ? why : `${why}; last datagram discarded: ${lastProblem}`,
      });
      const send = (): void => {
        sent++;
        socket.send(request);
        if (sent < this.maxTransmissions) {
          retransmit = setTimeout(send, rto);
          rto *= 2; // RFC 8489 §6.2.1: the RTO doubles after each retransmission
        } else {
          retransmit = setTimeout(() => finish(noAnswer(`no response to ${sent} requests`)), this.lastWaitFactor * this.rtoMs);
        }
      };
      const onMessage = (datagram: Buffer): void => {
        const response = decodeResponse(datagram);
        // RFC 8489 §6.3: a response is matched to its request by the transaction id; others are discarded
        if (response.transactionId === undefined || !response.transactionId.equals(transactionId)) {
          lastProblem = response.kind === 'invalid' ? response.problem : 'a response for another transaction';
          return;
        }
        if (response.kind === 'success') finish({ ok: true, mapped: response.mapped });
        else if (response.kind === 'error') finish({ ok: false, reason: `error response ${response.code} "${response.reason}"` });
        else lastProblem = response.problem;
      };
      const onError = (error: Error): void => finish({ ok: false, reason: `socket: ${error.message}` });
      const deadline = setTimeout(() => finish(noAnswer(`no response within ${this.deadlineMs} ms`)), this.deadlineMs);
      socket.on('message', onMessage);
      socket.on('error', onError);
      send();
    });
  }
}
