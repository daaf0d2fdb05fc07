import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { dig } from '../helpers/tools.js';

/**
 * A zone with a DNSSEC policy loaded for the first time is signed whole: past a few thousand records
 * that happens in the loader process (both cores, no answer waiting), not on the query thread.
 */
let dir: string;
let server: RunningMeshdns;
const NAMES = 8_000;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-signload-'));
  const zoneDir = join(dir, 'zones');
  const lines = ['$TTL 300', '@ SOA ns hm 1 3600 600 86400 60', '@ NS ns', 'ns A 192.0.2.1'];
  for (let i = 0; i < NAMES; i++) lines.push(`host-${i} A 10.0.${(i >> 8) & 255}.${i & 255}`);
  mkdirSync(zoneDir);
  writeFileSync(join(zoneDir, 'signed.test.zone'), `${lines.join('\n')}\n`);
  writeFileSync(join(zoneDir, 'small.test.zone'), '$TTL 300\n@ SOA ns hm 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.80\n');
  const past = new Date(Date.now() - 60_000);
  for (const f of ['signed.test.zone', 'small.test.zone']) utimesSync(join(zoneDir, f), past, past);
  const config = join(dir, 'meshdns.yaml');
  writeFileSync(config, `data: ${join(dir, 'data')}\nzoneDir: ${zoneDir}\npolicies:\n  - name: p\ndefaults:\n  dnssec: p\n`);
  server = await startMeshdns({ config });
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a signed zone of thousands of records is first signed in the loader process; a small one on the server', async () => {
  // progress lines ("parsing zone file") come only from the loader process
  const progress = await server.waitForLog((e) => e['msg'] === 'parsing zone file' && e['zone'] === 'signed.test.', 60_000);
  assert.ok(Number(progress['bytes']) > 128 * 1024);
  await server.waitForLog((e) => e['msg'] === 'zone loaded' && e['zone'] === 'signed.test.', 120_000);
  const answer = dig(['@127.0.0.1', '-p', String(server.port), '+dnssec', '+norec', 'host-7999.signed.test', 'A']);
  assert.match(answer, /host-7999\.signed\.test\.\s+\d+\s+IN\s+RRSIG\s+A 13 3 /);
  const small = dig(['@127.0.0.1', '-p', String(server.port), '+dnssec', '+norec', 'www.small.test', 'A']);
  assert.match(small, /IN\s+RRSIG\s+A 13 3 /);
  assert.doesNotMatch(server.logs(), /"zone":"small\.test\.".*"msg":"parsing zone file"|"msg":"parsing zone file".*"zone":"small\.test\."/, 'the small zone is signed on the server');
});
