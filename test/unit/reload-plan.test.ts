import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig, type Config } from '../../server/config.js';
import { replicationFingerprint } from '../../server/config-replication.js';
import { planReload, type ReloadStep } from '../../server/reload-plan.js';

/** A config as the file would give it (the base every row changes one thing of). */
const config = (over: Record<string, unknown> = {}): Config =>
  validateConfig({ listen: ['127.0.0.1:5300'], data: './data', zoneDir: './zones', admin: { listen: '127.0.0.1:8053', token: 'a-token-of-enough-length-1234' }, ...over }, {}, 'test', {});
const fingerprint = (c: Config) => replicationFingerprint(c.replication);

const KEY = { name: 'k.', algorithm: 'hmac-sha256', secret: Buffer.alloc(32, 1).toString('base64') };

/** Each row: what the new config changes → the steps applied now and the keys that need a restart. */
const rows: { name: string; next: Record<string, unknown>; steps: ReloadStep[]; restart: string[] }[] = [
  { name: 'nothing changed', next: {}, steps: [], restart: [] },
  { name: 'log level', next: { logLevel: 'debug' }, steps: ['logLevel'], restart: [] },
  { name: 'NSID', next: { nsid: 'site-a' }, steps: ['answerOptions'], restart: [] },
  { name: 'UDP payload', next: { maxUdpPayload: 1400 }, steps: ['answerOptions'], restart: [] },
  { name: 'a TSIG key', next: { keys: [KEY] }, steps: ['replication'], restart: [] },
  { name: 'the query log', next: { queryLog: { sample: 0.1 } }, steps: ['queryLog'], restart: [] },
  { name: 'the admin token', next: { admin: { listen: '127.0.0.1:8053', token: 'another-token-of-enough-length' } }, steps: ['adminToken'], restart: [] },
  { name: 'the zone folder', next: { zoneDir: './other' }, steps: ['zoneFiles'], restart: [] },
  { name: 'a DNSSEC policy', next: { policies: [{ name: 'p' }], defaults: { dnssec: 'p' } }, steps: ['dnssec'], restart: [] },
  { name: 'the serial policy', next: { serialPolicy: 'unixtime' }, steps: ['zoneFiles'], restart: [] },
  { name: 'listen addresses', next: { listen: ['127.0.0.1:5301'] }, steps: [], restart: ['listen'] },
  { name: 'the data directory', next: { data: './elsewhere' }, steps: [], restart: ['data'] },
  { name: 'TCP limits', next: { tcp: { maxConnections: 10 } }, steps: [], restart: ['tcp'] },
  { name: 'the answer cache', next: { answerCacheSize: 10 }, steps: [], restart: ['answerCacheSize'] },
  { name: 'the metrics zone labels', next: { metrics: { zoneLabels: 10 } }, steps: [], restart: ['metrics.zoneLabels'] },
  { name: 'the admin address', next: { admin: { listen: '127.0.0.1:8054', token: 'a-token-of-enough-length-1234' } }, steps: [], restart: ['admin.listen'] },
  { name: 'several at once, in apply order', next: { zoneDir: './other', logLevel: 'warn', listen: ['127.0.0.1:5301'], nsid: 'x' },
    steps: ['logLevel', 'answerOptions', 'zoneFiles'], restart: ['listen'] },
];

for (const row of rows) {
  test(`reload plan: ${row.name}`, () => {
    const running = config();
    const plan = planReload(running, config(row.next), fingerprint);
    assert.deepEqual(plan.steps, row.steps);
    assert.deepEqual(plan.restartNeeded, row.restart);
    // what needs a restart keeps its running value, so the next reload reports it again
    for (const key of row.restart) {
      if (key === 'listen') assert.deepEqual(plan.running.listen, running.listen);
      if (key === 'data') assert.equal(plan.running.data, running.data);
    }
    // planning again from where the reload left, with the same file, changes nothing more
    const again = planReload(plan.running, config(row.next), fingerprint);
    assert.deepEqual(again.steps, []);
    assert.deepEqual(again.restartNeeded, row.restart);
  });
}
