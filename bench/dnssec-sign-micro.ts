/**
 * Signatures per second on one thread for each DNSSEC algorithm, signing a typical A RRset
 * (www.example.test., two addresses) with signRRset, and verifying it with verifyRRsig.
 *   node dist/bench/dnssec-sign-micro.js [seconds per algorithm, default 2]
 */
import { DnssecAlgorithm } from '../dnssec/algorithm.js';
import { generateKey } from '../dnssec/keys.js';
import { signRRset, verifyRRsig, type RRsetToSign } from '../dnssec/rrsig.js';
import { parseName } from '../zones/name.js';

const seconds = Number(process.argv[2] ?? 2);
const zone = parseName('example.test.');
const set: RRsetToSign = { owner: parseName('www.example.test.'), type: 1, ttl: 3600, rdatas: [Uint8Array.of(192, 0, 2, 1), Uint8Array.of(192, 0, 2, 2)] };
const inception = Math.floor(Date.now() / 1000);
const expiration = inception + 14 * 86400;

function rate(run: () => void): number {
  for (let i = 0; i < 200; i++) run(); // warm-up
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now < end) {
    for (let i = 0; i < 100; i++) run();
    n += 100;
    now = performance.now();
  }
  return n / ((now - start) / 1000);
}

for (const [name, algorithm] of Object.entries(DnssecAlgorithm)) {
  const { key } = generateKey(algorithm, 256);
  const signs = rate(() => signRRset(set, zone, key, inception, expiration));
  const rrsig = signRRset(set, zone, key, inception, expiration);
  const verifies = rate(() => {
    if (!verifyRRsig(set, rrsig, key.dnskey)) throw new Error('signature does not verify');
  });
  console.log(`${name.padEnd(16)} sign ${Math.round(signs).toLocaleString('en-US').padStart(8)}/s   verify ${Math.round(verifies).toLocaleString('en-US').padStart(8)}/s`);
}
