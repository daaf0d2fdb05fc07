/**
 * Signatures per second on one thread for each DNSSEC algorithm, signing a typical A RRset
 * (www.example.test., two addresses) with signRRset, and verifying it with verifyRRsig. The "raw"
 * column is node:crypto's sign() alone on data of the same size: the ceiling signRRset can reach,
 * and a reference that stays meaningful when the machine is busy (compare the ratio).
 *   node dist/bench/dnssec-sign-micro.js [seconds per measurement, default 2]
 */
import { sign } from 'node:crypto';
import { DnssecAlgorithm } from '../dnssec/algorithm.js';
import { generateKey } from '../dnssec/keys.js';
import { signRRset, verifyRRsig, type RRsetToSign } from '../dnssec/rrsig.js';
import { parseName } from '../zones/name.js';

const seconds = Number(process.argv[2] ?? 2);
const zone = parseName('example.test.');
const set: RRsetToSign = { owner: parseName('www.example.test.'), type: 1, ttl: 3600, rdatas: [Uint8Array.of(192, 0, 2, 1), Uint8Array.of(192, 0, 2, 2)] };
const inception = Math.floor(Date.now() / 1000);
const expiration = inception + 14 * 86400;

/**
 * Calls per second of each function, measured in alternating 50 ms slices so that a busy machine
 * slows them all alike (the ratios stay fair even when the absolute figures drop).
 */
function rates(...runs: (() => unknown)[]): number[] {
  for (const run of runs) for (let i = 0; i < 200; i++) run(); // warm-up
  const counts = runs.map(() => 0);
  const times = runs.map(() => 0);
  const end = performance.now() + seconds * 1000 * runs.length;
  while (performance.now() < end) {
    runs.forEach((run, i) => {
      const start = performance.now();
      let now = start;
      while (now - start < 50) {
        for (let k = 0; k < 20; k++) run();
        counts[i]! += 20;
        now = performance.now();
      }
      times[i]! += now - start;
    });
  }
  return counts.map((n, i) => n / (times[i]! / 1000));
}

for (const [name, algorithm] of Object.entries(DnssecAlgorithm)) {
  const { key } = generateKey(algorithm, 256);
  const data = Buffer.alloc(18 + zone.length + 2 * (set.owner.length + 10 + 4), 7);
  const hash = algorithm === DnssecAlgorithm.ED25519 ? null : 'sha256';
  const options = algorithm === DnssecAlgorithm.ECDSAP256SHA256 ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' as const } : key.privateKey;
  const rrsig = signRRset(set, zone, key, inception, expiration);
  const [raw, signs, verifies] = rates(
    () => sign(hash, data, options),
    () => signRRset(set, zone, key, inception, expiration),
    () => {
      if (!verifyRRsig(set, rrsig, key.dnskey)) throw new Error('signature does not verify');
    },
  ) as [number, number, number];
  const f = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(8);
  console.log(`${name.padEnd(16)} signRRset ${f(signs)}/s  (raw crypto.sign ${f(raw)}/s, ${Math.round((signs / raw) * 100)}%)   verifyRRsig ${f(verifies)}/s`);
}
