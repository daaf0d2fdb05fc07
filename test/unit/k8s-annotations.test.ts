import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commaList, parseGoDurationSeconds, targetOf, ttlFromAnnotations } from '../../k8s/records/annotations.js';
import { absoluteName, zoneOf } from '../../k8s/records/names.js';
import { endpointLabel, isPublished, namedSlicePorts, readyEndpoints } from '../../k8s/records/endpoints.js';
import { ownerOf } from '../../k8s/records/builder.js';
import * as records from '../../k8s/records/index.js';
import { headlessService, kafkaSlice } from './k8s-fixtures.js';

test('Go durations as ExternalDNS parses the ttl annotation', () => {
  const cases: [string, number | undefined][] = [
    ['90s', 90], ['1m30s', 90], ['1h', 3600], ['1.5h', 5400], ['2m500ms', 120], ['999ms', 0], ['0', 0],
    ['-1m', -60], ['90', undefined], ['1d', undefined], ['s', undefined], ['', undefined], ['1m 30s', undefined],
  ];
  for (const [text, seconds] of cases) assert.equal(parseGoDurationSeconds(text), seconds, text);
});

test('ttl annotation: duration, seconds, bounds, garbage, absence', () => {
  const key = 'external-dns.alpha.kubernetes.io/ttl';
  assert.deepEqual(ttlFromAnnotations(undefined), { ttl: undefined });
  assert.deepEqual(ttlFromAnnotations({ [key]: '60' }), { ttl: 60 });
  assert.deepEqual(ttlFromAnnotations({ [key]: '10m' }), { ttl: 600 });
  assert.deepEqual(ttlFromAnnotations({ [key]: '2147483647' }), { ttl: 2147483647 });
  assert.match(ttlFromAnnotations({ [key]: '2147483648' }).ttl === undefined ? 'out' : 'in', /out/);
  assert.match((ttlFromAnnotations({ [key]: '500ms' }) as { error: string }).error, /between 1 and/);
  assert.match((ttlFromAnnotations({ [key]: 'ten' }) as { error: string }).error, /neither a duration/);
});

test('comma lists and targets', () => {
  assert.deepEqual(commaList(' a.example , b.example,,'), ['a.example', 'b.example']);
  assert.deepEqual(commaList(undefined), []);
  assert.deepEqual(targetOf('192.0.2.1'), { type: 'A', value: '192.0.2.1' });
  assert.deepEqual(targetOf('2001:DB8::1'), { type: 'AAAA', value: '2001:db8::1' });
  assert.deepEqual(targetOf('lb.example'), { type: 'CNAME', value: 'lb.example' });
});

test('names: absolute form, validity, zone of a name', () => {
  assert.equal(absoluteName('Web.Example.ORG'), 'web.example.org.');
  assert.equal(absoluteName('web.example.org.'), 'web.example.org.');
  assert.equal(absoluteName('*.apps.example.org'), '*.apps.example.org.');
  assert.equal(absoluteName('_sip._udp.example.org'), '_sip._udp.example.org.');
  for (const bad of ['', '.', 'a..b', 'a.*.b', '-a.b', 'a-.b', 'a b.c', `${'a'.repeat(64)}.b`, `${'a.'.repeat(127)}b`]) {
    assert.equal(absoluteName(bad), undefined, bad);
  }
  const zones = ['site-a.mesh.', 'k8s.site-a.mesh', 'other.mesh.'];
  assert.equal(zoneOf('www.k8s.site-a.mesh.', zones), 'k8s.site-a.mesh.');
  assert.equal(zoneOf('k8s.site-a.mesh.', zones), 'k8s.site-a.mesh.');
  assert.equal(zoneOf('www.site-a.mesh.', zones), 'site-a.mesh.');
  assert.equal(zoneOf('xsite-a.mesh.', zones), undefined);
  assert.equal(zoneOf('example.org.', zones), undefined);
});

test('endpoint conditions: ready, serving, terminating, publishNotReadyAddresses', () => {
  // [conditions, publishNotReady, published]
  const cases: [Parameters<typeof isPublished>[0]['conditions'], boolean, boolean][] = [
    [undefined, false, true], // nil conditions mean ready
    [{ ready: true }, false, true],
    [{ ready: false }, false, false],
    [{ ready: false, serving: true }, false, false],
    [{ serving: true }, false, true],
    [{ serving: false }, false, false],
    [{ ready: true, terminating: true }, false, false],
    [{ ready: false }, true, true],
    [{ ready: false, terminating: true }, true, false],
  ];
  for (const [conditions, publishNotReady, published] of cases) {
    const endpoint = conditions === undefined ? { addresses: ['192.0.2.1'] } : { addresses: ['192.0.2.1'], conditions };
    assert.equal(isPublished(endpoint, publishNotReady), published, JSON.stringify([conditions, publishNotReady]));
  }
});

test('ready endpoints: FQDN slices skipped, duplicates merged, IPv6 lowercased; labels as CoreDNS', () => {
  const service = headlessService({});
  const v6 = { ...kafkaSlice(), addressType: 'IPv6' as const, endpoints: [{ addresses: ['FD00::A'] }], ports: [{ name: 'broker', protocol: 'TCP', port: 9092 }, { port: 1 }] };
  const fqdn = { ...kafkaSlice(), addressType: 'FQDN' as const, endpoints: [{ addresses: ['kafka.example'] }] };
  const endpoints = readyEndpoints(service, [kafkaSlice(), kafkaSlice(), v6, fqdn]);
  assert.deepEqual(endpoints.map((e) => `${e.type} ${e.address} ${endpointLabel(e)}`), [
    'A 203.0.113.21 kafka-0',
    'A 203.0.113.22 203-0-113-22',
    'AAAA fd00::a fd00--a',
  ]);
  assert.deepEqual(namedSlicePorts(service, [kafkaSlice(), v6]), [{ name: 'broker', protocol: 'TCP', port: 9092 }]);
  const deleting = { ...kafkaSlice(), metadata: { ...kafkaSlice().metadata, deletionTimestamp: '2026-12-07T14:00:00Z' } };
  assert.deepEqual(readyEndpoints(service, [deleting]), []);
});

test('owner provenance', () => {
  assert.equal(ownerOf('Service', { name: 'web', namespace: 'shop', uid: 'u' }), 'k8s:Service/shop/web');
  assert.equal(ownerOf('Node', { name: 'node-a', uid: 'u' }), 'k8s:Node//node-a');
});

test('the index hands the watcher every mapper', () => {
  for (const name of ['serviceRecords', 'ingressRecords', 'nodeRecords', 'dnsEndpointRecords', 'parseObjectFilter', 'filterObject', 'isGloballyReachable']) {
    assert.equal(typeof (records as Record<string, unknown>)[name], 'function', name);
  }
});

test('k8s/ imports nothing from server/ (the record mapping stays pure)', () => {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../k8s');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length >= 10, `k8s sources found under ${root}`);
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const match of text.matchAll(/from '([^']+)'/g)) {
      const target = relative(resolve(root, '..'), resolve(dirname(join(root, file)), match[1] ?? ''));
      assert.ok(!target.startsWith('server'), `${file} imports ${match[1]}`);
    }
  }
});
