/**
 * Asking meshdns with the real dig, over UDP on 127.0.0.1, and waiting for an answer: the watcher
 * tests change an object in the API server, then poll every ~20 ms until the answer matches or a
 * generous deadline passes. The deadline only bounds a broken run; nothing asserts how fast it was.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { requireTool } from './tools.js';

const run = promisify(execFile);

export interface DigRecord {
  name: string;
  ttl: number;
  type: string;
  rdata: string;
}

export interface DigAnswer {
  /** NOERROR, NXDOMAIN, REFUSED, ... */
  status: string;
  /** Whether the AA flag was set. */
  authoritative: boolean;
  records: DigRecord[];
  /** The rdata of the answer records of `type` (default: the type asked), sorted. */
  values(type?: string): string[];
  /** dig's own text, for assertion messages. */
  text: string;
}

let digChecked = false;

/** One dig query over UDP to meshdns on 127.0.0.1:`port`; retries on a lost datagram are dig's. */
export async function ask(server: { port: number }, name: string, type: string): Promise<DigAnswer> {
  if (!digChecked) {
    requireTool('dig', 'bind9-dnsutils');
    digChecked = true;
  }
  const args = ['@127.0.0.1', '-p', String(server.port), name, type, '+norecurse', '+noall', '+comments', '+answer', '+tries=3', '+time=2'];
  try {
    const { stdout } = await run('dig', args, { encoding: 'utf8', timeout: 15_000 });
    return parseDig(stdout, type);
  } catch (error) {
    // dig exits 9 when no reply came (a busy machine, a server restarting): an answer of its own kind
    const failed = error as { code?: unknown; stdout?: string };
    if (failed.code !== 9) throw error;
    return parseDig(failed.stdout ?? '', type);
  }
}

export function parseDig(text: string, askedType: string): DigAnswer {
  const status = /status: ([A-Z]+)/.exec(text)?.[1] ?? 'NO ANSWER';
  const flags = /;; flags: ([a-z ]*);/.exec(text)?.[1]?.split(' ') ?? [];
  const records: DigRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith(';')) continue;
    const [name, ttl, , type, ...rdata] = line.trim().split(/\s+/);
    if (name === undefined || ttl === undefined || type === undefined) continue;
    records.push({ name: name.toLowerCase(), ttl: Number(ttl), type, rdata: rdata.join(' ') });
  }
  return {
    status,
    authoritative: flags.includes('aa'),
    records,
    values: (type = askedType) => records.filter((record) => record.type === type.toUpperCase()).map((record) => record.rdata).sort(),
    text,
  };
}

export interface WaitOptions {
  /** Give up after this long (a broken run, not a slow one). Default 30 s. */
  deadlineMs?: number;
  /** What is awaited, for the failure message. */
  what?: string;
}

/**
 * Asks `name`/`type` every ~20 ms until `predicate` holds; returns that answer. Throws with the last
 * answer when the deadline passes.
 */
export async function waitForAnswer(
  server: { port: number },
  name: string,
  type: string,
  predicate: AnswerPredicate,
  options: WaitOptions = {},
): Promise<DigAnswer> {
  const deadline = Date.now() + (options.deadlineMs ?? 30_000);
  let last: DigAnswer | undefined;
  for (;;) {
    last = await ask(server, name, type);
    if (predicate(last)) return last;
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${name} ${type}: never ${options.what ?? predicate.description ?? `matched ${predicate.toString()}`}; last answer:\n${last.text}`);
}

export type AnswerPredicate = ((answer: DigAnswer) => boolean) & { description?: string };

const described = (description: string, predicate: (answer: DigAnswer) => boolean): AnswerPredicate => Object.assign(predicate, { description });

/** Predicates for waitForAnswer, each saying what it waits for in the failure message. */
export const answers = {
  /** Exactly these values (sorted compare) of the asked type, NOERROR. */
  exactly: (expected: string[]): AnswerPredicate => described(`answered exactly ${JSON.stringify([...expected].sort())}`, (answer) =>
    answer.status === 'NOERROR' && JSON.stringify(answer.values()) === JSON.stringify([...expected].sort())),
  /** Every one of `wanted` present and none of `unwanted`, NOERROR. */
  including: (wanted: string[], unwanted: string[] = []): AnswerPredicate => described(`answered with ${JSON.stringify(wanted)} and without ${JSON.stringify(unwanted)}`, (answer) =>
    answer.status === 'NOERROR' && wanted.every((value) => answer.values().includes(value)) && !unwanted.some((value) => answer.values().includes(value))),
  /** No record of the asked type: NXDOMAIN, or NODATA. */
  none: described('answered without a record of the type (NXDOMAIN or NODATA)', (answer) =>
    (answer.status === 'NXDOMAIN' || answer.status === 'NOERROR') && answer.values().length === 0),
  nxdomain: described('answered NXDOMAIN', (answer) => answer.status === 'NXDOMAIN'),
};
