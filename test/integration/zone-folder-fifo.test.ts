import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { dig } from '../helpers/tools.js';

// A FIFO named *.zone in the watched folder: reading it would block until a writer comes, and a
// synchronous read blocks the event loop, so DNS and the API with it. It must be refused unread.

let zoneDir: string;
let server: RunningMeshdns | undefined;
const fifo = (): string => join(zoneDir, 'fifo.test.zone');

before(async () => {
  zoneDir = mkdtempSync(join(tmpdir(), 'meshdns-fifo-'));
  writeFileSync(join(zoneDir, 'ok.test.zone'), '$TTL 300\n@ SOA ns hm 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.10\n');
  server = await startMeshdns({ zoneDir });
});
after(async () => {
  // if a read is stuck on the FIFO, a writer that opens and closes it gives the reader EOF
  try {
    closeSync(openSync(fifo(), constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // no reader: nothing is stuck
  }
  await server?.stop();
  rmSync(zoneDir, { recursive: true, force: true });
});

test('a FIFO named *.zone is reported as not a regular file; DNS and the API keep answering', async () => {
  const made = spawnSync('mkfifo', [fifo()]);
  assert.equal(made.status, 0, String(made.stderr));
  const reported = await server!.waitForLog((e) => /not a regular file/.test(JSON.stringify(e)), 10_000);
  assert.match(JSON.stringify(reported), /fifo\.test\.zone/);
  const answer = dig(['@127.0.0.1', '-p', String(server!.port), 'www.ok.test', 'A', '+short', '+time=2', '+tries=1']);
  assert.equal(answer.trim(), '192.0.2.10');
  const controller = AbortSignal.timeout(3000);
  const health = await fetch(`${server!.admin!.url}/healthz`, { signal: controller });
  assert.equal(health.status, 200);
});
