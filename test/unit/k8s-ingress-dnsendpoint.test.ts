import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ingressRecords } from '../../k8s/records/ingress.js';
import { dnsEndpointRecords, presentation, txtPresentation } from '../../k8s/records/dnsendpoint.js';
import type { DNSEndpoint, Ingress } from '../../k8s/records/types.js';
import { dnsEndpoint, ingress, lines, options } from './k8s-fixtures.js';

const H = 'external-dns.alpha.kubernetes.io/hostname';
const T = 'external-dns.alpha.kubernetes.io/target';
const TTL = 'external-dns.alpha.kubernetes.io/ttl';

interface Case<O> {
  title: string;
  object: O;
  records: string[];
  refused?: string[]; // field=value: fragment
}

function check<O extends Ingress | DNSEndpoint>(c: Case<O>, map: (o: O) => ReturnType<typeof ingressRecords>, kind: string): void {
  const result = map(c.object);
  assert.deepEqual(lines(result.records), [...c.records].sort());
  const refused = result.refused.map((r) => `${r.field}=${r.value}: ${r.reason}`);
  assert.equal(refused.length, (c.refused ?? []).length, refused.join('\n'));
  for (const expected of c.refused ?? []) {
    const [prefix = '', fragment = ''] = expected.split(': ');
    assert.ok(refused.some((r) => r.startsWith(`${prefix}: `) && r.includes(fragment)), `${expected}\nnot in\n${refused.join('\n')}`);
  }
  assert.equal(result.owner, `k8s:${kind}/${c.object.metadata.namespace}/${c.object.metadata.name}`);
  assert.equal(result.uid, c.object.metadata.uid);
}

const ingressCases: Case<Ingress>[] = [
  {
    title: 'rules and tls hosts (deduplicated, lowercased) and the hostname annotation → the load-balancer ip',
    object: ingress({ [H]: 'extra.k8s.site-a.mesh' }),
    records: [
      'api.k8s.site-a.mesh. A 30 198.51.100.20',
      'extra.k8s.site-a.mesh. A 30 198.51.100.20',
      'secure.k8s.site-a.mesh. A 30 198.51.100.20',
      'shop.k8s.site-a.mesh. A 30 198.51.100.20',
    ],
  },
  {
    title: 'target annotation and ttl override; a load-balancer hostname alone is a CNAME',
    object: ingress({ [T]: 'ingress.k8s.site-a.mesh', [TTL]: '5m' }),
    records: [
      'api.k8s.site-a.mesh. CNAME 300 ingress.k8s.site-a.mesh.',
      'secure.k8s.site-a.mesh. CNAME 300 ingress.k8s.site-a.mesh.',
      'shop.k8s.site-a.mesh. CNAME 300 ingress.k8s.site-a.mesh.',
    ],
  },
  {
    title: 'no load-balancer address yet',
    object: ingress({}, []),
    records: [],
    refused: ['status.loadBalancer.ingress=: no load-balancer address'],
  },
  {
    title: 'a bad ttl, a host outside the zones and an invalid one',
    object: { ...ingress({ [TTL]: '-5', [H]: 'www.example.com,bad_!' }), spec: { rules: [{ host: 'shop.k8s.site-a.mesh' }] } },
    records: ['shop.k8s.site-a.mesh. A 30 198.51.100.20'],
    refused: [
      `metadata.annotations["${TTL}"]=-5: must be between 1`,
      `metadata.annotations["${H}"]=bad_!: not a hostname`,
      `metadata.annotations["${H}"]=www.example.com.: outside the configured zones`,
    ],
  },
  {
    title: 'a wildcard rule host',
    object: { ...ingress({}), spec: { rules: [{ host: '*.apps.k8s.site-a.mesh' }] } },
    records: ['*.apps.k8s.site-a.mesh. A 30 198.51.100.20'],
  },
];

for (const c of ingressCases) test(`ingress: ${c.title}`, () => check(c, (o) => ingressRecords(o, options), 'Ingress'));

const dnsEndpointCases: Case<DNSEndpoint>[] = [
  {
    title: 'A, AAAA, TXT, MX, SRV, NS, PTR with recordTTL',
    object: dnsEndpoint([
      { dnsName: 'mail.k8s.site-a.mesh', recordType: 'A', targets: ['192.0.2.25'], recordTTL: 300 },
      { dnsName: 'mail.k8s.site-a.mesh', recordType: 'AAAA', targets: ['2001:DB8::25'] },
      { dnsName: 'k8s.site-a.mesh', recordType: 'TXT', targets: ['v=spf1 mx -all', 'say "hi"'] },
      { dnsName: 'k8s.site-a.mesh', recordType: 'MX', targets: ['10 mail.k8s.site-a.mesh'] },
      { dnsName: '_sip._udp.k8s.site-a.mesh', recordType: 'SRV', targets: ['0 5 5060 sip.k8s.site-a.mesh', '0 0 0 .'] },
      { dnsName: 'sub.k8s.site-a.mesh', recordType: 'NS', targets: ['ns1.example.net'] },
      { dnsName: '25.2.0.192.k8s.site-a.mesh', recordType: 'ptr', targets: ['mail.k8s.site-a.mesh'] },
    ]),
    records: [
      '25.2.0.192.k8s.site-a.mesh. PTR 30 mail.k8s.site-a.mesh.',
      '_sip._udp.k8s.site-a.mesh. SRV 30 0 0 0 .',
      '_sip._udp.k8s.site-a.mesh. SRV 30 0 5 5060 sip.k8s.site-a.mesh.',
      'k8s.site-a.mesh. MX 30 10 mail.k8s.site-a.mesh.',
      'k8s.site-a.mesh. TXT 30 "say \\"hi\\""',
      'k8s.site-a.mesh. TXT 30 "v=spf1 mx -all"',
      'mail.k8s.site-a.mesh. A 300 192.0.2.25',
      'mail.k8s.site-a.mesh. AAAA 30 2001:db8::25',
      'sub.k8s.site-a.mesh. NS 30 ns1.example.net.',
    ],
  },
  {
    title: 'every kind of bad entry is refused with its field',
    object: dnsEndpoint([
      { dnsName: 'bad name', recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: 'x.k8s.site-a.mesh', recordType: 'NAPTR', targets: ['x'] },
      { dnsName: 'x.k8s.site-a.mesh', recordType: 'A', targets: [] },
      { dnsName: 'x.k8s.site-a.mesh', recordType: 'A', targets: ['2001:db8::1', '192.0.2.9'], recordTTL: -1 },
      { dnsName: 'x.k8s.site-a.mesh', recordType: 'MX', targets: ['high mail.example'] },
      { dnsName: 'x.k8s.site-a.mesh', recordType: 'SRV', targets: ['0 0 70000 t.example'] },
      { dnsName: 'y.k8s.site-a.mesh', recordType: 'CNAME', targets: ['a.example', 'b.example'] },
      { dnsName: 'k8s.site-a.mesh', recordType: 'CNAME', targets: ['a.example'] },
      { dnsName: 'outside.example.org', recordType: 'A', targets: ['192.0.2.2'] },
    ]),
    records: ['x.k8s.site-a.mesh. A 30 192.0.2.9'],
    refused: [
      'spec.endpoints[0].dnsName=bad name: not a hostname',
      'spec.endpoints[1].recordType=NAPTR: not one of',
      'spec.endpoints[2].targets=: no target',
      'spec.endpoints[3].recordTTL=-1: must be between',
      'spec.endpoints[3].targets[0]=2001:db8::1: not an IPv4',
      'spec.endpoints[4].targets[0]=high mail.example: MX is',
      'spec.endpoints[5].targets[0]=0 0 70000 t.example: SRV is',
      'spec.endpoints[6].targets=a.example,b.example: one CNAME',
      'spec.endpoints[7].dnsName=k8s.site-a.mesh.: zone apex',
      'spec.endpoints[8].dnsName=outside.example.org.: outside the configured zones',
    ],
  },
  {
    title: 'a CNAME beside other data of the same object is refused',
    object: dnsEndpoint([
      { dnsName: 'z.k8s.site-a.mesh', recordType: 'CNAME', targets: ['a.example'] },
      { dnsName: 'z.k8s.site-a.mesh', recordType: 'TXT', targets: ['hello'] },
      { dnsName: 'c.k8s.site-a.mesh', recordType: 'CNAME', targets: ['a.example.'] },
    ]),
    records: ['c.k8s.site-a.mesh. CNAME 30 a.example.', 'z.k8s.site-a.mesh. TXT 30 "hello"'],
    refused: ['spec.endpoints[0].targets[0]=a.example.: cannot sit beside'],
  },
];

for (const c of dnsEndpointCases) test(`dnsendpoint: ${c.title}`, () => check(c, (o) => dnsEndpointRecords(o, options), 'DNSEndpoint'));

test('TXT presentation: escapes, non-ASCII as \\DDD, 255-octet character-strings', () => {
  assert.equal(txtPresentation(''), '""');
  assert.equal(txtPresentation('a\\b'), '"a\\\\b"');
  assert.equal(txtPresentation('é'), '"\\195\\169"');
  const long = txtPresentation('x'.repeat(300));
  assert.equal(long, `"${'x'.repeat(255)}" "${'x'.repeat(45)}"`);
  assert.deepEqual(presentation('AAAA', 'fe80::1%eth0'), { error: 'not an IPv6 address' });
});
