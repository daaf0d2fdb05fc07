// The mapped records, written as a zone file, must be a zone that kzonecheck (Knot's checker, a
// real peer) and our own zone-file parser both accept as is: the presentation rdata the mapping
// emits is what the write door will be handed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '../helpers/tools.js';
import { parseName } from '../../zones/name.js';
import { parseZoneText } from '../../zones/zonefile/parser.js';
import { serviceRecords } from '../../k8s/records/service.js';
import { ingressRecords } from '../../k8s/records/ingress.js';
import { nodeRecords } from '../../k8s/records/node.js';
import { dnsEndpointRecords } from '../../k8s/records/dnsendpoint.js';
import type { K8sRecord } from '../../k8s/records/types.js';
import { dnsEndpoint, headlessService, ingress, kafkaSlice, loadBalancerService, node, options } from './k8s-fixtures.js';

const ORIGIN = 'k8s.site-a.mesh.';

function mappedRecords(): K8sRecord[] {
  const v6Slice = { ...kafkaSlice(), addressType: 'IPv6' as const, endpoints: [{ addresses: ['2001:db8::21'], hostname: 'kafka-0' }, { addresses: ['2001:db8::22'] }] };
  return [
    ...serviceRecords(loadBalancerService({ 'external-dns.alpha.kubernetes.io/hostname': 'web.k8s.site-a.mesh', 'external-dns.alpha.kubernetes.io/ttl': '1m' }), { slices: [], nodes: [] }, options).records,
    ...serviceRecords(headlessService({ 'external-dns.alpha.kubernetes.io/hostname': 'kafka.k8s.site-a.mesh' }), { slices: [kafkaSlice(), v6Slice], nodes: [] }, options).records,
    ...serviceRecords(loadBalancerService({ 'external-dns.alpha.kubernetes.io/hostname': 'alias.k8s.site-a.mesh' }, { ports: [] }, [{ hostname: 'lb-1.elb.example.com' }]), { slices: [], nodes: [] }, options).records,
    ...ingressRecords(ingress({ 'external-dns.alpha.kubernetes.io/hostname': '*.apps.k8s.site-a.mesh' }), options).records,
    ...nodeRecords(node('node-a', [{ type: 'ExternalIP', address: '8.8.4.4' }], { annotations: { 'meshdns.io/addresses': '2a01:4f8::7' } }), { labelSelector: [], names: ['www.k8s.site-a.mesh.'], perNode: '{name}.nodes.k8s.site-a.mesh.', addressTypes: ['ExternalIP', 'annotation'] }, options).records,
    ...dnsEndpointRecords(dnsEndpoint([
      { dnsName: 'k8s.site-a.mesh', recordType: 'TXT', targets: ['v=spf1 -all', 'quote " and \\ backslash', 'é', 'x'.repeat(300)] },
      { dnsName: 'k8s.site-a.mesh', recordType: 'MX', targets: ['10 mail.k8s.site-a.mesh'] },
      { dnsName: 'mail.k8s.site-a.mesh', recordType: 'A', targets: ['192.0.2.25'], recordTTL: 3600 },
      { dnsName: '_sip._udp.k8s.site-a.mesh', recordType: 'SRV', targets: ['0 5 5060 mail.k8s.site-a.mesh', '1 0 0 .'] },
      { dnsName: 'sub.k8s.site-a.mesh', recordType: 'NS', targets: ['ns1.example.net'] },
      { dnsName: 'ptr.k8s.site-a.mesh', recordType: 'PTR', targets: ['mail.k8s.site-a.mesh'] },
    ]), options).records,
  ];
}

test('mapped records form a zone that kzonecheck and our parser accept', () => {
  requireTool('kzonecheck', 'knot-dnssecutils');
  const records = mappedRecords();
  const types = new Set(records.map((r) => r.type));
  for (const type of ['A', 'AAAA', 'CNAME', 'SRV', 'TXT', 'MX', 'NS', 'PTR']) assert.ok(types.has(type as K8sRecord['type']), `fixtures cover ${type}`);
  const text = [
    `${ORIGIN} 3600 IN SOA ns1.${ORIGIN} hostmaster.${ORIGIN} 1 7200 3600 1209600 300`,
    `${ORIGIN} 3600 IN NS ns1.${ORIGIN}`,
    `ns1.${ORIGIN} 3600 IN A 192.0.2.53`,
    ...records.map((r) => `${r.name} ${r.ttl} IN ${r.type} ${r.rdata}`),
  ].join('\n');
  const parsed = parseZoneText(`${text}\n`, { origin: parseName(ORIGIN), file: 'k8s.zone' });
  assert.deepEqual(parsed.problems, []);
  assert.equal(parsed.records.length, records.length + 3);
  const dir = mkdtempSync(join(tmpdir(), 'k8s-zone-'));
  try {
    const file = join(dir, 'k8s.zone');
    writeFileSync(file, `${text}\n`);
    const check = spawnSync('kzonecheck', ['-o', ORIGIN, file], { encoding: 'utf8' });
    assert.equal(check.status, 0, `${check.stdout}${check.stderr}\n${text}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
