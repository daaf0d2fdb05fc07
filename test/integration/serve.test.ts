import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { dig, records } from '../helpers/tools.js';

// dist/test/integration → repository root
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let server: RunningMeshdns;
let zoneDir: string;

before(async () => {
  zoneDir = mkdtempSync(join(tmpdir(), 'meshdns-zones-'));
  cpSync(join(ROOT, 'examples', 'zones'), zoneDir, { recursive: true });
  server = await startMeshdns({ zoneDir });
});
after(async () => {
  await server?.stop();
  rmSync(zoneDir, { recursive: true, force: true });
});

const at = () => ['@127.0.0.1', '-p', String(server.port)];

test('dig: authoritative A answer with AA set', () => {
  const out = dig([...at(), 'www.example.test', 'A', '+norec']);
  assert.match(out, /status: NOERROR/);
  assert.match(out, /flags: qr aa;/);
  assert.deepEqual(records(dig([...at(), 'www.example.test', 'A', '+noall', '+answer'])), [['www.example.test.', '3600', 'IN', 'A', '192.0.2.10']]);
});

test('kdig over TCP: same answer; dig over TCP sees the qname case echoed', () => {
  const out = dig([...at(), '+tcp', 'www.example.test', 'AAAA'], 'kdig');
  assert.match(out, /status: NOERROR/);
  assert.match(out, /\(TCP\)/);
  assert.match(out, /2001:db8::10/);
  const cased = dig([...at(), '+tcp', 'WwW.ExAmple.TEST', 'AAAA']);
  assert.match(cased, /;WwW\.ExAmple\.TEST\.\s+IN\s+AAAA/);
  assert.match(cased, /WwW\.ExAmple\.TEST\.\s+3600\s+IN\s+AAAA\s+2001:db8::10/);
});

test('NXDOMAIN and NODATA carry the SOA with TTL min(SOA TTL, MINIMUM)', () => {
  const nx = dig([...at(), 'nope.example.test', 'A', '+norec']);
  assert.match(nx, /status: NXDOMAIN/);
  assert.match(nx, /example\.test\.\s+300\s+IN\s+SOA/);
  const nodata = dig([...at(), 'www.example.test', 'MX', '+norec']);
  assert.match(nodata, /status: NOERROR/);
  assert.match(nodata, /ANSWER: 0, AUTHORITY: 1/);
});

test('CNAME followed inside the zone, wildcard synthesised with the query name', () => {
  assert.deepEqual(records(dig([...at(), 'ftp.example.test', 'A', '+noall', '+answer'])).map((r) => r[3]), ['CNAME', 'A']);
  assert.deepEqual(records(dig([...at(), 'x.apps.example.test', 'A', '+noall', '+answer'])), [['x.apps.example.test.', '3600', 'IN', 'A', '192.0.2.80']]);
});

test('referral: NS in authority, glue in additional, AA clear', () => {
  const out = dig([...at(), 'host.sub.example.test', 'A', '+norec']);
  assert.match(out, /flags: qr;/);
  assert.match(out, /AUTHORITY SECTION:\nsub\.example\.test\.\s+3600\s+IN\s+NS\s+ns\.sub\.example\.test\./);
  assert.match(out, /ADDITIONAL SECTION:\nns\.sub\.example\.test\.\s+3600\s+IN\s+A\s+192\.0\.2\.53/);
});

test('REFUSED outside served zones; NSID when asked', () => {
  assert.match(dig([...at(), 'example.org', 'A']), /status: REFUSED/);
  const out = dig([...at(), '+nsid', 'www.example.test', 'A']);
  assert.match(out, /EDNS: version: 0/);
});

test('EDNS version 1 gets BADVERS', () => {
  assert.match(dig([...at(), '+edns=1', '+noednsneg', 'www.example.test', 'A']), /status: BADVERS/);
});
