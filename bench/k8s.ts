// `npm run bench:k8s` (issue 16, "Speed and scale"): the Kubernetes watcher against a real
// kube-apiserver 1.20.2 + etcd on loopback (test/helpers/kube-apiserver.ts).
//   1. scale: 10,000 LoadBalancer Services and 2,000 Ready Nodes exist BEFORE meshdns starts; then
//      meshdns (fresh LMDB) → time until every name answers, RSS; then 1,000 more Services with
//      meshdns running → time until all answer;
//   2. freshness: 200 single changes (create / retarget / delete a Service, a few Node NotReady and
//      Ready flips), each from the API call returning to meshdns answering and to a knotd secondary
//      (NOTIFY + IXFR) answering;
//   3. query latency during the initial sync: a query every 1 ms for a zone-file name.
// See bench/README.md ("bench:k8s").
//
//   node dist/bench/k8s.js [--services 10000] [--nodes 2000] [--more 1000] [--changes 200]
//       [--in-flight 64] [--gap 1000] [--sample 300] [--debounce 20ms] [--rrset-limit N] [--cpu-prof]

import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findFreePort } from '../test/helpers/knotd.js';
import { createMany, KubeH2, nodeObject, NODES_PATH, serviceHost, serviceObject, servicesPath, serviceTarget, type Fleet } from './k8s-driver.js';
import { blockedStretches, renderStretches } from './k8s-profile.js';
import { measureBurst, measureFreshness, measureIdleStall, measureInitialSync } from './k8s-phases.js';
import { hasA, waitFor } from './k8s-probe.js';
import { renderK8s, type K8sResults } from './k8s-report.js';
import { rssMiB, startKnotdSecondary, startMeshdnsK8s, type KnotdSecondary, type MeshdnsK8s } from './k8s-servers.js';
import { meshdnsAvailable } from './meshdns.js';
import { machineFacts } from './proc.js';
import { f1 } from './report.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, '.bench-out');

const { values: opt } = parseArgs({
  options: {
    services: { type: 'string', default: '10000' },
    nodes: { type: 'string', default: '2000' },
    more: { type: 'string', default: '1000' },
    changes: { type: 'string', default: '200' },
    'in-flight': { type: 'string', default: '64' },
    // knotd refreshes a zone it refreshed less than ~1 s ago only after a wait of ~0.8 s (measured:
    // at 200 ms apart one change in four reached knotd after ~790 ms): 1 s apart times the path, not that
    gap: { type: 'string', default: '1000' },
    sample: { type: 'string', default: '300' },
    debounce: { type: 'string', default: '20ms' },
    // 0: meshdns's default limit of 1,000 records per RRset, which the www name of 2,000 nodes passes
    'rrset-limit': { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const settings = {
  services: Number(opt.services), nodes: Number(opt.nodes), more: Number(opt.more), changes: Number(opt.changes),
  inFlight: Number(opt['in-flight']), gapMs: Number(opt.gap), sample: Number(opt.sample), debounce: opt.debounce,
  rrsetLimit: Number(opt['rrset-limit'] ?? Math.max(1000, Math.ceil(Number(opt.nodes) / 1000) * 1000 + 1000)),
};
for (const [key, value] of Object.entries(settings)) {
  if (typeof value === 'number' && !(Number.isInteger(value) && value >= 0)) throw new RangeError(`--${key}: a whole number >= 0, got "${value}"`);
}
if (settings.services < 1 || settings.nodes < 1) throw new RangeError('--services and --nodes: at least 1');
if (!meshdnsAvailable(ROOT)) throw new Error('dist/server/cli.js is missing: run `npm run build` first');

// etcd's data on tmpfs: its fsync per write would otherwise pace the creation of the objects
// (setup, not what is measured). The harness makes its folder under os.tmpdir().
if (process.env['TMPDIR'] === undefined && existsSync('/dev/shm')) process.env['TMPDIR'] = '/dev/shm';
const { startKubeApiServer } = await import('../test/helpers/kube-apiserver.js');

const fleet: Fleet = { namespace: 'bench', zone: 'k8s.bench.mesh.' };
const results: K8sResults = {
  settings, machine: machineFacts(), loadAverage: { start: loadavg(), end: [] }, creation: { servicesMs: Number.NaN, nodesMs: Number.NaN },
};
const progress = (text: string): void => void process.stderr.write(`${text}\n`);
const dir = join(OUT, 'k8s');
const profileDir = join(dir, 'cpu-prof');
rmSync(profileDir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

progress('starting kube-apiserver + etcd ...');
// ServiceLBNodePortControl: the Services are made with allocateLoadBalancerNodePorts: false (k8s-driver.ts).
const kube = await startKubeApiServer({ extraArgs: ['--feature-gates=ServiceLBNodePortControl=true', '--max-requests-inflight=800', '--max-mutating-requests-inflight=400'] });
const api = new KubeH2(kube.url, kube.token, kube.caFile);
let server: MeshdnsK8s | undefined;
let knotd: KnotdSecondary | undefined;
try {
  await api.expect('POST', '/api/v1/namespaces', [201], { apiVersion: 'v1', kind: 'Namespace', metadata: { name: fleet.namespace } });
  progress(`creating ${settings.services} Services and ${settings.nodes} Nodes (${settings.inFlight} requests in flight on one HTTP/2 connection) ...`);
  const services = await createMany(api, servicesPath(fleet), settings.services, (i) => serviceObject(fleet, i), settings.inFlight);
  results.creation.servicesMs = services.ms;
  const nodes = await createMany(api, NODES_PATH, settings.nodes, (i) => nodeObject(i), settings.inFlight);
  results.creation.nodesMs = nodes.ms;
  progress(`  Services in ${f1(services.ms / 1000)} s, Nodes in ${f1(nodes.ms / 1000)} s`);

  const [port, adminPort, knotdPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
  progress('starting meshdns (fresh data folder) ...');
  server = startMeshdnsK8s({
    root: ROOT, dir: join(dir, 'meshdns'), port, adminPort, knotdPort, kubeconfig: kube.kubeconfig, zone: fleet.zone,
    debounce: settings.debounce, rrsetLimit: settings.rrsetLimit === 0 ? undefined : settings.rrsetLimit, cpuProfDir: opt['cpu-prof'] ? profileDir : undefined,
  });
  results.sync = await measureInitialSync(server, port, fleet, settings.services, settings.nodes, settings.sample, 180_000);
  progress(`  all served ${f1(results.sync.servedMs / 1000)} s after spawn; RSS ${f1(results.sync.rssMiB)} MiB (peak ${f1(results.sync.hwmMiB)}); worst answer during the sync ${f1(results.sync.stall.max)} ms`);
  results.idleStall = await measureIdleStall(port, 5_000);

  const live = Array.from({ length: settings.services }, (_, i) => i);
  if (settings.more > 0) {
    progress(`creating ${settings.more} more Services with meshdns running ...`);
    const first = settings.services;
    results.burst = await measureBurst(api, server, port, fleet, first, settings.more, settings.inFlight);
    for (let i = first; i < first + settings.more; i++) live.push(i);
    progress(`  all served ${f1(results.burst.afterLastCreateMs)} ms after the last POST returned`);
  }

  if (settings.changes > 0) {
    progress('starting the knotd secondary ...');
    knotd = startKnotdSecondary(join(dir, 'knotd'), knotdPort, port, fleet.zone);
    const latest = live.at(-1)!;
    const started = performance.now();
    results.knotdCatchUpMs = (await waitFor(knotdPort, serviceHost(fleet, latest), hasA(serviceTarget(latest)), 20, 120_000).arrived) - started;
    progress(`  knotd has the zone after ${f1(results.knotdCatchUpMs)} ms; ${settings.changes} changes, ${settings.gapMs} ms apart ...`);
    results.freshness = await measureFreshness(api, port, knotdPort, fleet, live, settings.services + settings.more, settings.nodes, settings.changes, settings.gapMs,
      (s, n) => { if ((n + 1) % 20 === 0) progress(`  ${n + 1}/${settings.changes}: ${s.kind} served ${f1(s.servedMs)} ms, knotd ${f1(s.knotdMs)} ms`); });
  }
  const { rss, hwm } = rssMiB(server.proc.pid);
  results.finalRss = { rssMiB: rss, hwmMiB: hwm };
} catch (error) {
  results.error = `${(error as Error).stack ?? error}\n${server ? `meshdns (tail):\n${server.proc.tail()}` : ''}`;
} finally {
  api.close();
  if (process.env['K8SBENCH_KNOTD_LOG']) writeFileSync(join(dir, 'knotd.log'), knotd?.proc.tail() ?? '');
  await knotd?.stop();
  await server?.stop();
  await kube.stop();
}
results.loadAverage.end = loadavg();
console.log(renderK8s(results));
if (opt['cpu-prof']) {
  const profile = existsSync(profileDir) ? readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile')) : undefined;
  if (profile === undefined) {
    console.log('\n--cpu-prof: meshdns wrote no profile');
  } else {
    results.blocked = blockedStretches(join(profileDir, profile), 100);
    console.log(`\nmeshdns's event loop blocked (CPU profile ${join(profileDir, profile)}, stretches without an idle sample, >= 100 ms):`);
    console.log(renderStretches(results.blocked));
  }
}
writeFileSync(join(OUT, 'k8s.json'), `${JSON.stringify({ at: new Date().toISOString(), ...results }, null, 2)}\n`);
console.log(`\nall samples: ${join(OUT, 'k8s.json')}`);
if (results.error !== undefined) process.exitCode = 1;
