// What `npm run bench:dnssec` measures on a running signer: the time to the signed zone answering
// (with the peak RSS and the CPU time of the server's process tree meanwhile), a 10-record UPDATE
// until it is visible signed, and dnsperf throughput with DO=0 and DO=1.

import { execFile } from 'node:child_process';
import { base32hex, nsec3Hash } from '../dnssec/nsec3-hash.js';
import { parseName } from '../zones/name.js';
import { dnsperfCommand, parseDnsperf, type DnsperfResult } from './dnsperf.js';
import { queryDo, sendUpdate, signedAnswer, waitForDo } from './dnssec-probe.js';
import { CLIENT_CPU, cpuSnapshot, memory, shellQuote, type Pinned } from './proc.js';

export interface SignRun {
  /** From spawning the server to the first signed SOA answer. */
  seconds: number;
  /** CPU seconds of the server's process tree (the loader process included) over that time. */
  cpuSeconds: number;
  peakRssMiB: number;
}

/** Waits for `origin SOA` to answer with its RRSIG, sampling the tree's RSS and CPU every 100 ms. */
export async function measureSigning(proc: Pinned, port: number, origin: string, timeoutMs: number): Promise<SignRun> {
  let peakKiB = 0;
  const cpuSeen = new Map<number, number>(); // per pid, the last CPU time read (a loader process exits)
  const sample = (): void => {
    peakKiB = Math.max(peakKiB, memory(proc.pid).treeRssKiB);
    for (const [pid, us] of cpuSnapshot(proc.pid)) cpuSeen.set(pid, Math.max(us, cpuSeen.get(pid) ?? 0));
  };
  const timer = setInterval(sample, 100);
  try {
    let at: number;
    try {
      at = await waitForDo(port, origin, 'SOA', signedAnswer('SOA'), timeoutMs, () => proc.exitReason(), 50);
    } catch (e) {
      throw new Error(`${(e as Error).message}\nlast output:\n${proc.tail()}`);
    }
    sample();
    let cpu = 0;
    for (const us of cpuSeen.values()) cpu += us;
    return { seconds: (at - proc.spawnedAt) / 1000, cpuSeconds: cpu / 1e6, peakRssMiB: peakKiB / 1024 };
  } finally {
    clearInterval(timer);
  }
}

export interface UpdateRun {
  /** UPDATE sent → its answer (the commit, signatures and chain included). */
  answerMs: number;
  /** UPDATE sent → the last name answering A + RRSIG and a NODATA proof (NSEC/NSEC3 + RRSIG) at the first. */
  visibleMs: number;
}

/** Adds 10 new names by UPDATE; times the answer and the moment they are served signed, with their chain. */
export async function measureUpdate(port: number, origin: string, tag: string, denial: 'nsec' | 'nsec3'): Promise<UpdateRun> {
  const adds = Array.from({ length: 10 }, (_, k) => ({ name: `upd-${tag}-${k}.${origin}`, address: `192.0.2.${k + 1}` }));
  const t0 = performance.now();
  const rcode = await sendUpdate(port, origin, adds);
  const answered = performance.now();
  if (rcode !== 0) throw new Error(`UPDATE answered rcode ${rcode ?? '(none)'}`);
  const last = adds[adds.length - 1]!.name;
  await waitForDo(port, last, 'A', signedAnswer('A'), 10_000, () => undefined, 0);
  if (!(await chained(port, origin, adds[0]!.name, denial))) throw new Error(`${adds[0]!.name}: no signed NSEC/NSEC3 after the UPDATE`);
  const visible = performance.now();
  return { answerMs: answered - t0, visibleMs: visible - t0 };
}

/**
 * Whether a new name is in the denial chain, signed: a NODATA answer carrying its NSEC/NSEC3 and
 * RRSIG (knotd), or else its NSEC (NSEC3 at the hashed owner, 0 iterations, no salt) asked for
 * directly (meshdns does not put denial proofs in answers yet).
 */
async function chained(port: number, origin: string, name: string, denial: 'nsec' | 'nsec3'): Promise<boolean> {
  const proof = await queryDo(port, name, 'TXT');
  const signedProof = (rrs: { type: string }[]) => rrs.some((r) => r.type === 'NSEC' || r.type === 'NSEC3') && rrs.some((r) => r.type === 'RRSIG');
  if (proof !== undefined && proof.rcode === 0 && signedProof(proof.authorities)) return true;
  const owner = denial === 'nsec' ? name : `${base32hex(nsec3Hash(parseName(name), new Uint8Array(0), 0))}.${origin}`;
  const direct = await queryDo(port, owner, denial.toUpperCase());
  return direct !== undefined && direct.rcode === 0 && signedProof(direct.answers);
}

/** dnsperf pinned to the client CPU, DO=1 when `dnssecOk` (-D). */
export function dnsperfDo(port: number, queryFile: string, seconds: number, dnssecOk: boolean): Promise<DnsperfResult> {
  const [exe, args] = dnsperfCommand({ cpu: CLIENT_CPU, port, queryFile, seconds, clients: 4, outstanding: 200, tcp: false });
  if (dnssecOk) args.push('-D');
  const commandLine = shellQuote([exe, ...args]);
  return new Promise((resolve, reject) => {
    execFile(exe, args, { maxBuffer: 16 << 20, timeout: (seconds + 60) * 1000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`dnsperf failed: ${err.message}\n${stdout}\n${stderr}`));
      const r = parseDnsperf(stdout, commandLine);
      if (Number.isNaN(r.qps)) reject(new Error(`could not parse dnsperf output:\n${stdout}\n${stderr}`));
      else resolve(r);
    });
  });
}
