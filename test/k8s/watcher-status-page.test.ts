import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { startKubeApiServer, type KubeApiServer } from '../helpers/kube-apiserver.js';
import { startK8sMeshdns, type K8sMeshdns } from '../helpers/k8s-meshdns.js';
import { externalDns, loadBalancerStatus, service, waitForAnswer } from '../helpers/k8s-objects.js';

// The operator's view of the watcher: GET /api/v1/kubernetes and the status page's Kubernetes table
// in a real browser, with an object refused because a zone file holds a CNAME at its name.
const ZONE = 'k8s.page.test.';
const ZONE_FILE = `$ORIGIN ${ZONE}\n$TTL 60\n@ SOA ns.${ZONE} hostmaster.${ZONE} 1 3600 600 604800 30\n@ NS ns.example.\nalias CNAME elsewhere.example.\n`;

let api: KubeApiServer;
let server: K8sMeshdns;
let browser: Browser;

before(async () => {
  api = await startKubeApiServer();
  server = await startK8sMeshdns(api.kubeconfig, { zones: [ZONE], sources: ['service', 'node'] }, { [`${ZONE}zone`]: ZONE_FILE });
  browser = await launchChromium();
  const web = service({ name: 'web', namespace: 'default', type: 'LoadBalancer', annotations: externalDns({ hostname: `web.${ZONE}` }) });
  const blocked = service({ name: 'blocked', namespace: 'default', type: 'LoadBalancer', annotations: externalDns({ hostname: `alias.${ZONE}` }) });
  for (const svc of [web, blocked]) {
    await api.create(svc);
    await api.patch(svc as never, loadBalancerStatus(['192.0.2.80']), 'status');
  }
  await waitForAnswer(server, `web.${ZONE}`, 'A', (a) => a.records.some((r) => r.rdata === '192.0.2.80'));
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await api?.stop();
});

interface Status {
  server: string; connected: boolean; synced: boolean; zones: string[]; batches: number;
  sources: { source: string; synced: boolean; objects: number; restarts: { gone: number; error: number }; lastError: string | null }[];
  conflicts: { owner: string; reasons: string[] }[];
}

test('GET /api/v1/kubernetes: the API server, each source listed with its objects, the object refused and why', async () => {
  const { status, body } = await server.adminGet<Status>('/api/v1/kubernetes');
  assert.equal(status, 200);
  assert.equal(body.server, api.url);
  assert.equal(body.synced, true);
  assert.deepEqual(body.zones, [ZONE]);
  assert.deepEqual(body.sources.map((s) => [s.source, s.synced, s.lastError]), [['service', true, null], ['node', true, null]]);
  assert.ok(body.sources.find((s) => s.source === 'service')!.objects >= 3, 'kubernetes, web, blocked');
  const refused = body.conflicts.find((c) => c.owner === 'k8s:Service/default/blocked');
  assert.ok(refused, JSON.stringify(body.conflicts));
  assert.match(refused.reasons[0]!, /alias\.k8s\.page\.test\. has a CNAME written by/);
  const summary = await server.adminGet<{ kubernetes: boolean }>('/api/v1/status');
  assert.equal(summary.body.kubernetes, true);
});

test('the status page shows the Kubernetes table: sources, objects and the refused object, with no console errors', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
  await page.goto(`${server.admin!.url}/?refresh=300#token=${server.admin!.token!}`);
  await page.locator('#kubernetes tr[data-source="service"]').waitFor();
  assert.match(await page.locator('#kubernetes-caption').innerText(), new RegExp(`Kubernetes: ${api.url.replace(/[.]/g, '\\.')} → ${ZONE.replace(/[.]/g, '\\.')} · synced`));
  assert.equal(await page.locator('#kubernetes tr[data-source="service"] td').nth(1).innerText(), 'listed');
  assert.ok(Number((await page.locator('#kubernetes tr[data-source="service"] td').nth(2).innerText()).replace(/,/g, '')) >= 3);
  const refused = page.locator('#kubernetes tr[data-conflict="k8s:Service/default/blocked"]');
  assert.match(await refused.innerText(), /has a CNAME written by/);
  assert.deepEqual(problems, []);
  await page.close();
});
