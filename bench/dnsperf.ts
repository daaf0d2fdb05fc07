// One dnsperf run, pinned to the client CPU, with its summary parsed.

import { execFile } from 'node:child_process';
import { CLK_TCK, pinnedCommand, shellQuote } from './proc.js';

const CPU_MARK = '__dnsperf_cpu_ticks__';

export interface DnsperfOptions {
  readonly cpu: string;
  readonly port: number;
  readonly queryFile: string;
  readonly seconds: number;
  readonly clients: number;
  readonly outstanding: number;
  readonly tcp: boolean;
  /** -n: stop after this many passes over the query file (whichever of -n and -l comes first). */
  readonly maxRuns?: number | undefined;
  /** -Q: cap the offered rate (queries/s); undefined = as fast as the server answers. */
  readonly maxQps?: number | undefined;
}

export interface DnsperfResult {
  readonly commandLine: string;
  readonly sent: number;
  readonly completed: number;
  readonly lost: number;
  readonly lostPct: number;
  readonly qps: number;
  readonly runSeconds: number;
  readonly avgLatencyMs: number;
  readonly rcodes: Readonly<Record<string, number>>;
  readonly avgRequestBytes: number;
  readonly avgResponseBytes: number;
  /** dnsperf's own CPU (user+sys) over its wall time, % of one core: near 100 means the client limited the run. */
  readonly clientCpuPct: number;
}

export function dnsperfCommand(o: DnsperfOptions): [string, string[]] {
  return pinnedCommand(o.cpu, 'dnsperf', [
    '-s', '127.0.0.1', '-p', String(o.port),
    '-d', o.queryFile,
    '-l', String(o.seconds),
    '-c', String(o.clients),
    '-q', String(o.outstanding),
    '-t', '2',
    ...(o.maxRuns !== undefined ? ['-n', String(o.maxRuns)] : []),
    ...(o.tcp ? ['-m', 'tcp'] : []),
    ...(o.maxQps !== undefined ? ['-Q', String(o.maxQps)] : []),
  ]);
}

function num(out: string, re: RegExp): number {
  const m = re.exec(out);
  return m?.[1] !== undefined ? Number(m[1]) : NaN;
}

export function parseDnsperf(out: string, commandLine: string, clientCpuPct = NaN): DnsperfResult {
  const rcodes: Record<string, number> = {};
  const rc = /Response codes:\s+(.*)/.exec(out)?.[1] ?? '';
  for (const m of rc.matchAll(/([A-Z]+) (\d+) \(/g)) rcodes[m[1]!] = Number(m[2]);
  return {
    commandLine,
    sent: num(out, /Queries sent:\s+(\d+)/),
    completed: num(out, /Queries completed:\s+(\d+)/),
    lost: num(out, /Queries lost:\s+(\d+)/),
    lostPct: num(out, /Queries lost:\s+\d+ \(([\d.]+)%\)/),
    qps: num(out, /Queries per second:\s+([\d.]+)/),
    runSeconds: num(out, /Run time \(s\):\s+([\d.]+)/),
    avgLatencyMs: num(out, /Average Latency \(s\):\s+([\d.]+)/) * 1000,
    rcodes,
    avgRequestBytes: num(out, /Average packet size:\s+request (\d+)/),
    avgResponseBytes: num(out, /Average packet size:\s+request \d+, response (\d+)/),
    clientCpuPct,
  };
}

export function runDnsperf(o: DnsperfOptions): Promise<DnsperfResult> {
  const [exe, args] = dnsperfCommand(o);
  const commandLine = shellQuote([exe, ...args]);
  // The shell waits for dnsperf, then prints its own cutime/cstime (fields 16, 17 of /proc/$$/stat):
  // dnsperf's CPU time, without needing GNU time.
  const wrapped = ['-c', `"$@"; rc=$?; echo "${CPU_MARK} $(cut -d' ' -f16,17 /proc/$$/stat)" >&2; exit $rc`, 'sh', exe, ...args];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile('sh', wrapped, { maxBuffer: 16 << 20, timeout: (o.seconds + 60) * 1000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`dnsperf failed: ${err.message}\n${stdout}\n${stderr}`));
        return;
      }
      const wallMs = performance.now() - t0;
      const m = new RegExp(`${CPU_MARK} (\\d+) (\\d+)`).exec(stderr);
      const clientCpuPct = m ? (100 * ((Number(m[1]) + Number(m[2])) / CLK_TCK) * 1000) / wallMs : NaN;
      const r = parseDnsperf(stdout, commandLine, clientCpuPct);
      if (Number.isNaN(r.qps)) reject(new Error(`could not parse dnsperf output:\n${stdout}\n${stderr}`));
      else resolve(r);
    });
  });
}
