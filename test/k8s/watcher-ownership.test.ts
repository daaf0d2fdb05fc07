// Who owns what, black-box: a real kube-apiserver, meshdns started by its CLI with a `kubernetes:`
// section, answers asked with dig. Two Services may share a name; a zone file's data beside the
// watcher's stays; a zone file's CNAME refuses the watcher's addresses (log line, metric, Event);
// records written through the admin API survive a full reconcile; nothing is written outside
// kubernetes.zones.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeApiServer, type KubeApiServer } from '../helpers/kube-apiserver.js';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import {
  adminRequest, createPublishedService, eventsAbout, kubernetesYaml, loadBalancerService, logEntries, metricTotal, recordSources,
  serviceRef, waitForSynced, writeText, zoneContent,
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
  writeText(zones, `${ZONE}zone`, [
    '$TTL 300',
    `@ SOA ns1.${PARENT} hostmaster.${PARENT} 1 3600 600 86400 60`,
    `@ NS ns1.${PARENT}`,
    'www TXT "from the zone file"',
    `alias CNAME target.${PARENT}`,
  ].join('\n'));
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
  const conflictsBefore = await metricTotal(meshdns, 'meshdns_k8s_conflicts_total');
  // the address is in the first version of the object: no moment where it is refused for want of one
  await kapi.create(loadBalancerService('alias-svc', [name], 'default', ['192.0.2.31']));

  const conflicts = await waitUntil('meshdns_k8s_conflicts_total to rise', async () => {
    const now = await metricTotal(meshdns, 'meshdns_k8s_conflicts_total');
    return now > conflictsBefore ? now : undefined;
  }, { describe: async () => String(await metricTotal(meshdns, 'meshdns_k8s_conflicts_total')) });
  assert.ok(conflicts > conflictsBefore);

  const events = await waitUntil('a DNSRecordConflict Event on the Service', async () => {
    const found = (await eventsAbout(kapi, 'Service', 'alias-svc')).filter((e) => e.reason === 'DNSRecordConflict');
    return found.length > 0 ? found : undefined;
  }, { describe: async () => JSON.stringify(await eventsAbout(kapi, 'Service', 'alias-svc')) });
  assert.equal(events[0]!.type, 'Warning');
  assert.match(events[0]!.message, /alias\.k8s\.site-a\.mesh/i, 'the Event names the refused name');

  const line = logEntries(meshdns).find((e) => typeof e['msg'] === 'string' && (e['msg'] as string).startsWith('kubernetes:')
    && /conflict/i.test(JSON.stringify(e)) && JSON.stringify(e).includes('alias-svc'));
  assert.ok(line, `no "kubernetes:" log line about the conflict naming alias-svc; log:\n${meshdns.logs().split('\n').filter((l) => l.includes('kubernetes')).join('\n')}`);

  assert.deepEqual(await answers(port(), name, 'CNAME'), [`target.${PARENT}`], 'the zone file\'s CNAME keeps answering');
  assert.deepEqual(await answers(port(), name, 'A'), [], 'no address was put beside the CNAME');
  assert.deepEqual(await recordSources(meshdns, ZONE, name, 'A'), {});
  await kapi.remove(serviceRef('alias-svc'));
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
