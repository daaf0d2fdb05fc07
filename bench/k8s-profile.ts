// Where did meshdns's event loop block? Reads a V8 .cpuprofile (`npm run bench:k8s -- --cpu-prof`)
// and finds the stretches of consecutive busy samples (no "(idle)" sample between them: the event
// loop did not come back to poll, so no query was answered), longest first, with the functions of
// meshdns and its packages that held each one (inclusive time within the stretch).
//
//   node dist/bench/k8s-profile.js FILE.cpuprofile [minimum stretch ms, default 100]

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Stretch {
  /** ms after the profile started (about the process start). */
  startMs: number;
  ms: number;
  /** Functions of dist/ and node_modules/ by inclusive ms within the stretch. */
  top: { name: string; ms: number }[];
  /** Any function (node internals, GC included) by self ms within the stretch. */
  self: { name: string; ms: number }[];
}

function frameName(n: ProfileNode): string {
  const url = n.callFrame.url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
}

export function blockedStretches(file: string, minMs = 100, topN = 10): Stretch[] {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const stretches: Stretch[] = [];
  let t = 0;
  let start = -1;
  let startT = 0;
  const close = (end: number, endT: number): void => {
    const ms = (endT - startT) / 1000;
    if (ms < minMs) return;
    const inclusive = new Map<string, number>();
    const self = new Map<string, number>();
    for (let i = start; i < end; i++) {
      const leaf = frameName(byId.get(p.samples[i]!)!);
      self.set(leaf, (self.get(leaf) ?? 0) + (p.timeDeltas[i + 1] ?? 0) / 1000);
      const seen = new Set<string>();
      for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) {
        const node = byId.get(id)!;
        if (!/\/(dist|node_modules)\//.test(node.callFrame.url)) continue;
        const name = frameName(node);
        if (seen.has(name)) continue;
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + (p.timeDeltas[i + 1] ?? 0) / 1000);
      }
    }
    const top = [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, topN).map(([name, v]) => ({ name, ms: v }));
    const selfTop = [...self].sort((a, b) => b[1] - a[1]).slice(0, topN).map(([name, v]) => ({ name, ms: v }));
    stretches.push({ startMs: startT / 1000, ms, top, self: selfTop });
  };
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    const busy = !idle.has(p.samples[i]!);
    if (busy && start < 0) {
      start = i;
      startT = t;
    } else if (!busy && start >= 0) {
      close(i, t);
      start = -1;
    }
  }
  if (start >= 0) close(p.samples.length, t);
  return stretches.sort((a, b) => b.ms - a.ms);
}

export function renderStretches(stretches: Stretch[], limit = 6): string {
  return stretches.slice(0, limit).map((s) => [
    `  blocked ${s.ms.toFixed(0)} ms from process start + ${(s.startMs / 1000).toFixed(2)} s; inclusive within it:`,
    ...s.top.map((f) => `    ${f.ms.toFixed(0).padStart(6)} ms  ${f.name}`),
    '    self time within it:',
    ...s.self.map((f) => `    ${f.ms.toFixed(0).padStart(6)} ms  ${f.name}`),
  ].join('\n')).join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (file === undefined) {
    console.error('usage: node dist/bench/k8s-profile.js FILE.cpuprofile [minimum ms]');
    process.exit(2);
  }
  console.log(renderStretches(blockedStretches(file, Number(process.argv[3] ?? '100')), 10));
}
