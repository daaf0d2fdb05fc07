// `npm run bench:k8s`: the printed report — scale, freshness, queries during the sync — with the
// issue's targets marked met or MISSED. Informational only: nothing here fails the run.

import type { BurstFigures, ChangeKind, ChangeSample, StallSummary, SyncFigures } from './k8s-phases.js';
import { percentile } from './k8s-probe.js';
import type { Stretch } from './k8s-profile.js';
import { f0, f1, table } from './report.js';

export interface K8sResults {
  settings: { services: number; nodes: number; more: number; changes: number; inFlight: number; gapMs: number; debounce: string; sample: number; rrsetLimit: number };
  machine: Record<string, string>;
  loadAverage: { start: number[]; end: number[] };
  creation: { servicesMs: number; nodesMs: number };
  sync?: SyncFigures;
  idleStall?: StallSummary;
  burst?: BurstFigures;
  knotdCatchUpMs?: number;
  freshness?: ChangeSample[];
  finalRss?: { rssMiB: number; hwmMiB: number };
  /** With --cpu-prof: where meshdns's event loop was blocked for 100 ms or more. */
  blocked?: Stretch[];
  error?: string;
}

const TARGETS = { servedWithinMs: 30_000, rssMiB: 300, freshP99Ms: 200, knotdMs: 1_000 };
const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'n/a' : ok ? 'met' : 'MISSED');
const ms = (x: number | undefined): string => (x === undefined ? '-' : x >= 10_000 ? `${f1(x / 1000)} s` : `${f1(x)} ms`);

function scale(r: K8sResults): string {
  const s = r.sync;
  const { services, nodes } = r.settings;
  const rows: string[][] = [
    [`${f0(services)} Services created before start (API)`, ms(r.creation.servicesMs), `${f0(services / (r.creation.servicesMs / 1000))}/s`, ''],
    [`${f0(nodes)} Nodes created before start (API)`, ms(r.creation.nodesMs), `${f0(nodes / (r.creation.nodesMs / 1000))}/s`, ''],
  ];
  if (s) {
    rows.push(
      ['meshdns spawn → first answer (zone file)', ms(s.firstAnswerMs), '', ''],
      ['spawn → "kubernetes: synced" log line', ms(s.syncedLineMs), '', ''],
      ['spawn → last Service and Node answer', ms(s.canaryMs), '', ''],
      [`spawn → all ${f0(services)} names served (sample + AXFR)`, ms(s.servedMs), `target ≤ 30 s`, verdict(s.servedMs <= TARGETS.servedWithinMs)],
      ['RSS once synced (VmRSS)', `${f1(s.rssMiB)} MiB`, 'target < 300 MiB', verdict(s.rssMiB < TARGETS.rssMiB)],
      ['peak RSS until synced (VmHWM)', `${f1(s.hwmMiB)} MiB`, 'target < 300 MiB', verdict(s.hwmMiB < TARGETS.rssMiB)],
      ['meshdns CPU until served', `${f1(s.cpuSeconds)} s`, '', ''],
      [`sample by UDP: ${s.sample.names} random names`, `${s.sample.failed} failed`, '', ''],
      ['AXFR once served', `${f0(s.axfr.records)} RRs, serial ${s.axfr.serial}`, `${f0(s.axfr.services)} svc, ${f0(s.axfr.nodeNames)} node, ${f0(s.axfr.wwwAddresses)} www A`, ''],
    );
    if (s.refusedObjects > 0 || s.fallbacks > 0) rows.push(['objects refused / batches committed object by object', `${f0(s.refusedObjects)} / ${f0(s.fallbacks)}`, '(log lines)', '']);
    const shown = s.commits.length <= 4 ? s.commits : [s.commits[0]!, s.commits.at(-1)!];
    if (s.commits.length > 4) rows.push([`  ${s.commits.length} commits (parts of the first batch), first and last:`, `${f0(s.commits.reduce((n, c) => n + c.objects, 0))} objects`, `${f0(s.commits.reduce((n, c) => n + c.added, 0))} RRs added`, '']);
    for (const c of shown) rows.push([`  commit at spawn + ${ms(c.atMs)}`, `${f0(c.objects)} objects`, `${f0(c.added)} RRs added`, '']);
  }
  const b = r.burst;
  if (b) {
    rows.push(
      [`${f0(b.count)} more Services, meshdns running: POSTs`, ms(b.createMs), `${f0(b.count / (b.createMs / 1000))}/s`, ''],
      ['  first POST → all served', ms(b.allServedMs), '', ''],
      ['  last POST answered → all served', ms(b.afterLastCreateMs), '', ''],
      ['  per name: POST answered → served, p50 / p99 / max', `${ms(percentile(b.perName, 0.5))} / ${ms(percentile(b.perName, 0.99))}`, ms(Math.max(...b.perName)), ''],
      ['  RSS / peak after them', `${f1(b.rssMiB)} MiB`, `${f1(b.hwmMiB)} MiB`, verdict(b.hwmMiB < TARGETS.rssMiB)],
    );
  }
  if (r.finalRss) rows.push(['RSS / peak at the end of the run', `${f1(r.finalRss.rssMiB)} MiB`, `${f1(r.finalRss.hwmMiB)} MiB`, verdict(r.finalRss.hwmMiB < TARGETS.rssMiB)]);
  return table(['scale', 'measured', '', 'target'], rows);
}

function freshness(samples: ChangeSample[]): string {
  const kinds: (ChangeKind | 'all')[] = ['all', 'create', 'retarget', 'delete', 'node-notready', 'node-ready'];
  const rows = kinds.flatMap((kind) => {
    const xs = kind === 'all' ? samples : samples.filter((s) => s.kind === kind);
    if (xs.length === 0) return [];
    const served = xs.map((s) => s.servedMs);
    const knotd = xs.flatMap((s) => (s.knotdMs === undefined ? [] : [s.knotdMs]));
    const call = xs.map((s) => s.callMs);
    return [[kind, String(xs.length), f1(percentile(call, 0.5)),
      f1(percentile(served, 0.5)), f1(percentile(served, 0.9)), f1(percentile(served, 0.99)), f1(Math.max(...served)),
      f1(percentile(knotd, 0.5)), f1(percentile(knotd, 0.9)), f1(percentile(knotd, 0.99)), knotd.length > 0 ? f1(Math.max(...knotd)) : '-']];
  });
  const served = samples.map((s) => s.servedMs);
  const knotd = samples.flatMap((s) => (s.knotdMs === undefined ? [] : [s.knotdMs]));
  const p99 = percentile(served, 0.99);
  const k99 = percentile(knotd, 0.99);
  const p50 = percentile(served, 0.5);
  return [
    table(['change (ms after the API call returned)', 'n', 'call p50', 'served p50', 'p90', 'p99', 'max', 'knotd p50', 'p90', 'p99', 'max'], rows),
    '',
    table(['freshness target', 'measured', 'target', ''], [
      ['change → meshdns answers, p99', ms(p99), '< 200 ms', verdict(p99 === undefined ? undefined : p99 < TARGETS.freshP99Ms)],
      ['change → knotd secondary answers, p99', ms(k99), '< 1 s', verdict(k99 === undefined ? undefined : k99 < TARGETS.knotdMs)],
      ['change → knotd secondary answers, max', ms(knotd.length > 0 ? Math.max(...knotd) : undefined), '< 1 s', verdict(knotd.length === 0 ? undefined : Math.max(...knotd) < TARGETS.knotdMs)],
      ['ExternalDNS default interval (context, not measured)', '60 s', p50 ? `${f0(60_000 / p50)}x meshdns p50` : '', ''],
      ['ExternalDNS typical interval (context, not measured)', '30 s (mean wait ~15 s)', p50 ? `${f0(15_000 / p50)}x meshdns p50` : '', ''],
    ]),
  ].join('\n');
}

function stall(sync: SyncFigures, idle: StallSummary | undefined): string {
  const row = (label: string, s: StallSummary | undefined): string[] => s === undefined ? [label, '-', '-', '-', '-', '-', '-', '-', '-'] : [
    label, f0(s.answered), f0(s.lost), f1(s.p50), f1(s.p99), f1(s.p999), f1(s.max), `${f0(s.over10ms)} / ${f0(s.over100ms)}`, ms(s.maxAtMs),
  ];
  const out = [table(['query every 1 ms, zone-file name', 'answered', 'lost', 'p50 ms', 'p99', 'p99.9', 'max', '>10 / >100 ms', 'worst sent at'], [
    row('during the initial sync (spawn → served + 1 s)', sync.stall),
    row('  sent before "kubernetes: watching" (start)', sync.stallBeforeWatching),
    row('  sent after it (lists, first batch commits)', sync.stallAfterWatching),
    row('meshdns synced and idle (same probe, baseline)', idle),
  ])];
  const worst = sync.stall.worst.map((w) => `${f1(w.rtt)} ms at spawn + ${ms(w.atMs)}`).join('; ');
  out.push(`worst round trips during the sync: ${worst || '-'}`);
  const watched = sync.stallAfterWatching?.max;
  if (watched !== undefined) out.push(`worst round trip of a query sent after "kubernetes: watching": ${f1(watched)} ms (sent at spawn + ${ms(sync.stallAfterWatching?.maxAtMs)})`);
  const max = sync.stall.max ?? 0;
  const during = watched !== undefined && max > watched ? 'before "kubernetes: watching" (the server starting, the Kubernetes client loading)' : 'while the lists arrived and the first batch was committed';
  if (max >= 1000) {
    out.push(`FINDING: meshdns stopped answering for ~${f1(max / 1000)} s during the initial sync, ${during} (a query sent at spawn + ${ms(sync.stall.maxAtMs)} waited ${f0(max)} ms);`
      + ` the watcher's ${sync.commits.length} commit(s) of the first batch ran from spawn + ${ms(sync.commits[0]?.atMs)} to ${ms(sync.commits.at(-1)?.atMs)}. Long work blocked answers (--cpu-prof names it).`);
  } else if (max >= 100) {
    out.push(`FINDING: answers were delayed up to ${f0(max)} ms during the initial sync (worst query sent at spawn + ${ms(sync.stall.maxAtMs)}).`);
  }
  return out.join('\n');
}

export function renderK8s(r: K8sResults): string {
  const out: string[] = [];
  out.push(`bench:k8s — ${r.settings.services} LoadBalancer Services (hostname + target annotations) and ${r.settings.nodes} Ready Nodes in a real kube-apiserver 1.20.2 on 127.0.0.1; debounce ${r.settings.debounce}, limits.recordsPerRRset ${r.settings.rrsetLimit === 0 ? 'default (1000)' : r.settings.rrsetLimit}`);
  out.push(`${r.machine['cpu']}, ${r.machine['cores']} cores, ${r.machine['kernel']}, node ${r.machine['node']}; load average at start ${r.loadAverage.start.map((x) => x.toFixed(1)).join(' ')}, at end ${r.loadAverage.end.map((x) => x.toFixed(1)).join(' ')}`);
  out.push('');
  out.push(scale(r));
  if (r.sync) {
    out.push('');
    out.push(stall(r.sync, r.idleStall));
  }
  if (r.freshness && r.freshness.length > 0) {
    out.push('');
    if (r.knotdCatchUpMs !== undefined) out.push(`knotd secondary started after the burst: its first transfer of the zone took ${ms(r.knotdCatchUpMs)}`);
    out.push(freshness(r.freshness));
  }
  if (r.error !== undefined) out.push(`\nFAILED: ${r.error}`);
  return out.join('\n');
}
