import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RunningServer } from '../../server/start.js';
import { records, requireTool } from './tools.js';

export interface PdnsReply {
  status: number;
  type: string;
  text: string;
  json: any;
}

/**
 * HTTP as the Go and Python PowerDNS clients send it (X-API-Key, Accept, a JSON body when there is
 * one), to the admin listener on loopback: what the stand-ins for ExternalDNS, octoDNS and Terraform use.
 */
export function pdnsHttp(port: () => number, token: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = { 'X-API-Key': token }): Promise<PdnsReply> => {
    const res = await fetch(`http://127.0.0.1:${port()}${path}`, {
      method, headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, type, text, json: type.startsWith('application/json') && text !== '' ? JSON.parse(text) : undefined };
  };
}

/** dig in a child process without blocking this one (an in-process server answers from it). */
export function asyncDig(port: () => number) {
  const dig = async (name: string, type: string, ...flags: string[]): Promise<string> => {
    requireTool('dig', 'bind9-dnsutils');
    const { stdout } = await promisify(execFile)('dig', ['@127.0.0.1', '-p', String(port()), name, type, ...flags], { timeout: 15_000 });
    return stdout;
  };
  return {
    /** `ttl TYPE rdata` of each answer record. */
    answers: async (name: string, type: string) => records(await dig(name, type, '+noall', '+answer')).map((r) => `${r[1]} ${r[3]} ${r[4]}`),
    status: async (name: string, type: string) => /status: (\w+)/.exec(await dig(name, type))![1],
  };
}

/** The PowerDNS API and dig, both aimed at one running server (its admin listener, its first DNS address). */
export function pdnsClients(server: () => RunningServer, token: string) {
  return { http: pdnsHttp(() => server().admin!.address.port, token), ...asyncDig(() => server().addresses[0]!.port) };
}
