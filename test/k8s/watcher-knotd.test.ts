// A knotd secondary of the zone the watcher writes follows Kubernetes changes by NOTIFY + IXFR:
// a real kube-apiserver, meshdns with a `kubernetes:` section (the zone created by the watcher,
// its ACL and NOTIFY target from `defaults:`, which apply to every zone naming none), knotd
// transferring from it. Each Service change must reach knotd as an IXFR (meshdns logs every
// outgoing transfer with its type; knotd logs the incoming one).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeApiServer, type KubeApiServer } from '../helpers/kube-apiserver.js';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { startKnotd, type Knotd } from '../helpers/knotd.js';
import { requireTool } from '../helpers/tools.js';
import { createPublishedService, kubernetesYaml, logEntries, publish, serviceRef, waitForSynced, writeText } from '../helpers/k8s-fixtures-fail.js';
import { digAsync, soaSerial, waitForAnswers, waitForRcode, waitUntil } from '../helpers/k8s-wait.js';

const ZONE = 'k8s.site-a.mesh.';
const NAME = `web.${ZONE}`;

let dir: string;
let config: string;
let kapi: KubeApiServer;
let meshdns: RunningMeshdns;
let knot: Knotd;

function configText(notifyPort?: number): string {
  return [
    'acls:',
    '  - {name: secondaries, address: [127.0.0.1], action: [transfer]}',
    'defaults:',
    '  acl: [secondaries]',
    ...(notifyPort === undefined ? [] : [`  notify: [{address: "127.0.0.1:${notifyPort}"}]`]),
    kubernetesYaml({ kubeconfig: kapi.kubeconfig, zones: [ZONE] }),
  ].join('\n');
}

before(async () => {
  requireTool('knotd', 'knot');
  dir = mkdtempSync(join(tmpdir(), 'meshdns-k8s-knotd-'));
  kapi = await startKubeApiServer();
  config = writeText(dir, 'meshdns.yaml', configText());
  meshdns = await startMeshdns({ config });
  await waitForSynced(meshdns);
  const serial = await waitUntil(`${ZONE} to answer SOA at meshdns`, () => soaSerial(meshdns.port, ZONE));

  knot = await startKnotd({
    zones: [{ origin: ZONE, file: join(dir, 'secondary.zone'), conf: 'master: meshdns\nacl: [from-meshdns, local-transfer]\nzonefile-load: none\njournal-content: changes', wait: false }],
    extraConf: [
      'remote:',
      `  - id: meshdns\n    address: 127.0.0.1@${meshdns.port}`,
      'acl:',
      '  - id: from-meshdns\n    address: 127.0.0.1\n    action: notify',
      '  - id: local-transfer\n    address: 127.0.0.1\n    action: transfer',
    ].join('\n'),
  });
  await waitUntil(`knotd to transfer ${ZONE} (serial ${serial})`, async () => ((await soaSerial(knot.port, ZONE)) === serial ? true : undefined), {
    describe: () => knot.logs(),
  });

  // now that knotd's port is known, meshdns sends it NOTIFY for every commit (a reload applies it)
  writeText(dir, 'meshdns.yaml', configText(knot.port));
  meshdns.proc.kill('SIGHUP');
  await meshdns.waitForLog((e) => e['msg'] === 'config reloaded');
});

after(async () => {
  await knot?.stop();
  await meshdns?.stop();
  await kapi?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Waits for meshdns's log line of an IXFR to knotd starting at `fromSerial`; returns it. */
async function ixfrFrom(fromSerial: number): Promise<Record<string, unknown>> {
  return meshdns.waitForLog((e) => e['msg'] === 'outgoing transfer' && e['zone'] === ZONE && e['from'] === fromSerial, 30_000)
    .catch((error: unknown) => {
      const transfers = logEntries(meshdns).filter((e) => e['msg'] === 'outgoing transfer');
      throw new Error(`no outgoing transfer from serial ${fromSerial}; transfers logged: ${JSON.stringify(transfers)}\nknotd:\n${knot.logs()}\n${(error as Error).message.split('\n')[0]}`);
    });
}

/** One change in Kubernetes, then: meshdns serves it, knotd serves it, and it travelled as an IXFR. */
async function followsChange(change: () => Promise<void>, expected: string[]): Promise<void> {
  const serial = await soaSerial(meshdns.port, ZONE);
  assert.ok(serial !== undefined);
  await change();
  if (expected.length === 0) await waitForRcode(meshdns.port, NAME, 'A', 'NXDOMAIN');
  else await waitForAnswers(meshdns.port, NAME, 'A', expected);
  const transfer = await ixfrFrom(serial);
  assert.equal(transfer['type'], 'IXFR', `the change travelled as ${String(transfer['type'])}, not IXFR`);
  if (expected.length === 0) await waitForRcode(knot.port, NAME, 'A', 'NXDOMAIN');
  else await waitForAnswers(knot.port, NAME, 'A', expected);
  const newSerial = await soaSerial(meshdns.port, ZONE);
  await waitUntil('knotd to reach meshdns\'s serial', async () => ((await soaSerial(knot.port, ZONE)) === newSerial ? true : undefined));
  assert.match(knot.logs(), /IXFR, incoming/, 'knotd logged an incoming IXFR');
}

test('a Service created: NOTIFY, IXFR, knotd answers its address', async () => {
  await followsChange(() => createPublishedService(kapi, 'web', [NAME], ['192.0.2.80']).then(() => undefined), ['192.0.2.80']);
});

test('the Service\'s address changed: knotd answers the new one only', async () => {
  await followsChange(() => publish(kapi, 'web', ['192.0.2.81', '192.0.2.82']), ['192.0.2.81', '192.0.2.82']);
});

test('the Service deleted: knotd answers NXDOMAIN', async () => {
  await followsChange(() => kapi.remove(serviceRef('web')), []);
});

test('knotd holds exactly what meshdns holds, serial included', async () => {
  const fromKnot = axfrRecords(await digAsync(knot.port, ZONE, 'AXFR'));
  const fromUs = axfrRecords(await digAsync(meshdns.port, ZONE, 'AXFR'));
  assert.ok(fromUs.some((r) => r.startsWith(`${ZONE} SOA `)), `meshdns's AXFR: ${fromUs.join('\n')}`);
  assert.deepEqual(fromKnot, fromUs);
  assert.equal(fromKnot.filter((r) => r.startsWith(`${NAME} `)).length, 0, 'nothing of the deleted Service is left at knotd');
});

/** `name TYPE rdata` of each record of dig's AXFR output, sorted, the closing SOA left out. */
function axfrRecords(out: string): string[] {
  const rows = out.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';'))
    .map((l) => l.trim().split(/\s+/))
    .map((p) => `${p[0]!.toLowerCase()} ${p[3]} ${p.slice(4).join(' ')}`);
  return [...new Set(rows)].sort();
}
