// What the choice of certificate costs: making the self-signed certificate at first start
// (@peculiar/x509 on WebCrypto, P-256) and, per full TLS handshake, the server's signature —
// ECDSA P-256 against RSA-2048 (node-forge, the other candidate, makes RSA certificates only; its
// pure-JS RSA key generation is slower still than node:crypto's, measured here as the lower bound).
//
// Usage: node dist/bench/tls-cert-cost.js

import { generateKeyPairSync, sign } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { makeSelfSigned } from '../server/tls/self-signed.js';

const t0 = performance.now();
await import('reflect-metadata');
await import('@peculiar/x509');
const loadMs = performance.now() - t0;
const times: number[] = [];
for (let i = 0; i < 5; i++) {
  const s = performance.now();
  await makeSelfSigned();
  times.push(performance.now() - s);
}
console.log(`@peculiar/x509: loading ${loadMs.toFixed(0)} ms once; a self-signed P-256 certificate in ${Math.min(...times).toFixed(1)}-${Math.max(...times).toFixed(1)} ms`);

const rsaStart = performance.now();
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
console.log(`RSA-2048 key generation (node:crypto, native): ${(performance.now() - rsaStart).toFixed(0)} ms`);
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const data = Buffer.alloc(64, 1);
for (const [name, key] of [['ECDSA P-256', ec.privateKey], ['RSA-2048', rsa.privateKey]] as const) {
  const n = 2000;
  const s = performance.now();
  for (let i = 0; i < n; i++) sign('sha256', data, key);
  console.log(`${name}: ${(((performance.now() - s) * 1000) / n).toFixed(0)} µs per handshake signature`);
}
