// Who owns what, black-box: a real kube-apiserver, meshdns started by its CLI with a `kubernetes:`
// section, answers asked with dig. Two Services may share a name; a zone file's data beside the
// watcher's stays; a CNAME of a zone file, of the admin API or of another Service refuses the
// watcher's other data at that name (log line, metric, Event) until it goes; records written
// through the admin API survive a full reconcile; nothing is written outside kubernetes.zones.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeApiServer, type KubeApiServer } from '../helpers/kube-apiserver.js';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import {
  adminRequest, createPublishedService, eventsAbout, HOSTNAME_ANNOTATION, kubernetesYaml, loadBalancerService, logEntries, metricTotal,
  publish, recordSources, serviceRef, waitForSynced, writeText, zoneContent,
} from '../helpers/k8s-fixtures-fail.js';
import { answers, keepsAnswering, rcode, soaSerial, waitForAnswers, waitUntil } from '../helpers/k8s-wait.js';

const ZONE = 'k8s.site-a.mesh.';
const PARENT = 'site-a.mesh.';

let dir: string;
let dataDir: string;
let config: string;
let kapi: KubeApiServer;
let meshdns: RunningMeshdns;

const port = () => meshdns.port;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-k8s-owner-'));
  dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const zones = join(dir, 'zones');
  mkdirSync(zones);
  writeText(zones, `${PARENT}zone`, [
    '$TTL 300',
    `@ SOA ns1 hostmaster 1 3600 600 86400 60`,
    '@ NS ns1',
    'ns1 A 192.0.2.1',
    'target A 192.0.2.2',
  ].join('\n'));
  writeZoneFile(1, [`alias CNAME target.${PARENT}`]);
  kapi = await startKubeApiServer();
  config = writeText(dir, 'meshdns.yaml', kubernetesYaml({ kubeconfig: kapi.kubeconfig, zones: [ZONE] }));
  meshdns = await startMeshdns({ zoneDir: zones, dataDir, config });
  await waitForSynced(meshdns);
});

after(async () => {
  await meshdns?.stop();
  await kapi?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('two Services with one hostname: one RRset holding both addresses; deleting one removes only its own', async () => {
  const name = `shared.${ZONE}`;
  await createPublishedService(kapi, 'shared-a', [name], ['192.0.2.11']);
  await createPublishedService(kapi, 'shared-b', [name], ['192.0.2.12']);
  await waitForAnswers(port(), name, 'A', ['192.0.2.11', '192.0.2.12']);
  assert.deepEqual(await recordSources(meshdns, ZONE, name, 'A'), {
    '192.0.2.11': ['k8s:service/default/shared-a'],
    '192.0.2.12': ['k8s:service/default/shared-b'],
  }, 'each address is owned by its own Service');

  await kapi.remove(serviceRef('shared-a'));
  await waitForAnswers(port(), name, 'A', ['192.0.2.12']);
  await keepsAnswering(port(), name, 'A', ['192.0.2.12'], 5);
  assert.deepEqual(await recordSources(meshdns, ZONE, name, 'A'), { '192.0.2.12': ['k8s:service/default/shared-b'] });

  await kapi.remove(serviceRef('shared-b'));
  await waitForAnswers(port(), name, 'A', []);
});

test('a zone file\'s TXT at www and a Service\'s A at www are both kept', async () => {
  const name = `www.${ZONE}`;
  await createPublishedService(kapi, 'www', [name], ['192.0.2.21']);
  await waitForAnswers(port(), name, 'A', ['192.0.2.21']);
  assert.deepEqual(await answers(port(), name, 'TXT'), ['"from the zone file"']);
  assert.deepEqual(await recordSources(meshdns, ZONE, name, 'A'), { '192.0.2.21': ['k8s:service/default/www'] });

  await kapi.remove(serviceRef('www'));
  await waitForAnswers(port(), name, 'A', []);
  assert.deepEqual(await answers(port(), name, 'TXT'), ['"from the zone file"'], 'the zone file\'s record outlives the Service');
});

test('a Service wanting an A beside a zone file\'s CNAME is refused: the CNAME answers, a log line, the metric, a Warning Event', async () => {
  const name = `alias.${ZONE}`;
  // the address is in the first version of the object: no moment where it is refused for want of one
  await expectConflict('alias-svc', name, () => kapi.create(loadBalancerService('alias-svc', [name], 'default', ['192.0.2.31'])));
  assert.deepEqual(await answers(port(), name, 'CNAME'), [`target.${PARENT}`], 'the zone file\'s CNAME keeps answering');
  assert.deepEqual(await answers(port(), name, 'A'), [], 'no address was put beside the CNAME');
  assert.deepEqual(await recordSources(meshdns, ZONE, name, 'A'), {});
});

test('a refusal is counted once, not again with every later batch', async () => {
  const conflicts = await metricTotal(meshdns, 'meshdns_k8s_conflicts_total');
  await createPublishedService(kapi, 'bystander', [`bystander.${ZONE}`], ['192.0.2.35']);
  await waitForAnswers(port(), `bystander.${ZONE}`, 'A', ['192.0.2.35']);
  await publish(kapi, 'bystander', ['192.0.2.36']);
  await waitForAnswers(port(), `bystander.${ZONE}`, 'A', ['192.0.2.36']);
  assert.equal(await metricTotal(meshdns, 'meshdns_k8s_conflicts_total'), conflicts, 'alias-svc, still refused, was not counted again');
  assert.deepEqual(await answers(port(), `alias.${ZONE}`, 'A'), []);
});

test('the zone file drops its CNAME: the refused Service is published (with the next batch at the latest)', async () => {
  const name = `alias.${ZONE}`;
  const serial = await soaSerial(port(), ZONE);
  writeZoneFile(2, []);
  await waitForAnswers(port(), name, 'CNAME', []);
  assert.ok((await soaSerial(port(), ZONE))! > serial!);
  // README: a refused object is tried again with every later batch; a change elsewhere makes one
  await publish(kapi, 'bystander', ['192.0.2.37']);
  await waitForAnswers(port(), `bystander.${ZONE}`, 'A', ['192.0.2.37']);
  await waitForAnswers(port(), name, 'A', ['192.0.2.31']);
  assert.deepEqual(await recordSources(meshdns, ZONE, name, 'A'), { '192.0.2.31': ['k8s:service/default/alias-svc'] });
  await kapi.remove(serviceRef('alias-svc'));
  await kapi.remove(serviceRef('bystander'));
  await waitForAnswers(port(), name, 'A', []);
  writeZoneFile(3, [`alias CNAME target.${PARENT}`]);
  await waitForAnswers(port(), name, 'CNAME', [`target.${PARENT}`]);
});

test('a Service wanting a CNAME beside a zone file\'s TXT is refused; the TXT stays', async () => {
  const name = `www.${ZONE}`;
  await expectConflict('www-cname', name, () => kapi.create({
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'www-cname', namespace: 'default', annotations: { [HOSTNAME_ANNOTATION]: name } },
    spec: { type: 'ExternalName', externalName: `target.${PARENT}` },
  }));
  assert.deepEqual(await answers(port(), name, 'CNAME'), []);
  assert.deepEqual(await answers(port(), name, 'TXT'), ['"from the zone file"']);
  await kapi.remove(serviceRef('www-cname'));
});

test('a CNAME written through the admin API refuses a Service\'s address the same way', async () => {
  const name = `api-alias.${ZONE}`;
  const patch = await adminRequest(meshdns, 'PATCH', `/api/v1/zones/${ZONE}/rrsets`, {
    rrsets: [{ name, type: 'CNAME', ttl: 60, changetype: 'REPLACE', records: [{ content: `target.${PARENT}` }] }],
  });
  assert.equal(patch.status, 200, patch.text);
  await expectConflict('api-alias', name, () => kapi.create(loadBalancerService('api-alias', [name], 'default', ['192.0.2.38'])));
  assert.deepEqual(await answers(port(), name, 'CNAME'), [`target.${PARENT}`]);
  assert.deepEqual(await answers(port(), name, 'A'), []);
  await kapi.remove(serviceRef('api-alias'));
});

test('two Services disputing a name (a CNAME and an A): the later is refused, and published once the first is gone', async () => {
  const name = `disputed.${ZONE}`;
  await kapi.create({
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'first', namespace: 'default', annotations: { [HOSTNAME_ANNOTATION]: name } },
    spec: { type: 'ExternalName', externalName: `target.${PARENT}` },
  });
  await waitForAnswers(port(), name, 'CNAME', [`target.${PARENT}`]);
  await expectConflict('second', name, () => kapi.create(loadBalancerService('second', [name], 'default', ['192.0.2.39'])));
  assert.deepEqual(await answers(port(), name, 'CNAME'), [`target.${PARENT}`], 'the first owner keeps the name');

  await kapi.remove(serviceRef('first'));
  await waitForAnswers(port(), name, 'A', ['192.0.2.39']);
  assert.deepEqual(await answers(port(), name, 'CNAME'), []);
  await kapi.remove(serviceRef('second'));
  await waitForAnswers(port(), name, 'A', []);
});

test('nothing is written outside kubernetes.zones: not in another zone served here, not as a new zone', async () => {
  const zonesBefore = await zoneNames();
  const parentSerial = await soaSerial(port(), PARENT);
  await createPublishedService(kapi, 'outside', [`inside.${ZONE}`, `web.${PARENT}`, 'web.elsewhere.test'], ['192.0.2.51']);
  // the name inside the zone shows the Service was handled
  await waitForAnswers(port(), `inside.${ZONE}`, 'A', ['192.0.2.51']);
  assert.equal(await rcode(port(), `web.${PARENT}`, 'A'), 'NXDOMAIN', 'the parent zone (served here, not in kubernetes.zones) is not written');
  assert.equal(await soaSerial(port(), PARENT), parentSerial, 'the parent zone had no commit');
  assert.equal(await rcode(port(), 'web.elsewhere.test', 'A'), 'REFUSED', 'no zone for the name was created');
  assert.deepEqual(await zoneNames(), zonesBefore);
  await kapi.remove(serviceRef('outside'));
  await waitForAnswers(port(), `inside.${ZONE}`, 'A', []);
});

test('records written through the admin API are left alone by a full reconcile (meshdns restarted)', async () => {
  await createPublishedService(kapi, 'kept', [`kept.${ZONE}`], ['192.0.2.61']);
  await waitForAnswers(port(), `kept.${ZONE}`, 'A', ['192.0.2.61']);
  const patch = await adminRequest(meshdns, 'PATCH', `/api/v1/zones/${ZONE}/rrsets`, {
    rrsets: [
      { name: `manual.${ZONE}`, type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.62' }] },
      { name: `kept.${ZONE}`, type: 'TXT', ttl: 60, changetype: 'REPLACE', records: [{ content: '"written by the API"' }] },
    ],
  });
  assert.equal(patch.status, 200, patch.text);
  const before = await zoneContent(meshdns, ZONE);
  assert.ok(before.includes(`manual.${ZONE} A 192.0.2.62`) && before.includes(`kept.${ZONE} TXT "written by the API"`), before.join('\n'));

  await meshdns.stop();
  meshdns = await startMeshdns({ zoneDir: join(dir, 'zones'), dataDir, config });
  await waitForSynced(meshdns);

  assert.deepEqual(await answers(port(), `manual.${ZONE}`, 'A'), ['192.0.2.62']);
  assert.deepEqual(await answers(port(), `kept.${ZONE}`, 'TXT'), ['"written by the API"']);
  assert.deepEqual(await answers(port(), `kept.${ZONE}`, 'A'), ['192.0.2.61']);
  assert.deepEqual(await recordSources(meshdns, ZONE, `manual.${ZONE}`, 'A'), { '192.0.2.62': ['api'] });
  assert.deepEqual(await zoneContent(meshdns, ZONE), before, 'the full reconcile changed nothing: nothing removed, nothing duplicated');

  // the Service going still removes only what it owns
  await kapi.remove(serviceRef('kept'));
  await waitForAnswers(port(), `kept.${ZONE}`, 'A', []);
  assert.deepEqual(await answers(port(), `kept.${ZONE}`, 'TXT'), ['"written by the API"']);
  assert.deepEqual(await answers(port(), `manual.${ZONE}`, 'A'), ['192.0.2.62']);
});

async function zoneNames(): Promise<string[]> {
  const { status, json, text } = await adminRequest(meshdns, 'GET', '/api/v1/zones');
  assert.equal(status, 200, text);
  return (json as { name: string }[]).map((z) => z.name).sort();
}

/**
 * Makes `change` and waits for all three signs of a refused conflict about `service` at `name`:
 * meshdns_k8s_conflicts_total rises, a Warning Event DNSRecordConflict naming the name is on the
 * Service, and a `kubernetes:` log line names the Service.
 */
async function expectConflict(service: string, name: string, change: () => Promise<unknown>): Promise<void> {
  const conflictsBefore = await metricTotal(meshdns, 'meshdns_k8s_conflicts_total');
  await change();
  await waitUntil('meshdns_k8s_conflicts_total to rise', async () => (
    (await metricTotal(meshdns, 'meshdns_k8s_conflicts_total')) > conflictsBefore ? true : undefined
  ), { describe: async () => `${await metricTotal(meshdns, 'meshdns_k8s_conflicts_total')} (before: ${conflictsBefore})` });

  const events = await waitUntil(`a DNSRecordConflict Event on Service ${service}`, async () => {
    const found = (await eventsAbout(kapi, 'Service', service)).filter((e) => e.reason === 'DNSRecordConflict');
    return found.length > 0 ? found : undefined;
  }, { describe: async () => JSON.stringify(await eventsAbout(kapi, 'Service', service)) });
  assert.equal(events[0]!.type, 'Warning');
  assert.ok(events[0]!.message.toLowerCase().includes(name.slice(0, -1).toLowerCase()), `the Event names ${name}: ${events[0]!.message}`);

  const line = logEntries(meshdns).find((e) => typeof e['msg'] === 'string' && (e['msg'] as string).startsWith('kubernetes:')
    && /conflict/i.test(JSON.stringify(e)) && JSON.stringify(e).includes(service));
  assert.ok(line, `no "kubernetes:" log line about the conflict naming ${service}; its log lines:\n${meshdns.logs().split('\n').filter((l) => l.includes('kubernetes')).join('\n')}`);
}

/** The Kubernetes zone's file at `serial`: SOA, NS, the TXT at www, and `extra` lines. */
function writeZoneFile(serial: number, extra: string[]): void {
  writeText(join(dir, 'zones'), `${ZONE}zone`, [
    '$TTL 300',
    `@ SOA ns1.${PARENT} hostmaster.${PARENT} ${serial} 3600 600 86400 60`,
    `@ NS ns1.${PARENT}`,
    'www TXT "from the zone file"',
    ...extra,
  ].join('\n'));
}
