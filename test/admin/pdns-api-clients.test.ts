import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pdnsClients } from '../helpers/pdns-api.js';
import { startFixture, TOKEN, type Fixture } from './fixture.js';

/**
 * meshdns driven through PowerDNS's HTTP API by stand-ins for octoDNS's PowerDnsProvider and
 * Terraform's powerdns provider (neither can be installed here: no PyPI, no Go module proxy). Each
 * sends the requests and JSON its source sends, in its order; dig checks what is served. The
 * zones are signed by meshdns, as PowerDNS signs on the fly: the API shows no RRSIG, NSEC or DNSKEY.
 */
let fx: Fixture;
// every primary zone is signed here: what the clients read back must hold no signer-made records
before(async () => (fx = await startFixture({ policies: [{ name: 'default', keys: 'csk' }], defaults: { dnssec: 'default' } })));
after(() => fx?.stop());

const { http, answers, status } = pdnsClients(() => fx.server, TOKEN);

// --- octoDNS ---------------------------------------------------------------------------------
// Source: octodns/octodns-powerdns octodns_powerdns/__init__.py (PowerDnsBaseProvider): requests with
// X-API-Key; powerdns_version from GET /api/v1/servers/localhost (>= 4.2: 404 means no zone);
// populate() GETs zones/{zone.name}; _apply() PATCHes {'rrsets': mods} sorted by changetype (DELETE
// first), records [{'content': ..., 'disabled': False}], a DELETE with the existing ttl and records;
// a 404 makes it POST {'name', 'kind': 'Master', 'masters': [], 'nameservers': [], 'rrsets': mods,
// 'soa_edit_api': 'DEFAULT', 'serial': 0}.

type Mod = { name: string; type: string; ttl: number; changetype: 'REPLACE' | 'DELETE'; records: { content: string; disabled: false }[] };
const SUPPORTS = new Set(['A', 'AAAA', 'ALIAS', 'CAA', 'CNAME', 'LOC', 'MX', 'NAPTR', 'NS', 'PTR', 'SPF', 'SSHFP', 'SRV', 'TXT', 'LUA']);

const octodns = {
  async version(): Promise<number[]> {
    const res = await http('GET', '/api/v1/servers/localhost');
    assert.equal(res.status, 200, res.text);
    return (res.json.version as string).split('.').slice(0, 3).map((p) => Number.parseInt(p.split('-')[0]!, 10));
  },
  /** populate(): the zone's records by name and type (SOA skipped), or undefined when there is no zone. */
  async populate(zone: string): Promise<Map<string, { ttl: number; values: string[] }> | undefined> {
    const res = await http('GET', `/api/v1/servers/localhost/zones/${zone}`);
    if (res.status === 404) return undefined;
    assert.equal(res.status, 200, res.text);
    const out = new Map<string, { ttl: number; values: string[] }>();
    for (const rrset of res.json.rrsets as { name: string; type: string; ttl: number; records: { content: string }[] }[]) {
      if (rrset.type === 'SOA') continue;
      // data_for = getattr(self, f'_data_for_{_type}'): a type it has no method for is an AttributeError
      if (!SUPPORTS.has(rrset.type)) throw new Error(`octoDNS has no _data_for_${rrset.type}`);
      out.set(`${rrset.name} ${rrset.type}`, { ttl: rrset.ttl, values: rrset.records.map((r) => r.content) });
    }
    return out;
  },
  mod(changetype: Mod['changetype'], name: string, type: string, ttl: number, values: string[]): Mod {
    return { name, type, ttl, changetype, records: values.map((content) => ({ content, disabled: false })) };
  },
  async apply(zone: string, mods: Mod[]): Promise<'patched' | 'created'> {
    mods.sort((a, b) => a.changetype.localeCompare(b.changetype));
    const res = await http('PATCH', `/api/v1/servers/localhost/zones/${zone}`, { rrsets: mods });
    if (res.status === 204) return 'patched';
    assert.equal(res.status, 404, res.text);
    const created = await http('POST', '/api/v1/servers/localhost/zones',
      { name: zone, kind: 'Master', masters: [], nameservers: [], rrsets: mods, soa_edit_api: 'DEFAULT', serial: 0 });
    assert.equal(created.status, 201, created.text);
    return 'created';
  },
};

describe('octoDNS PowerDnsProvider (stand-in)', () => {
  const z = 'octo.test.';

  test('a new zone: populate finds none (404), the PATCH 404s, the POST creates it with an SOA', async () => {
    assert.ok((await octodns.version()) >= [4, 2]);
    assert.equal(await octodns.populate(z), undefined);
    const mods = [
      octodns.mod('REPLACE', z, 'NS', 3600, ['ns1.octo.test.', 'ns2.octo.test.']),
      octodns.mod('REPLACE', `ns1.${z}`, 'A', 3600, ['192.0.2.53']),
      octodns.mod('REPLACE', `ns2.${z}`, 'A', 3600, ['192.0.2.54']),
      octodns.mod('REPLACE', `www.${z}`, 'A', 300, ['203.0.113.5']),
      octodns.mod('REPLACE', z, 'MX', 300, ['10 mx.example.test.']),
      octodns.mod('REPLACE', z, 'CAA', 300, ['0 issue "letsencrypt.org"']),
      octodns.mod('REPLACE', `txt.${z}`, 'TXT', 300, ['"v=spf1 -all"']),
      octodns.mod('REPLACE', `_sip._tcp.${z}`, 'SRV', 300, ['10 20 5060 sip.example.test.']),
    ];
    assert.equal(await octodns.apply(z, mods), 'created');
    assert.deepEqual(await answers('www.octo.test', 'A'), ['300 A 203.0.113.5']);
    assert.deepEqual(await answers('octo.test', 'CAA'), ['300 CAA 0 issue "letsencrypt.org"']);
    assert.match((await answers('octo.test', 'SOA'))[0]!, /^3600 SOA ns1\.octo\.test\. hostmaster\.octo\.test\. /);
    assert.equal((await answers('octo.test', 'DNSKEY')).length, 1, 'signed by meshdns');
  });

  test('the next run reads what it wrote back, then one PATCH updates, deletes and creates', async () => {
    // (populate throws on a type octoDNS has no method for, as RRSIG, NSEC or DNSKEY would be)
    const existing = (await octodns.populate(z))!;
    assert.equal((await http('GET', `/api/v1/servers/localhost/zones/${z}?rrsets=false`)).json.dnssec, true);
    assert.deepEqual(existing.get(`txt.${z} TXT`), { ttl: 300, values: ['"v=spf1 -all"'] });
    assert.deepEqual(existing.get(`${z} MX`), { ttl: 300, values: ['10 mx.example.test.'] });
    const txt = existing.get(`txt.${z} TXT`)!;
    const result = await octodns.apply(z, [
      octodns.mod('REPLACE', `www.${z}`, 'A', 600, ['203.0.113.6', '203.0.113.7']),
      octodns.mod('REPLACE', `alias.${z}`, 'CNAME', 300, ['www.octo.test.']),
      octodns.mod('DELETE', `txt.${z}`, 'TXT', txt.ttl, txt.values),
    ]);
    assert.equal(result, 'patched');
    assert.deepEqual((await answers('www.octo.test', 'A')).sort(), ['600 A 203.0.113.6', '600 A 203.0.113.7']);
    assert.deepEqual(await answers('alias.octo.test', 'CNAME'), ['300 CNAME www.octo.test.']);
    assert.equal(await status('txt.octo.test', 'TXT'), 'NXDOMAIN');
  });
});

// --- Terraform -------------------------------------------------------------------------------
// Source: pan-net/terraform-provider-powerdns powerdns/client.go (NewClient → detectAPIVersion:
// GET /api/v1/servers, setServerVersion: GET /api/v1/servers/localhost; CreateZone wants 201;
// ReplaceRecordSet and DeleteRecordSet want 200 or 204; DeleteZone wants 204; ZoneExists reads
// 404 as "gone"), resource_powerdns_zone.go and resource_powerdns_record.go. The bodies are
// encoding/json of its structs (field order, no omitempty on most fields: "ttl":0 on a DELETE,
// "set-ptr":false and the record's own name/type/ttl); every request but a GET carries
// Content-Type: application/json, a DELETE too, with no body.

describe('Terraform powerdns provider (stand-in)', () => {
  const zones = '/api/v1/servers/localhost/zones';
  let id = '';

  test('provider start, powerdns_zone create and read', async () => {
    assert.equal((await http('GET', '/api/v1/servers')).status, 200);
    assert.match((await http('GET', '/api/v1/servers/localhost')).json.version, /^\d+\.\d+\.\d+/);
    const created = await http('POST', zones,
      '{"id":"","name":"tf.test.","url":"","kind":"Native","dnsssec":false,"serial":0,"account":"","nameservers":["ns1.example.test.","ns2.example.test."],"soa_edit_api":""}');
    assert.equal(created.status, 201, created.text);
    id = created.json.id;
    assert.equal(id, 'tf.test.');
    const read = await http('GET', `${zones}/${id}`);
    assert.equal(read.status, 200);
    const ns = (read.json.rrsets as { name: string; type: string; records: { content: string }[] }[]).find((r) => r.name === 'tf.test.' && r.type === 'NS')!;
    assert.deepEqual(ns.records.map((r) => r.content).sort(), ['ns1.example.test.', 'ns2.example.test.']);
  });

  test('powerdns_record create (REPLACE), read, delete (DELETE with "ttl":0)', async () => {
    const replace = await http('PATCH', `${zones}/tf.test.`,
      '{"rrsets":[{"name":"www.tf.test.","type":"A","changetype":"REPLACE","ttl":300,"records":[{"name":"www.tf.test.","type":"A","content":"192.0.2.80","ttl":300,"disabled":false,"set-ptr":false},{"name":"www.tf.test.","type":"A","content":"192.0.2.81","ttl":300,"disabled":false,"set-ptr":false}]}]}');
    assert.ok(replace.status === 200 || replace.status === 204, replace.text);
    assert.deepEqual((await answers('www.tf.test', 'A')).sort(), ['300 A 192.0.2.80', '300 A 192.0.2.81']);
    const www = (await http('GET', `${zones}/tf.test.`)).json.rrsets.find((r: { name: string; type: string }) => r.name === 'www.tf.test.' && r.type === 'A');
    assert.equal(www.ttl, 300);
    const del = await http('PATCH', `${zones}/tf.test.`, '{"rrsets":[{"name":"www.tf.test.","type":"A","changetype":"DELETE","ttl":0}]}');
    assert.ok(del.status === 200 || del.status === 204, del.text);
    assert.equal(await status('www.tf.test', 'A'), 'NXDOMAIN');
  });

  test('powerdns_zone destroy: DELETE with Content-Type and no body is 204; ZoneExists then sees 404', async () => {
    const res = await http('DELETE', `${zones}/${id}`, undefined, { 'X-API-Key': TOKEN, 'Content-Type': 'application/json' });
    assert.equal(res.status, 204, res.text);
    assert.equal((await http('GET', `${zones}/${id}`)).status, 404);
    assert.equal(await status('www.tf.test', 'A'), 'REFUSED');
  });
});
