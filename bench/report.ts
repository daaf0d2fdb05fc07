// Plain-text tables and ratios for one zone size. Informational only: nothing here asserts.

import { isNoisy, type LoadRun, type Proto, type ServerName, type SizeResult } from './results.js';

export function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

export const f0 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '-' : Math.round(x).toLocaleString('en-US'));
export const f1 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(1));
export const f2 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(2));
export const f3 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(3));

export function sizeLabel(n: number): string {
  return n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : String(n);
}

function rcodeMix(r: LoadRun): string {
  const total = Object.values(r.dnsperf.rcodes).reduce((a, b) => a + b, 0) || 1;
  return Object.entries(r.dnsperf.rcodes)
    .map(([k, v]) => `${k} ${((100 * v) / total).toFixed(1)}%`)
    .join(', ');
}

function find(s: SizeResult, server: ServerName, proto: Proto): LoadRun | undefined {
  return s.runs.find((r) => r.server === server && r.proto === proto);
}

function verdict(ratio: number | undefined, ok: (r: number) => boolean): string {
  return ratio === undefined || !Number.isFinite(ratio) ? 'n/a' : ok(ratio) ? 'met' : 'MISSED';
}

function loadTable(s: SizeResult, proto: Proto): string {
  const runs = s.runs.filter((r) => r.proto === proto);
  return table(
    ['server', 'QPS', 'µs CPU/query', 'warm-up QPS', 'warm-up µs/q', 'server CPU %', 'client CPU %', 'lost %', 'noise: others % / steal % (server, client)', 'avg latency ms', 'resp bytes', 'rcodes'],
    runs.map((r) => [
      r.server,
      f0(r.dnsperf.qps),
      f2(r.cpuMicrosPerQuery),
      f0(r.warmUp?.dnsperf.qps),
      f2(r.warmUp?.cpuMicrosPerQuery),
      f1(r.serverCpuPct),
      f1(r.dnsperf.clientCpuPct),
      `${f3(r.dnsperf.lostPct)} (${r.dnsperf.lost})`,
      `${f1(r.otherProcsCpuPct)} / ${f1(r.serverCpuStealPct)}, ${f1(r.clientCpuStealPct)}`,
      f3(r.dnsperf.avgLatencyMs),
      f0(r.dnsperf.avgResponseBytes),
      rcodeMix(r),
    ]),
  );
}

export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}

export function renderSize(s: SizeResult): string {
  const out: string[] = [];
  const label = sizeLabel(s.names);
  out.push(`\n=== ${label} names — zone ${f0(s.zoneFileBytes / 1024)} KiB, ${f0(s.queries)} query lines ===`);

  const udpMesh = find(s, 'meshdns', 'udp');
  const udpRaw = find(s, 'raw-dgram', 'udp');
  const udpKnot = find(s, 'knotd', 'udp');
  const udpLookup = find(s, 'raw-lookup', 'udp');
  const udpMeshDgram = find(s, 'meshdns-dgram', 'udp');
  out.push(`\nUDP (${label})`);
  out.push(loadTable(s, 'udp'));
  const qRaw = ratio(udpMesh?.dnsperf.qps, udpRaw?.dnsperf.qps);
  const qKnot = ratio(udpMesh?.dnsperf.qps, udpKnot?.dnsperf.qps);
  out.push(
    table(
      ['ratio (UDP)', 'QPS', 'µs CPU/query', 'target'],
      [
        ['meshdns / raw-dgram', f2(qRaw), f2(ratio(udpMesh?.cpuMicrosPerQuery, udpRaw?.cpuMicrosPerQuery)), `QPS ≥ 0.90: ${verdict(qRaw, (r) => r >= 0.9)}`],
        ['meshdns / knotd', f2(qKnot), f2(ratio(udpMesh?.cpuMicrosPerQuery, udpKnot?.cpuMicrosPerQuery)), ''],
        ['raw-dgram / knotd', f2(ratio(udpRaw?.dnsperf.qps, udpKnot?.dnsperf.qps)), f2(ratio(udpRaw?.cpuMicrosPerQuery, udpKnot?.cpuMicrosPerQuery)), ''],
        ...(udpLookup === undefined ? [] : [
          ['meshdns / raw-lookup', f2(ratio(udpMesh?.dnsperf.qps, udpLookup.dnsperf.qps)), f2(ratio(udpMesh?.cpuMicrosPerQuery, udpLookup.cpuMicrosPerQuery)), ''],
          ['raw-lookup / raw-dgram', f2(ratio(udpLookup.dnsperf.qps, udpRaw?.dnsperf.qps)), f2(ratio(udpLookup.cpuMicrosPerQuery, udpRaw?.cpuMicrosPerQuery)), 'the LMDB floor'],
        ]),
        ...(udpMeshDgram === undefined ? [] : [
          ['meshdns-dgram / raw-dgram', f2(ratio(udpMeshDgram.dnsperf.qps, udpRaw?.dnsperf.qps)), f2(ratio(udpMeshDgram.cpuMicrosPerQuery, udpRaw?.cpuMicrosPerQuery)), 'batching off'],
          ['meshdns / meshdns-dgram', f2(ratio(udpMesh?.dnsperf.qps, udpMeshDgram.dnsperf.qps)), f2(ratio(udpMesh?.cpuMicrosPerQuery, udpMeshDgram.cpuMicrosPerQuery)), 'what batching buys'],
        ]),
      ],
    ),
  );

  const tcpMesh = find(s, 'meshdns', 'tcp');
  const tcpKnot = find(s, 'knotd', 'tcp');
  if (tcpMesh !== undefined || tcpKnot !== undefined) {
    out.push(`\nTCP (${label})`);
    out.push(loadTable(s, 'tcp'));
    const t = ratio(tcpMesh?.dnsperf.qps, tcpKnot?.dnsperf.qps);
    out.push(
      table(
        ['ratio (TCP)', 'QPS', 'µs CPU/query', 'target'],
        [['meshdns / knotd', f2(t), f2(ratio(tcpMesh?.cpuMicrosPerQuery, tcpKnot?.cpuMicrosPerQuery)), `QPS ≥ 1.5: ${verdict(t, (r) => r >= 1.5)}`]],
      ),
    );
  }

  const st = s.startup;
  const ms = (x: number | undefined): string => (x === undefined ? '-' : `${f0(x)} ms`);
  out.push(`\nStartup and memory (${label})`);
  const importRatio = ratio(st.meshdnsImportReadyMs ?? st.meshdnsImportFirstAnswerMs, st.knotdLoadMs);
  const mk = s.memory.knotd;
  const mm = s.memory.meshdns;
  const mr = s.memory['meshdns-restarted'];
  const rssRatio = ratio(mm?.treeRssKiB, mk?.treeRssKiB);
  const rssRatioRestarted = ratio(mr?.treeRssKiB, mk?.treeRssKiB);
  const mib = (k: number | undefined): string => (k === undefined ? '-' : `${f1(k / 1024)} MiB`);
  out.push(
    table(
      ['measure', 'meshdns', 'knotd', 'meshdns/knotd', 'target'],
      [
        [
          'import / load (spawn → ready | SOA)',
          st.meshdnsImportReadyMs !== undefined ? ms(st.meshdnsImportReadyMs) : st.meshdnsImportFirstAnswerMs !== undefined ? `${ms(st.meshdnsImportFirstAnswerMs)}*` : '-',
          ms(st.knotdLoadMs), f2(importRatio), `≤ 2.0: ${verdict(importRatio, (r) => r <= 2)}`],
        ['import: spawn → first correct answer', ms(st.meshdnsImportFirstAnswerMs), ms(st.knotdLoadMs), f2(ratio(st.meshdnsImportFirstAnswerMs, st.knotdLoadMs)), ''],
        ['restart: spawn → first correct answer', ms(st.meshdnsRestartFirstAnswerMs), ms(st.knotdRestartMs), f2(ratio(st.meshdnsRestartFirstAnswerMs, st.knotdRestartMs)), `< 500 ms: ${st.meshdnsRestartFirstAnswerMs === undefined ? 'n/a' : st.meshdnsRestartFirstAnswerMs < 500 ? 'met' : 'MISSED'}`],
        ['restart: spawn → ready', ms(st.meshdnsRestartReadyMs), '-', '-', ''],
        ['RSS after import + load runs', mib(mm?.treeRssKiB), mib(mk?.treeRssKiB), f2(rssRatio), `< 1.0: ${verdict(rssRatio, (r) => r < 1)}`],
        ['  anon / file-backed', mm ? `${mib(mm.anonKiB)} / ${mib(mm.fileKiB)}` : '-', mk ? `${mib(mk.anonKiB)} / ${mib(mk.fileKiB)}` : '-', '', ''],
        ['RSS after restart + UDP load', mib(mr?.treeRssKiB), mib(mk?.treeRssKiB), f2(rssRatioRestarted), `< 1.0: ${verdict(rssRatioRestarted, (r) => r < 1)}`],
        ['  anon / file-backed', mr ? `${mib(mr.anonKiB)} / ${mib(mr.fileKiB)}` : '-', '', '', ''],
      ],
    ),
  );
  if (st.meshdnsImportReadyMs === undefined && st.meshdnsImportFirstAnswerMs !== undefined) out.push('* no "ready" line seen: first correct answer used instead');
  const noisy = s.runs.filter(isNoisy);
  if (noisy.length > 0) {
    out.push(
      `\nNoise warning (${label}): ` +
        noisy.map((r) => `${r.server}/${r.proto} ran beside ${f0(r.otherProcsCpuPct)}% of a core of other processes, ${f1(r.serverCpuStealPct)}% steal on the server's CPU, ${f1(r.clientCpuStealPct)}% on dnsperf's${r.noisyReruns ? ` (best of ${r.allQps.length} tries, ${r.noisyReruns} of them reruns for noise)` : ''}`).join('; ') +
        ' — rerun on a quiet machine before trusting these ratios.',
    );
  }
  if (s.errors.length > 0) out.push(`\nErrors (${label}):\n` + s.errors.map((e) => `  - ${e}`).join('\n'));
  return out.join('\n');
}
