// Run by test/k8s/apiserver.test.ts as its own process: starts a long-lived child the way the
// Kubernetes harness starts etcd and kube-apiserver, prints its PID and folder, then ends as argv[2]
// says: `throw` (an uncaught exception) or `wait` (until the test SIGKILLs this process).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHarnessChild } from './kube-process.js';

const mode = process.argv[2];
const dir = mkdtempSync(path.join(os.tmpdir(), 'meshdns-kube-crash-'));
const child = startHarnessChild('sleep', ['600'], path.join(dir, 'sleep.log'));
process.stdout.write(`${child.process.pid} ${dir}\n`);
if (mode === 'throw') {
  setTimeout(() => {
    throw new Error('crash on purpose');
  }, 100);
} else {
  setInterval(() => undefined, 1_000);
}
