// `npm run bench:k8s`: the measured phases. Each takes the running pieces and returns plain figures
// (milliseconds, counts); k8s.ts sequences them, k8s-report.ts prints them.

import { randomInt } from 'node:crypto';
import {
  createMany, nodeHost, nodeObject, nodePath, serviceHost, serviceObject, servicePath, servicesPath, serviceTarget, nodeAddress,
  type Fleet, type KubeH2,
} from './k8s-driver.js';
import { checkNames, hasA, isNxdomain, waitFor, type Answer, type Check } from './k8s-probe.js';
import { axfr, rssMiB, type MeshdnsK8s } from './k8s-servers.js';
import { startStallProbe, type StallSamples } from './k8s-stall.js';
import { cpuDelta, cpuSnapshot, sleep } from './proc.js';
import { PROBE_NAME } from './k8s-servers.js';

export interface SyncFigures {
  /** meshdns spawned → the last Service and the last Node answer (one commit holds them all). */
  canaryMs: number;
  /** spawned → canary, a random sample, and the AXFR count all agree that every name is served. */
  servedMs: number;
  /** spawned → its "kubernetes: synced" log line. */
  syncedLineMs: number | undefined;
  /** spawned → the first answer of the unrelated zone file (the server is up). */
  firstAnswerMs: number | undefined;
  sample: { names: number; failed: number };
  axfr: { serial: number; records: number; services: number; nodeNames: number; wwwAddresses: number };
  /** Commits of the watcher until served: ms after spawn, objects in the batch, RRs added. */
  commits: { atMs: number; objects: number; added: number }[];
  rssMiB: number;
  hwmMiB: number;
  cpuSeconds: number;
  stall: StallSummary;
  /** The same, split at the "kubernetes: watching" log line: before it the server starts (and loads
   *  the Kubernetes client), after it the lists arrive and the first batch is committed. */
  stallBeforeWatching: StallSummary | undefined;
  stallAfterWatching: StallSummary | undefined;
  /** Log lines until served: objects refused (a line each), batches that fell back to one commit per object. */
  refusedObjects: number;
  fallbacks: number;
}

export interface StallSummary {
  sent: number;
  answered: number;
  lost: number;
  p50: number | undefined;
  p99: number | undefined;
  p999: number | undefined;
  max: number | undefined;
  /** When the worst query was sent, ms after meshdns was spawned (sync phase) or after the probe started. */
  maxAtMs: number | undefined;
  over10ms: number;
  over100ms: number;
  /** The 5 worst round trips with their send time (same origin as maxAtMs). */
  worst: { atMs: number; rtt: number }[];
}

export function summarizeStall(s: StallSamples, originEpochMs: number): StallSummary {
  const sorted = [...s.rtt].sort((a, b) => a - b);
  const pick = (q: number): number | undefined => (sorted.length === 0 ? undefined : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
  const order = s.rtt.map((rtt, i) => ({ rtt, atMs: s.sentAt[i]! - originEpochMs })).sort((a, b) => b.rtt - a.rtt);
  return {
    sent: s.sent, answered: s.rtt.length, lost: s.lost,
    p50: pick(0.5), p99: pick(0.99), p999: pick(0.999), max: sorted.at(-1), maxAtMs: order[0]?.atMs,
    over10ms: s.rtt.filter((r) => r > 10).length, over100ms: s.rtt.filter((r) => r > 100).length,
    worst: order.slice(0, 5),
  };
}

const aOf = (name: string, expected: Map<string, string>) => (n: string, a: Answer): boolean => hasA(expected.get(n) ?? name)(a);

/** Phase 1: meshdns starts on a cluster that already holds every object; until all are served. */
export async function measureInitialSync(
  server: MeshdnsK8s, port: number, fleet: Fleet, services: number, nodes: number, sampleSize: number, timeoutMs: number,
): Promise<SyncFigures> {
  const spawnedAt = server.proc.spawnedAt;
  const spawnedEpoch = performance.timeOrigin + spawnedAt;
  const stall = startStallProbe(port, PROBE_NAME, 1);
  const cpu0 = cpuSnapshot(server.proc.pid);
  const firstAnswer = waitFor(port, PROBE_NAME, hasA('192.0.2.80'), 2, timeoutMs);
  const lastService = waitFor(port, serviceHost(fleet, services - 1), hasA(serviceTarget(services - 1)), 2, timeoutMs);
  const lastNode = waitFor(port, nodeHost(fleet, nodes - 1), hasA(nodeAddress(nodes - 1)), 2, timeoutMs);
  const abort = setInterval(() => {
    const why = server.proc.exitReason();
    if (why !== undefined) { firstAnswer.cancel(); lastService.cancel(); lastNode.cancel(); }
  }, 100);
  // a big first batch may be committed in parts: the last names and the "synced" line (the whole
  // first batch applied) together, then the sample and AXFR confirm
  const syncedLine = server.proc.waitForJson((l) => l['msg'] === 'kubernetes: synced', timeoutMs);
  syncedLine.catch(() => undefined);
  let canaryAt: number;
  let firstAt: number | undefined;
  try {
    firstAt = await firstAnswer.arrived.catch(() => undefined);
    canaryAt = Math.max(await lastService.arrived, await lastNode.arrived, (await syncedLine).at);
  } catch (error) {
    clearInterval(abort);
    await stall.stop();
    throw new Error(`${(error as Error).message}\nmeshdns: ${server.proc.exitReason() ?? server.proc.tail()}`);
  }
  clearInterval(abort);
  // every name: a random sample by query, the whole zone by AXFR; until both agree
  const expected = new Map<string, string>();
  const sampleNames: string[] = [];
  for (let k = 0; k < sampleSize; k++) {
    const i = randomInt(services);
    expected.set(serviceHost(fleet, i), serviceTarget(i));
    sampleNames.push(serviceHost(fleet, i));
  }
  for (let k = 0; k < Math.ceil(sampleSize / 6); k++) {
    const i = randomInt(nodes);
    expected.set(nodeHost(fleet, i), nodeAddress(i));
    sampleNames.push(nodeHost(fleet, i));
  }
  let servedAt = canaryAt;
  let failed: string[] = [];
  let zone: Awaited<ReturnType<typeof axfr>>;
  for (let round = 0; ; round++) {
    const checkStart = performance.now();
    failed = await checkNames(port, sampleNames, aOf('', expected));
    zone = await axfr(port, fleet.zone);
    const complete = failed.length === 0 && zone.byName(/^svc-\d+\./) >= services && zone.byName(/^node-\d+\.nodes\./) >= nodes;
    if (complete) {
      if (round > 0) servedAt = checkStart; // served by the start of the check that passed (not by the one before)
      break;
    }
    if (performance.now() - spawnedAt > timeoutMs) throw new Error(`not every name served within ${timeoutMs} ms: ${failed.length} of the sample failed, AXFR has ${zone.byName(/^svc-\d+\./)} services`);
    await sleep(100);
  }
  const cpuSeconds = cpuDelta(cpu0, cpuSnapshot(server.proc.pid)) / 1e6;
  await sleep(1000); // the stall probe also covers the second after (a late commit, GC)
  const samples = await stall.stop();
  const { rss, hwm } = rssMiB(server.proc.pid);
  const synced = server.kubeLines.find((l) => l.line['msg'] === 'kubernetes: synced');
  return {
    canaryMs: canaryAt - spawnedAt,
    servedMs: servedAt - spawnedAt,
    syncedLineMs: synced === undefined ? undefined : synced.at - spawnedAt,
    firstAnswerMs: firstAt === undefined ? undefined : firstAt - spawnedAt,
    sample: { names: sampleNames.length, failed: failed.length },
    axfr: {
      serial: zone.serial, records: zone.records, services: zone.byName(/^svc-\d+\./),
      nodeNames: zone.byName(/^node-\d+\.nodes\./), wwwAddresses: zone.byName(new RegExp(`^www\\.${fleet.zone.replaceAll('.', '\\.')}$`)),
    },
    commits: commitLines(server, spawnedAt),
    refusedObjects: server.kubeLines.filter((l) => String(l.line['msg']).startsWith('kubernetes: records refused')).length,
    fallbacks: server.kubeLines.filter((l) => String(l.line['msg']).includes('could not be committed as one')).length,
    rssMiB: rss, hwmMiB: hwm, cpuSeconds,
    stall: summarizeStall(samples, spawnedEpoch),
    ...splitAtWatching(server, samples, spawnedEpoch),
  };
}

function splitAtWatching(server: MeshdnsK8s, s: StallSamples, spawnedEpoch: number): { stallBeforeWatching: StallSummary | undefined; stallAfterWatching: StallSummary | undefined } {
  const watching = server.kubeLines.find((l) => l.line['msg'] === 'kubernetes: watching');
  if (watching === undefined) return { stallBeforeWatching: undefined, stallAfterWatching: undefined };
  const at = performance.timeOrigin + watching.at;
  const part = (keep: (sentAt: number) => boolean): StallSamples => {
    const idx = s.sentAt.flatMap((t, i) => (keep(t) ? [i] : []));
    return { sentAt: idx.map((i) => s.sentAt[i]!), rtt: idx.map((i) => s.rtt[i]!), lost: 0, sent: idx.length };
  };
  return { stallBeforeWatching: summarizeStall(part((t) => t < at), spawnedEpoch), stallAfterWatching: summarizeStall(part((t) => t >= at), spawnedEpoch) };
}

function commitLines(server: MeshdnsK8s, origin: number): { atMs: number; objects: number; added: number }[] {
  return server.kubeLines
    .filter((l) => l.line['msg'] === 'kubernetes: committed')
    .map((l) => ({ atMs: l.at - origin, objects: Number(l.line['objects']), added: Number(l.line['added']) }));
}

/** The same stall probe against the synced, idle server: what the machine's own noise looks like. */
export async function measureIdleStall(port: number, ms: number): Promise<StallSummary> {
  const start = Date.now();
  const probe = startStallProbe(port, PROBE_NAME, 1);
  await sleep(ms);
  return summarizeStall(await probe.stop(), start);
}

export interface BurstFigures {
  count: number;
  /** First POST sent → last POST answered. */
  createMs: number;
  /** First POST sent → last name answered. */
  allServedMs: number;
  /** Last POST answered → last name answered. */
  afterLastCreateMs: number;
  /** Per name: its POST answered → it answers, ms. */
  perName: number[];
  rssMiB: number;
  hwmMiB: number;
}

/** Phase 1b: meshdns running and synced; `count` more Services as fast as the API takes them. */
export async function measureBurst(api: KubeH2, server: MeshdnsK8s, port: number, fleet: Fleet, first: number, count: number, inFlight: number): Promise<BurstFigures> {
  const pending = new Map<number, number>(); // index → created at
  const perName: number[] = [];
  let creating = true;
  let lastServedAt = 0;
  const poll = (async () => {
    while (creating || pending.size > 0) {
      const batch = [...pending.keys()].slice(0, 500);
      if (batch.length === 0) {
        await sleep(1);
        continue;
      }
      const names = new Map(batch.map((i) => [serviceHost(fleet, i), i]));
      const failed = new Set(await checkNames(port, [...names.keys()], (name, a) => hasA(serviceTarget(names.get(name)!))(a), 2_000, 100, 500));
      const now = performance.now();
      for (const [name, i] of names) {
        if (failed.has(name)) continue;
        perName.push(now - pending.get(i)!);
        pending.delete(i);
        lastServedAt = now;
      }
    }
  })();
  const t0 = performance.now();
  const created = await createMany(api, servicesPath(fleet), count, (k) => serviceObject(fleet, first + k), inFlight, (k, at) => pending.set(first + k, at));
  const lastCreate = t0 + created.ms;
  creating = false;
  await poll;
  const { rss, hwm } = rssMiB(server.proc.pid);
  return { count, createMs: created.ms, allServedMs: lastServedAt - t0, afterLastCreateMs: lastServedAt - lastCreate, perName, rssMiB: rss, hwmMiB: hwm };
}

export type ChangeKind = 'create' | 'retarget' | 'delete' | 'node-notready' | 'node-ready';

export interface ChangeSample {
  kind: ChangeKind;
  /** The API call itself (sent → answered), ms. */
  callMs: number;
  /** API call answered → meshdns answers the new data, ms (negative: before our client read the HTTP answer). */
  servedMs: number;
  /** API call answered → the knotd secondary answers it, ms. */
  knotdMs: number | undefined;
}

/** Phase 2: one change at a time, timed to meshdns's answer and the knotd secondary's. */
export async function measureFreshness(
  api: KubeH2, port: number, knotdPort: number | undefined, fleet: Fleet, live: number[], nextIndex: number, nodes: number,
  changes: number, gapMs: number, onSample: (s: ChangeSample, n: number) => void,
): Promise<ChangeSample[]> {
  const samples: ChangeSample[] = [];
  const versions = new Map<number, number>();
  const notReady = new Set<number>();
  let serviceTurn = 0;
  for (let n = 0; n < changes; n++) {
    let kind: ChangeKind;
    let qname: string;
    let check: Check;
    let call: () => Promise<unknown>;
    if (n % 25 === 12) {
      // a node flips: NotReady withdraws its names, Ready again brings them back
      const flip = Math.floor(n / 25);
      const i = (Math.floor(flip / 2) * 37 + 5) % nodes; // each node goes NotReady, then Ready again
      const ready = notReady.has(i);
      kind = ready ? 'node-ready' : 'node-notready';
      qname = nodeHost(fleet, i);
      check = ready ? hasA(nodeAddress(i)) : isNxdomain;
      call = () => api.expect('PATCH', `${nodePath(i)}/status`, [200], { status: { conditions: (nodeObject(i, ready) as { status: { conditions: unknown[] } }).status.conditions } }, 'application/merge-patch+json');
      if (ready) notReady.delete(i);
      else notReady.add(i);
    } else {
      const turn = serviceTurn++ % 3;
      if (turn === 0) {
        const i = nextIndex++;
        kind = 'create';
        qname = serviceHost(fleet, i);
        check = hasA(serviceTarget(i));
        call = () => api.expect('POST', servicesPath(fleet), [201], serviceObject(fleet, i));
        live.push(i);
      } else if (turn === 1) {
        const i = live[randomInt(live.length)]!;
        const version = (versions.get(i) ?? 0) + 1;
        versions.set(i, version);
        kind = 'retarget';
        qname = serviceHost(fleet, i);
        check = hasA(serviceTarget(i, version));
        call = () => api.expect('PATCH', servicePath(fleet, i), [200], { metadata: { annotations: { 'external-dns.alpha.kubernetes.io/target': serviceTarget(i, version) } } }, 'application/merge-patch+json');
      } else {
        const at = randomInt(live.length);
        const i = live[at]!;
        live.splice(at, 1);
        kind = 'delete';
        qname = serviceHost(fleet, i);
        check = isNxdomain;
        call = () => api.expect('DELETE', servicePath(fleet, i), [200, 202]);
      }
    }
    const atMeshdns = waitFor(port, qname, check, 1, 30_000);
    const atKnotd = knotdPort === undefined ? undefined : waitFor(knotdPort, qname, check, 2, 30_000);
    const sent = performance.now();
    try {
      await call();
    } catch (error) {
      atMeshdns.cancel();
      atKnotd?.cancel();
      throw error;
    }
    const returned = performance.now();
    const [served, knotd] = await Promise.all([atMeshdns.arrived, atKnotd?.arrived]);
    const sample: ChangeSample = { kind, callMs: returned - sent, servedMs: served - returned, knotdMs: knotd === undefined ? undefined : knotd - returned };
    samples.push(sample);
    onSample(sample, n);
    if (gapMs > 0) await sleep(gapMs);
  }
  return samples;
}
