/**
 * signTable alone, in this process, on a generated zone: parse the zone file into a record table,
 * then sign it whole with 1 or more threads (the sign pool), as the loader process does inside its
 * commit. Prints one JSON line: signatures, milliseconds, signatures per second (of wall time and of
 * CPU time, all threads: on a shared machine the second says what the code costs), and the process's
 * peak RSS before and after signing (the pool's threads included: they are threads of this process).
 *   node dist/bench/dnssec-sign-table.js <names> <nsec|nsec3> <threads>
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signTable } from '../dnssec/bulk-sign.js';
import { initialKeys } from '../dnssec/initial-keys.js';
import type { ZonePolicy } from '../dnssec/sign-stage.js';
import { closeSignPool, useSignPool } from '../dnssec/sign-pool.js';
import { ZoneSigner } from '../dnssec/zone-signer.js';
import { loadZoneFile } from '../zones/import/zone-source.js';
import { nameToKey, parseName } from '../zones/name.js';
import { RRType } from '../zones/rrtype.js';
import { generateZone } from './zone-gen.js';

const [names = '10000', denial = 'nsec', threads = '1'] = process.argv.slice(2);
const root = fileURLToPath(new URL('../../', import.meta.url));
const zone = generateZone(Number(names), join(root, '.bench-out'));
const origin = parseName(zone.origin);
const loaded = loadZoneFile(zone.zoneFile, origin);
if (!loaded.ok) throw new Error(`${zone.zoneFile} does not load`);
const table = loaded.table;
let soa: Uint8Array | undefined;
for (let i = 0; i < table.count && !soa; i++) if (table.type[i] === RRType.SOA && table.dropped[i] === 0) soa = table.rdata(i).slice();
const policy: ZonePolicy = {
  algorithm: 'ecdsap256sha256', keys: 'csk', cds: true, rrsigValidity: 14 * 86400, rrsigRefresh: 7 * 86400, dnskeyTtl: 3600,
  denial: denial === 'nsec3' ? 'nsec3' : 'nsec', nsec3: { iterations: 0, saltLength: 0, optOut: false },
};
const now = Math.floor(Date.now() / 1000);
const signer = new ZoneSigner(origin, initialKeys(policy, now), policy, now);
useSignPool(Number(threads));
const rssBeforeMiB = process.resourceUsage().maxRSS / 1024;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const { signatures } = signTable(table, nameToKey(origin), signer, soa!);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
console.log(JSON.stringify({
  names: Number(names), denial: policy.denial, threads: Number(threads), records: loaded.table.liveCount, signatures, ms: Math.round(ms),
  perSecond: Math.round(signatures / (ms / 1000)), cpuMs: Math.round(cpuMs), perCpuSecond: Math.round(signatures / (cpuMs / 1000)), peakRssBeforeMiB: Math.round(rssBeforeMiB), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
}));
await closeSignPool();
