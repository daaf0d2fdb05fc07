import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pdnsClients } from '../helpers/pdns-api.js';
import { startFixture, TOKEN, type Fixture } from './fixture.js';

/**
 * meshdns driven through PowerDNS's HTTP API by a stand-in for ExternalDNS's pdns provider (the Go
 * binary cannot be installed here: no Go module proxy), then PowerDNS's rules one by one. Every
 * request goes over real HTTP on loopback; every change is checked with dig.
 */
let fx: Fixture;
before(async () => (fx = await startFixture()));
after(() => fx?.stop());

const { http, answers, status } = pdnsClients(() => fx.server, TOKEN);

// --- ExternalDNS's pdns provider, as a stand-in ------------------------------------------------
// Source: kubernetes-sigs/external-dns provider/pdns/pdns.go (ConvertEndpointsToZones, mutateRecords,
// Records, ApplyChanges) over github.com/ffledgling/pdns-go (go.mod v0.0.0-20191021083206-d95f05e1f9cf):
// zone.go / rr_set.go / record.go give the JSON: every field `omitempty` except a record's content,
// so a record goes out as {"content": "..."} and a DELETE rrset without ttl. The PATCH body is the
// whole Zone object from ListZones with `rrsets` replaced, sent to /zones/{zone.Id}.

interface Endpoint {
  DNSName: string;
  RecordType: string;
  Targets: string[];
  RecordTTL?: number;
}

/** The fields of pdns-go's Zone, in its order: what Go decodes from ListZones and marshals back. */
const ZONE_FIELDS = ['id', 'name', 'type', 'url', 'kind', 'rrsets', 'serial', 'notified_serial', 'masters', 'dnssec', 'nsec3param',
  'nsec3narrow', 'presigned', 'soa_edit', 'soa_edit_api', 'api_rectify', 'zone', 'account', 'nameservers', 'master_tsig_key_ids', 'slave_tsig_key_ids'];

/** encoding/json with `omitempty` on every field: "", 0, false, empty slices and nil are left out. */
function goOmitEmpty(obj: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = obj[f];
    if (v === undefined || v === null || v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0)) continue;
    out[f] = v;
  }
  return out;
}

const ensureTrailingDot = (s: string) => (s.endsWith('.') ? s : `${s}.`);

const externalDns = {
  /** Records(): ListZones, then ListZone(zone.Id) for each, each rrset one endpoint of its enabled records. */
  async records(): Promise<Endpoint[]> {
    const zones = await http('GET', '/api/v1/servers/localhost/zones');
    assert.equal(zones.status, 200, zones.text);
    const endpoints: Endpoint[] = [];
    for (const zone of zones.json as { id: string }[]) {
      const z = await http('GET', `/api/v1/servers/localhost/zones/${zone.id}`);
      assert.equal(z.status, 200, z.text);
      for (const rr of z.json.rrsets as { name: string; type: string; ttl: number; records: { content: string; disabled: boolean }[] }[]) {
        endpoints.push({ DNSName: rr.name, RecordType: rr.type, RecordTTL: rr.ttl, Targets: rr.records.filter((r) => !r.disabled).map((r) => r.content) });
      }
    }
    return endpoints;
  },

  /** mutateRecords(endpoints, changetype): one PATCH per zone that has endpoints, longest zone name first. */
  async mutate(eps: Endpoint[], changetype: 'REPLACE' | 'DELETE'): Promise<void> {
    const endpoints = [...eps].sort((a, b) => (a.DNSName === b.DNSName ? a.RecordType.localeCompare(b.RecordType) : a.DNSName.localeCompare(b.DNSName)));
    const listed = await http('GET', '/api/v1/servers/localhost/zones');
    const zones = (listed.json as Record<string, unknown>[]).map((z) => goOmitEmpty(z, ZONE_FIELDS));
    zones.sort((a, b) => (b['name'] as string).length - (a['name'] as string).length);
    for (const zone of zones) {
      const rrsets: Record<string, unknown>[] = [];
      for (let i = 0; i < endpoints.length;) {
        const ep = endpoints[i]!;
        const dnsname = ensureTrailingDot(ep.DNSName);
        if (dnsname !== zone['name'] && !dnsname.endsWith(`.${zone['name'] as string}`)) {
          i++;
          continue;
        }
        const rrset: Record<string, unknown> = { name: dnsname, type: ep.RecordType };
        // DELETEs explicitly forbid a TTL, therefore only REPLACEs carry it (default 300)
        if (changetype === 'REPLACE') rrset['ttl'] = ep.RecordTTL || 300;
        rrset['changetype'] = changetype;
        rrset['records'] = ep.Targets.map((t) => ({ content: ep.RecordType === 'CNAME' ? ensureTrailingDot(t) : t }));
        rrsets.push(rrset);
        endpoints.splice(i, 1);
      }
      if (rrsets.length === 0) continue;
      const body = goOmitEmpty({ ...zone, rrsets }, ZONE_FIELDS);
      const res = await http('PATCH', `/api/v1/servers/localhost/zones/${zone['id'] as string}`, body);
      assert.equal(res.status, 204, res.text);
    }
  },

  /** ApplyChanges: Create and UpdateNew as REPLACE, Delete as DELETE, in that order. */
  async applyChanges(changes: { create?: Endpoint[]; updateNew?: Endpoint[]; delete?: Endpoint[] }): Promise<void> {
    if (changes.create?.length) await this.mutate(changes.create, 'REPLACE');
    if (changes.updateNew?.length) await this.mutate(changes.updateNew, 'REPLACE');
    if (changes.delete?.length) await this.mutate(changes.delete, 'DELETE');
  },
};

describe('ExternalDNS pdns provider (stand-in)', () => {
  const owner = '"heritage=external-dns,external-dns/owner=default,external-dns/resource=service/default/app"';
  const app: Endpoint[] = [
    { DNSName: 'app.example.test', RecordType: 'A', Targets: ['198.51.100.20', '198.51.100.21'] },
    { DNSName: 'app.example.test', RecordType: 'TXT', Targets: [owner] },
    { DNSName: 'a-app.example.test', RecordType: 'TXT', Targets: [owner] },
    { DNSName: 'web.example.test', RecordType: 'CNAME', Targets: ['app.example.test'], RecordTTL: 120 },
  ];

  test('Records() reads every zone through ListZones and ListZone', async () => {
    const eps = await externalDns.records();
    assert.deepEqual(eps.find((e) => e.DNSName === 'www.example.test.' && e.RecordType === 'A'),
      { DNSName: 'www.example.test.', RecordType: 'A', RecordTTL: 3600, Targets: ['192.0.2.10'] });
  });

  test('create: REPLACE with the default TTL; dig sees the records at once', async () => {
    await externalDns.applyChanges({ create: app });
    assert.deepEqual((await answers('app.example.test', 'A')).sort(), ['300 A 198.51.100.20', '300 A 198.51.100.21']);
    assert.deepEqual(await answers('a-app.example.test', 'TXT'), [`300 TXT ${owner}`]);
    assert.deepEqual(await answers('web.example.test', 'CNAME'), ['120 CNAME app.example.test.']);
    const eps = await externalDns.records();
    assert.deepEqual(eps.find((e) => e.DNSName === 'app.example.test.' && e.RecordType === 'A')!.Targets.sort(), ['198.51.100.20', '198.51.100.21']);
  });

  test('update: REPLACE replaces the whole RRset', async () => {
    await externalDns.applyChanges({ updateNew: [{ DNSName: 'app.example.test', RecordType: 'A', Targets: ['198.51.100.22'], RecordTTL: 60 }] });
    assert.deepEqual(await answers('app.example.test', 'A'), ['60 A 198.51.100.22']);
  });

  test('delete: DELETE with the records ExternalDNS still sends removes the RRsets', async () => {
    await externalDns.applyChanges({ delete: [{ ...app[0]!, Targets: ['198.51.100.22'] }, app[1]!, app[2]!, app[3]!] });
    assert.equal(await status('app.example.test', 'A'), 'NXDOMAIN');
    assert.equal(await status('web.example.test', 'CNAME'), 'NXDOMAIN');
    assert.deepEqual(await answers('www.example.test', 'A'), ['3600 A 192.0.2.10']);
  });
});

// --- go-powerdns (cert-manager's PowerDNS webhooks use it) ----------------------------------------
// Source: joeig/go-powerdns records.go (Change: REPLACE with ttl and records {content, disabled:false,
// set-ptr:false}; Delete: DELETE with `"records": null`, the field has no omitempty) and powerdns.go
// (the zone in the URL through trimDomain: no trailing dot; the rrset name made canonical).

describe('go-powerdns Records.Change / Records.Delete (cert-manager webhook stand-in)', () => {
  test('an ACME challenge TXT comes and goes; the zone is named without its trailing dot', async () => {
    const add = await http('PATCH', '/api/v1/servers/localhost/zones/example.test',
      '{"rrsets":[{"name":"_acme-challenge.example.test.","type":"TXT","ttl":120,"changetype":"REPLACE","records":[{"content":"\\"dGhlLXRva2Vu\\"","disabled":false,"set-ptr":false}]}]}\n');
    assert.equal(add.status, 204, add.text);
    assert.deepEqual(await answers('_acme-challenge.example.test', 'TXT'), ['120 TXT "dGhlLXRva2Vu"']);
    const del = await http('PATCH', '/api/v1/servers/localhost/zones/example.test',
      '{"rrsets":[{"name":"_acme-challenge.example.test.","type":"TXT","changetype":"DELETE","records":null}]}\n');
    assert.equal(del.status, 204, del.text);
    assert.equal(await status('_acme-challenge.example.test', 'TXT'), 'NXDOMAIN');
  });
});

describe('PowerDNS API rules', () => {
  const zones = '/api/v1/servers/localhost/zones';

  test('X-API-Key is the admin token: 401 without it or with a wrong one', async () => {
    assert.equal((await http('GET', zones, undefined, {})).status, 401);
    const wrong = await http('GET', zones, undefined, { 'X-API-Key': `${TOKEN}x` });
    assert.equal(wrong.status, 401);
    assert.equal(typeof wrong.json.error, 'string');
  });

  test('GET /api/v1/servers and /servers/localhost: the Server object clients probe', async () => {
    const list = await http('GET', '/api/v1/servers');
    assert.equal(list.status, 200);
    assert.equal(list.json.length, 1);
    const one = await http('GET', '/api/v1/servers/localhost');
    assert.deepEqual(one.json, list.json[0]);
    assert.equal(one.json.id, 'localhost');
    assert.equal(one.json.daemon_type, 'authoritative');
    assert.equal(one.json.zones_url, '/api/v1/servers/localhost/zones{/zone}');
    // octoDNS: [int(p.split('-')[0]) for p in version.split('.')[:3]] >= [4, 2] means 404 for an unknown zone
    assert.deepEqual(one.json.version.split('.').slice(0, 3).map((p: string) => Number(p.split('-')[0])), [4, 9, 0]);
    assert.equal((await http('GET', '/api/v1/servers/other/zones')).status, 404);
  });

  test('zone objects: id with the trailing dot, url, kind, serial; ?zone= and ?rrsets=false', async () => {
    const list = await http('GET', zones);
    const z = (list.json as Record<string, unknown>[]).find((x) => x['name'] === 'example.test.')!;
    assert.equal(z['id'], 'example.test.');
    assert.equal(z['url'], '/api/v1/servers/localhost/zones/example.test.');
    assert.equal(z['kind'], 'Master');
    assert.equal(typeof z['serial'], 'number');
    assert.equal(z['rrsets'], undefined);
    assert.equal((await http('GET', `${zones}?zone=example.test.`)).json.length, 1);
    assert.deepEqual((await http('GET', `${zones}?zone=nope.test.`)).json, []);
    const bare = await http('GET', `${zones}/example.test.?rrsets=false`);
    assert.equal(bare.status, 200);
    assert.equal(bare.json.rrsets, undefined);
    const full = await http('GET', `${zones}/example.test.`);
    const soa = full.json.rrsets.find((r: { type: string }) => r.type === 'SOA');
    assert.equal(soa.name, 'example.test.');
    assert.deepEqual(Object.keys(soa.records[0]).sort(), ['content', 'disabled']);
  });

  test('unknown zone: 404 with {"error"}; creating an existing one: 409', async () => {
    const missing = await http('GET', `${zones}/nope.test.`);
    assert.equal(missing.status, 404);
    assert.match(missing.json.error, /nope\.test/);
    for (const method of ['PATCH', 'DELETE']) {
      assert.equal((await http(method, `${zones}/nope.test.`, method === 'PATCH' ? { rrsets: [] } : undefined)).status, 404, method);
    }
    const again = await http('POST', zones, { name: 'example.test.', kind: 'Native', nameservers: ['ns1.example.test.'] });
    assert.equal(again.status, 409);
    assert.match(again.json.error, /already a zone/);
  });

  test('a PATCH with one bad record is 422 naming the field and value, and applies nothing', async () => {
    const before = await http('GET', `${zones}/example.test.`);
    const res = await http('PATCH', `${zones}/example.test.`, { rrsets: [
      { name: 'good.example.test.', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.99', disabled: false }] },
      { name: 'only-comments.example.test.', type: 'A', changetype: 'REPLACE', comments: [{ content: 'ignored', account: '' }] },
      { name: 'bad.example.test.', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: 'not-an-address', disabled: false }] },
    ] });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.json.field, 'rrsets[2].records[0].content');
    assert.equal(res.json.value, 'not-an-address');
    assert.match(res.json.error, /^rrsets\[2\]\.records\[0\]\.content: "not-an-address"/);
    assert.equal(await status('good.example.test', 'A'), 'NXDOMAIN');
    assert.deepEqual((await http('GET', `${zones}/example.test.`)).json, before.json);
  });

  test('422 for what meshdns cannot keep or PowerDNS refuses: disabled records, duplicates, a bad changetype, a wrong type', async () => {
    const patch = (rrsets: unknown[]) => http('PATCH', `${zones}/example.test.`, { rrsets });
    const disabled = await patch([{ name: 'd.example.test.', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.1', disabled: true }] }]);
    assert.equal(disabled.status, 422);
    assert.equal(disabled.json.field, 'rrsets[0].records[0].disabled');
    const twice = await patch([
      { name: 'd.example.test.', type: 'A', changetype: 'DELETE' },
      { name: 'D.example.test', type: 'a', changetype: 'delete' },
    ]);
    assert.equal(twice.status, 422);
    assert.equal(twice.json.field, 'rrsets[1]');
    const changetype = await patch([{ name: 'd.example.test.', type: 'A', changetype: 'EXTEND' }]);
    assert.equal(changetype.status, 422);
    assert.equal(changetype.json.field, 'rrsets[0].changetype');
    const ttl = await patch([{ name: 'd.example.test.', type: 'A', ttl: '60', changetype: 'REPLACE', records: [] }]);
    assert.equal(ttl.status, 422);
    assert.equal(ttl.json.field, 'rrsets[0].ttl');
    assert.equal(ttl.json.value, '60');
    // ExternalDNS turns a CNAME at the apex into PowerDNS's ALIAS, which is no DNS type meshdns serves
    const alias = await patch([{ name: 'example.test.', type: 'ALIAS', ttl: 60, changetype: 'REPLACE', records: [{ content: 'lb.example.net.' }] }]);
    assert.equal(alias.status, 422);
    assert.equal(alias.json.field, 'rrsets[0].type');
    assert.equal(alias.json.value, 'ALIAS');
    const outside = await patch([{ name: 'www.other.test.', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.1' }] }]);
    assert.equal(outside.status, 422);
    assert.equal(outside.json.field, 'rrsets[0].name');
  });

  test('DELETE then REPLACE of one RRset in one PATCH is a REPLACE (PowerDNS applies them in order); REPLACE with records [] deletes', async () => {
    const res = await http('PATCH', `${zones}/example.test.`, { rrsets: [
      { name: 'www.example.test.', type: 'A', changetype: 'DELETE' },
      { name: 'www.example.test.', type: 'A', ttl: 90, changetype: 'REPLACE', records: [{ content: '192.0.2.11', disabled: false }] },
      { name: 'www.example.test.', type: 'AAAA', ttl: 90, changetype: 'REPLACE', records: [] },
    ] });
    assert.equal(res.status, 204, res.text);
    assert.deepEqual(await answers('www.example.test', 'A'), ['90 A 192.0.2.11']);
    assert.deepEqual(await answers('www.example.test', 'AAAA'), []);
  });

  test('zone ids escape "/" as =2F (RFC 2317 classless reverse zones), and a plain name works too', async () => {
    const created = await http('POST', zones, {
      name: '0/26.2.0.192.in-addr.arpa.', kind: 'Native', nameservers: ['ns1.example.test.'],
      rrsets: [{ name: '5.0/26.2.0.192.in-addr.arpa.', type: 'PTR', ttl: 300, records: [{ content: 'host5.example.test.', disabled: false }] }],
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.id, '0=2F26.2.0.192.in-addr.arpa.');
    assert.equal(created.json.url, '/api/v1/servers/localhost/zones/0=2F26.2.0.192.in-addr.arpa.');
    assert.ok(created.json.rrsets.some((r: { type: string; records: { content: string }[] }) => r.type === 'SOA' && r.records[0]!.content.startsWith('ns1.example.test. hostmaster.0/26.2.0.192.in-addr.arpa. ')));
    const patched = await http('PATCH', `${zones}/0=2F26.2.0.192.in-addr.arpa.`, { rrsets: [
      { name: '6.0/26.2.0.192.in-addr.arpa.', type: 'PTR', ttl: 300, changetype: 'REPLACE', records: [{ content: 'host6.example.test.' }] },
    ] });
    assert.equal(patched.status, 204, patched.text);
    assert.deepEqual(await answers('6.0/26.2.0.192.in-addr.arpa', 'PTR'), ['300 PTR host6.example.test.']);
    assert.equal((await http('GET', `${zones}/0%2F26.2.0.192.in-addr.arpa.`)).status, 200);
    assert.equal((await http('GET', `${zones}/0=2G26.2.0.192.in-addr.arpa.`)).status, 400);
    assert.equal((await http('DELETE', `${zones}/0=2F26.2.0.192.in-addr.arpa.`)).status, 204);
    assert.equal(await status('6.0/26.2.0.192.in-addr.arpa', 'PTR'), 'REFUSED');
  });

  test('export is zone-file text; notify answers; axfr-retrieve of a primary zone is 422', async () => {
    const text = await http('GET', `${zones}/example.test./export`);
    assert.equal(text.status, 200);
    assert.match(text.type, /^text\/plain/);
    assert.match(text.text, /^ns1\.example\.test\.\t3600\tIN\tA\t192\.0\.2\.1$/m);
    const notify = await http('PUT', `${zones}/example.test./notify`);
    assert.equal(notify.status, 200, notify.text);
    assert.equal(typeof notify.json.result, 'string');
    const axfr = await http('PUT', `${zones}/example.test./axfr-retrieve`);
    assert.equal(axfr.status, 422);
    assert.match(axfr.json.error, /primary zone/);
  });

  test('a zone from a zone file is not deleted through the API (409); its file is named', async () => {
    const res = await http('DELETE', `${zones}/example.test.`);
    assert.equal(res.status, 409);
    assert.match(res.json.error, /example\.test\.zone/);
  });
});
