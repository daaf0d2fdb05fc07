// Waiting for what a Kubernetes change should do to the answers, asked with the real dig.
// dig runs as a child process without blocking this one: the tests keep serving their own
// fixtures (a TCP proxy in front of the API server) from this event loop while they poll.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { records, requireTool } from './tools.js';

const run = promisify(execFile);

/** How often the polls ask again; the deadlines are generous because the CI machine is shared. */
const POLL_MS = 100;
export const DEFAULT_WAIT_MS = 30_000;

export async function digAsync(port: number, name: string, type: string, ...flags: string[]): Promise<string> {
  requireTool('dig', 'bind9-dnsutils');
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=2', name, type, ...flags], { timeout: 15_000 });
  return stdout;
}

/** The sorted RDATA of the answer records of exactly this name and type (a CNAME chain's own records left out). */
export async function answers(port: number, name: string, type: string): Promise<string[]> {
  const owner = absolute(name).toLowerCase();
  return records(await digAsync(port, name, type, '+noall', '+answer'))
    .filter((r) => r[0]!.toLowerCase() === owner && r[3] === type)
    .map((r) => r[4]!)
    .sort();
}

/** The RCODE dig reports (NOERROR, NXDOMAIN, REFUSED ...). */
export async function rcode(port: number, name: string, type: string): Promise<string> {
  const out = await digAsync(port, name, type);
  const found = /status: (\w+)/.exec(out);
  if (found === null) throw new Error(`dig printed no status for ${name} ${type}:\n${out}`);
  return found[1]!;
}

export async function soaSerial(port: number, zone: string): Promise<number | undefined> {
  const soa = await answers(port, zone, 'SOA');
  return soa.length === 0 ? undefined : Number(soa[0]!.split(' ')[2]);
}

/**
 * Polls `probe` until it returns something other than undefined; on the deadline throws with
 * `what` and the last value `describe` gave, so a failure says what was seen instead.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; describe?: () => Promise<string> | string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_WAIT_MS);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen = options.describe === undefined ? '' : `; last seen: ${await options.describe()}`;
      const fault = lastError === undefined ? '' : `; last error: ${(lastError as Error).message}`;
      throw new Error(`timed out after ${options.timeoutMs ?? DEFAULT_WAIT_MS} ms waiting for ${what}${seen}${fault}`);
    }
    await sleep(POLL_MS);
  }
}

/** Waits until the answer records at name/type are exactly `expected` (any order); [] waits for none. */
export async function waitForAnswers(port: number, name: string, type: string, expected: readonly string[], timeoutMs?: number): Promise<void> {
  const want = [...expected].sort();
  let last: string[] = [];
  await waitUntil(`${name} ${type} to answer [${want.join(', ')}]`, async () => {
    last = await answers(port, name, type);
    return sameList(last, want) ? true : undefined;
  }, { describe: () => `[${last.join(', ')}]`, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}

/** Waits until dig's status for name/type is `expected`. */
export async function waitForRcode(port: number, name: string, type: string, expected: string, timeoutMs?: number): Promise<void> {
  let last = '';
  await waitUntil(`${name} ${type} to answer ${expected}`, async () => {
    last = await rcode(port, name, type);
    return last === expected ? true : undefined;
  }, { describe: () => last, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}

/**
 * Asks `rounds` times, `intervalMs` apart, and throws at the first answer that is not `expected`:
 * "keeps answering" checked over a stretch of time long enough for the server to have noticed
 * whatever just happened to its peer (no timing is asserted, only the answers).
 */
export async function keepsAnswering(port: number, name: string, type: string, expected: readonly string[], rounds = 10, intervalMs = 200): Promise<void> {
  const want = [...expected].sort();
  for (let round = 0; round < rounds; round++) {
    const got = await answers(port, name, type);
    if (!sameList(got, want)) throw new Error(`${name} ${type} answered [${got.join(', ')}] in round ${round + 1}, expected [${want.join(', ')}] throughout`);
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function absolute(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}
