// Command-line options of `npm run bench` (see bench/README.md for what each one changes).

import { parseArgs } from 'node:util';
import { setNiceness } from './proc.js';

export { SERVER_CPU, CLIENT_CPU } from './proc.js';

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    sizes: { type: 'string' },
    clients: { type: 'string', default: '4' },
    outstanding: { type: 'string', default: '200' },
    'tcp-clients': { type: 'string', default: '10' },
    'no-meshdns': { type: 'boolean', default: false },
    servers: { type: 'string', default: 'raw-dgram,knotd,meshdns,raw-lookup,meshdns-dgram' },
    'cpu-prof': { type: 'boolean', default: false },
    nice: { type: 'string' },
    repeat: { type: 'string', default: '1' },
    'noisy-reruns': { type: 'string', default: '2' },
  },
});

export const settings = {
  quick: opt.quick,
  duration: Number(opt.duration ?? (opt.quick ? 3 : 10)),
  warmup: Number(opt.warmup ?? (opt.quick ? 2 : 8)),
  sizes: (opt.sizes ?? (opt.quick ? '10000' : '10000,1000000')).split(',').map(Number),
  clients: Number(opt.clients),
  outstanding: Number(opt.outstanding),
  tcpClients: Number(opt['tcp-clients']),
  servers: opt.servers.split(','),
  meshdns: !opt['no-meshdns'] && opt.servers.split(',').includes('meshdns'),
  cpuProf: opt['cpu-prof'],
  nice: opt.nice !== undefined ? Number(opt.nice) : undefined,
  repeat: Number(opt.repeat),
  noisyReruns: Number(opt['noisy-reruns']),
};
for (const [k, v] of Object.entries(settings)) {
  if (typeof v === 'number' && !(Number.isFinite(v) && (k === 'nice' || v >= 0))) throw new RangeError(`--${k}: expected a number, got "${String(v)}"`);
}
if (!Number.isInteger(settings.repeat) || settings.repeat < 1) throw new RangeError(`--repeat: expected an integer >= 1, got "${settings.repeat}"`);
if (!Number.isInteger(settings.noisyReruns) || settings.noisyReruns < 0) throw new RangeError(`--noisy-reruns: expected an integer >= 0, got "${settings.noisyReruns}"`);
const SERVERS = ['raw-dgram', 'knotd', 'meshdns', 'raw-lookup', 'meshdns-dgram'];
for (const s of settings.servers) if (!SERVERS.includes(s)) throw new RangeError(`--servers: expected some of ${SERVERS.join(', ')}, got "${s}"`);
for (const n of settings.sizes) if (!Number.isInteger(n) || n < 100) throw new RangeError(`--sizes: expected integers >= 100, got "${n}"`);
setNiceness(settings.nice);
