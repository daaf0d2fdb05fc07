// `npm run bench:dnssec`: meshdns signing zones itself against knotd 3.2 with the same policy, in
// the same run (bench/dnssec-servers.ts): for each zone size, denial (NSEC, NSEC3) and number of
// signing threads, each server starts on the generated zone file and the time to its first signed
// SOA answer is taken, with its peak RSS and CPU time; then, on the biggest zone signed with the most
// threads (NSEC3 unless told), a 10-record UPDATE until visible signed with its chain (5 times), and
// dnsperf with DO=0 and DO=1 (server on CPU 0, dnsperf on CPU 1). Ratios are printed at the end.
//
// Usage: node dist/bench/dnssec.js [--sizes 10000,100000,1000000] [--denials nsec,nsec3]
//          [--threads 1,2] [--servers knotd,meshdns] [--follow nsec3] [--dnsperf-seconds 10]
// The 1M-name rows take minutes each (the machine has 2 cores): the total time is printed.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from './dns-probe.js';
import { dnsperfDo, measureSigning, measureUpdate, type SignRun, type UpdateRun } from './dnssec-measure.js';
import { startKnotdSigner, startMeshdnsSigner, type Signer } from './dnssec-servers.js';
import { knotdVersion } from './knotd.js';
import { meshdnsAvailable } from './meshdns.js';
import { SERVER_CPU } from './proc.js';
import { generateZone, type GeneratedZone } from './zone-gen.js';

const { values: opt } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000,1000000' },
    denials: { type: 'string', default: 'nsec,nsec3' },
    threads: { type: 'string', default: '1,2' },
    servers: { type: 'string', default: 'knotd,meshdns' },
    follow: { type: 'string', default: 'nsec3' },
    'dnsperf-seconds': { type: 'string', default: '10' },
    updates: { type: 'string', default: '5' },
  },
});
const sizes = opt.sizes.split(',').map(Number);
const denials = opt.denials.split(',') as ('nsec' | 'nsec3')[];
const threadCounts = opt.threads.split(',').map(Number);
const servers = opt.servers.split(',') as ('knotd' | 'meshdns')[];
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
if (!meshdnsAvailable(ROOT)) {
  process.stderr.write('dist/server/cli.js is missing: run npm run build first\n');
  process.exit(2);
}
const CPUS = ['0', '0,1', '0-2', '0-3'];

interface Row { server: string; names: number; denial: string; threads: number; run: SignRun }
interface Follow { server: string; updates: UpdateRun[]; qpsDo0: number; qpsDo1: number; responseBytesDo1: number; rcodesDo1: Record<string, number> }
const rows: Row[] = [];
const follows: Follow[] = [];
const commands = new Set<string>();
const started = performance.now();
const log = (s: string): void => void process.stderr.write(`[dnssec] ${s}\n`);

function start(server: 'knotd' | 'meshdns', zone: GeneratedZone, denial: 'nsec' | 'nsec3', threads: number, port: number): Signer {
  const o = { root: ROOT, cpus: CPUS[threads - 1] ?? '0-3', port, origin: zone.origin, zoneDir: zone.zoneDir, zoneFile: zone.zoneFile, denial, threads };
  return server === 'knotd' ? startKnotdSigner(o) : startMeshdnsSigner(o);
}

async function followUp(server: string, s: Signer, port: number, zone: GeneratedZone): Promise<void> {
  const updates: UpdateRun[] = [];
  for (let i = 0; i < Number(opt.updates); i++) {
    updates.push(await measureUpdate(port, zone.origin, `${server}-${i}`, opt.follow as 'nsec' | 'nsec3'));
    log(`${server}: UPDATE ${i + 1}: ${JSON.stringify(updates[updates.length - 1])}`);
  }
  // the server answers on its CPU alone while dnsperf has the other
  const seconds = Number(opt['dnsperf-seconds']);
  const do0 = await dnsperfDo(port, zone.queryFile, seconds, false);
  const do1 = await dnsperfDo(port, zone.queryFile, seconds, true);
  commands.add(do1.commandLine);
  log(`${server}: dnsperf DO=0 ${do0.qps} q/s, DO=1 ${do1.qps} q/s (${JSON.stringify(do1.rcodes)}, ${do1.avgResponseBytes} B)`);
  follows.push({ server, updates, qpsDo0: do0.qps, qpsDo1: do1.qps, responseBytesDo1: do1.avgResponseBytes, rcodesDo1: do1.rcodes });
  void s;
}

const biggest = Math.max(...sizes);
const most = Math.max(...threadCounts);
for (const names of sizes) {
  const zone = generateZone(names, join(ROOT, '.bench-out'));
  for (const denial of denials) {
    for (const threads of threadCounts) {
      for (const server of servers) {
        const port = await freePort();
        const s = start(server, zone, denial, threads, port);
        commands.add(s.describe.replace(String(port), '<port>'));
        try {
          const run = await measureSigning(s.proc, port, zone.origin, 3_600_000);
          rows.push({ server, names, denial, threads, run });
          log(`${server} ${names} ${denial} ${threads}t: ${run.seconds.toFixed(2)} s, ${run.cpuSeconds.toFixed(1)} CPU s, peak RSS ${run.peakRssMiB.toFixed(0)} MiB`);
          if (names === biggest && threads === most && denial === opt.follow) {
            // queries go to one CPU: the signing threads are done
            await followUp(server, s, port, zone);
          }
        } finally {
          await s.stop();
        }
      }
    }
  }
}

const f = (n: number, d = 2): string => n.toFixed(d);
console.log(`DNSSEC signing from cold: meshdns vs ${knotdVersion().split('\n')[0]} (ECDSA P-256 CSK, 0 NSEC3 iterations, no salt)`);
console.log('time = spawn to the first signed SOA answer (parse, load, sign, commit); CPU = the process tree\'s; RSS = peak of the tree');
console.log(`${'names'.padStart(9)} ${'denial'.padEnd(6)} thr  ${'knotd s'.padStart(8)} ${'meshdns s'.padStart(9)} ${'ratio'.padStart(6)}  ${'knotd CPU'.padStart(9)} ${'mesh CPU'.padStart(9)}  ${'knotd MiB'.padStart(9)} ${'mesh MiB'.padStart(9)}  names/s knotd / meshdns`);
for (const names of sizes) {
  for (const denial of denials) {
    for (const threads of threadCounts) {
      const k = rows.find((r) => r.server === 'knotd' && r.names === names && r.denial === denial && r.threads === threads)?.run;
      const m = rows.find((r) => r.server === 'meshdns' && r.names === names && r.denial === denial && r.threads === threads)?.run;
      const cell = (r: SignRun | undefined, pick: (r: SignRun) => number, d = 2, w = 8) => (r ? f(pick(r), d) : '-').padStart(w);
      console.log(`${String(names).padStart(9)} ${denial.padEnd(6)} ${String(threads).padStart(3)}  ${cell(k, (r) => r.seconds)} ${cell(m, (r) => r.seconds, 2, 9)} ${k && m ? f(m.seconds / k.seconds).padStart(6) : '     -'}  ${cell(k, (r) => r.cpuSeconds, 1, 9)} ${cell(m, (r) => r.cpuSeconds, 1, 9)}  ${cell(k, (r) => r.peakRssMiB, 0, 9)} ${cell(m, (r) => r.peakRssMiB, 0, 9)}  ${k ? Math.round(names / k.seconds) : '-'} / ${m ? Math.round(names / m.seconds) : '-'}`);
    }
  }
}
for (const fo of follows) {
  const vis = fo.updates.map((u) => u.visibleMs).sort((a, b) => a - b);
  const ans = fo.updates.map((u) => u.answerMs).sort((a, b) => a - b);
  console.log(`${fo.server}: 10-record UPDATE on the signed ${biggest}-name zone (${opt.follow}): answered in ${f(ans[ans.length >> 1]!, 1)} ms median (max ${f(ans[ans.length - 1]!, 1)}), visible signed with its chain in ${f(vis[vis.length >> 1]!, 1)} ms median (max ${f(vis[vis.length - 1]!, 1)})`);
  console.log(`${fo.server}: dnsperf DO=0 ${Math.round(fo.qpsDo0)} q/s, DO=1 ${Math.round(fo.qpsDo1)} q/s: DO=1/DO=0 ${f(fo.qpsDo1 / fo.qpsDo0)} (DO=1 answers ${fo.responseBytesDo1} B on average, ${JSON.stringify(fo.rcodesDo1)})`);
}
const km = [follows.find((x) => x.server === 'knotd'), follows.find((x) => x.server === 'meshdns')];
if (km[0] && km[1]) console.log(`meshdns/knotd DO=1 throughput: ${f(km[1].qpsDo1 / km[0].qpsDo1)}; DO=0: ${f(km[1].qpsDo0 / km[0].qpsDo0)}`);
console.log(`server CPU ${SERVER_CPU} (+ CPU 1 with 2 threads), dnsperf on CPU 1; total bench time ${f((performance.now() - started) / 1000, 0)} s`);
console.log('commands:');
for (const c of commands) console.log(`  ${c}`);
