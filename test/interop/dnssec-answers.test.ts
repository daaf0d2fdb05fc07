import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signZone, type SignedZone, type Signer } from '../helpers/dnssec-answers-zones.js';
import { startKnotd, type Knotd } from '../helpers/knotd.js';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { dig, requireTool } from '../helpers/tools.js';

// Zones signed at test time by dnssec-signzone (NSEC, NSEC3 with no salt and 0 iterations, NSEC3
// opt-out) and ldns-signzone (NSEC, NSEC3), served by meshdns from its zone folder, and validated
// by BIND's delv with the zone's KSK as trust anchor: every answer, positive or negative, must
// validate, which needs the right NSEC/NSEC3 proofs with their signatures (RFC 4035 §3.1.3,
// RFC 5155 §7.2).

const FULL = '; fully validated';
const NEGATIVE = '; negative response, fully validated';

/** [name, type, what delv must say] for every zone. */
const CASES: [string, string, string][] = [
  ['www.example.test', 'A', FULL],
  ['example.test', 'DNSKEY', FULL],
  ['nx.example.test', 'A', NEGATIVE], // NXDOMAIN
  ['nx.b.ent.example.test', 'A', NEGATIVE], // NXDOMAIN below an empty non-terminal
  ['www.example.test', 'TXT', NEGATIVE], // NODATA
  ['b.ent.example.test', 'A', NEGATIVE], // NODATA at an empty non-terminal
  ['y.z.deep.example.test', 'TXT', NEGATIVE], // NODATA at an ENT two levels up from data
  ['host.wild.example.test', 'AAAA', NEGATIVE], // wildcard NODATA
  ['cname1.example.test', 'A', FULL], // CNAME chain within the zone
  ['cname-nx.example.test', 'A', FULL], // CNAME to a name that does not exist (the CNAME validates)
  ['www.dname.example.test', 'A', FULL], // DNAME, synthesised CNAME, target in the zone
  ['x.dname.example.test', 'A', FULL], // DNAME to a name that does not exist
  ['secure.example.test', 'DS', FULL], // signed delegation
  ['insecure.example.test', 'DS', NEGATIVE], // no DS at an insecure delegation (parent side)
  ['optout.example.test', 'DS', NEGATIVE], // an ENT above an insecure delegation
  ['b.optout.example.test', 'A', NEGATIVE],
  ['example.test', 'ANY', FULL],
  ['ns1.example.test', 'ANY', FULL],
];

const SIGNERS: Signer[] = ['bind-nsec', 'bind-nsec3', 'bind-nsec3-optout', 'ldns-nsec', 'ldns-nsec3'];

let dir: string;
before(() => {
  requireTool('delv', 'bind9-dnsutils');
  dir = mkdtempSync(join(tmpdir(), 'meshdns-dnssec-answers-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function delv(server: RunningMeshdns, zone: SignedZone, name: string, type: string): string {
  try {
    return execFileSync('delv', ['@127.0.0.1', '-p', String(server.port), '-a', zone.anchorFile, '+root=example.test', name, type], {
      encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    // delv exits non-zero on negative answers; its stdout still holds the verdict
    const e = err as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
}

for (const signer of SIGNERS) {
  describe(`zone signed by ${signer}`, () => {
    let zone: SignedZone;
    let server: RunningMeshdns;
    before(async () => {
      zone = signZone(dir, signer);
      server = await startMeshdns({ zoneDir: zone.zoneDir });
    });
    after(async () => server?.stop());

    for (const [name, type, verdict] of CASES) {
      test(`${name} ${type}: ${verdict.slice(2)}`, () => {
        const out = delv(server, zone, name, type);
        assert.ok(out.split('\n').includes(verdict), `delv ${name} ${type} against ${signer}:\n${out}`);
      });
    }

    test('host.wild.example.test A (wildcard expansion) validates, insecure only under an opt-out NSEC3', () => {
      const out = delv(server, zone, 'host.wild.example.test', 'A');
      // RFC 5155 §9.2: a wildcard answer whose next closer name is covered by an opt-out NSEC3
      // cannot prove there is no unsigned delegation there: validators take it as insecure
      const verdict = signer === 'bind-nsec3-optout' ? '; unsigned answer' : FULL;
      assert.ok(out.split('\n').includes(verdict), out);
      assert.match(out, /host\.wild\.example\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.20/);
    });

    test('cname-wild.example.test A: a CNAME into a wildcard', () => {
      const out = delv(server, zone, 'cname-wild.example.test', 'A');
      assert.match(out, /192\.0\.2\.20/);
      assert.ok(out.split('\n').includes(FULL), out);
    });

    if (signer.includes('nsec3')) {
      test('an NSEC3 owner name is answered as if it did not exist (NXDOMAIN, validated)', () => {
        const text = readFileSync(zone.file, 'utf8');
        const hashed = /^([0-9a-v]{32})\.example\.test\./im.exec(text)?.[1];
        assert.ok(hashed, 'the signed zone has NSEC3 owner names');
        const answer = dig(['@127.0.0.1', '-p', String(server.port), '+dnssec', '+norec', `${hashed}.example.test`, 'NSEC3']);
        assert.match(answer, /status: NXDOMAIN/);
        assert.ok(delv(server, zone, `${hashed}.example.test`, 'A').split('\n').includes(NEGATIVE));
      });
    }

    test('signatures and proofs that do not fit set TC (EDNS payload 512), and fit at 4096', () => {
      const small = dig(['@127.0.0.1', '-p', String(server.port), '+dnssec', '+norec', '+bufsize=512', '+ignore', 'nx.example.test', 'A']);
      assert.match(small, /flags: qr aa tc/, small);
      const large = dig(['@127.0.0.1', '-p', String(server.port), '+dnssec', '+norec', '+bufsize=4096', 'nx.example.test', 'A']);
      assert.match(large, /flags: qr aa;/, large);
      assert.match(large, signer.includes('nsec3') ? /\sNSEC3\s/ : /\sNSEC\s/);
      // without DO the same question gets no proofs (and fits)
      const plain = dig(['@127.0.0.1', '-p', String(server.port), '+norec', '+bufsize=512', 'nx.example.test', 'A']);
      assert.doesNotMatch(plain, /NSEC|RRSIG|flags: qr aa tc/);
    });

    test('a referral to the insecure delegation carries the proof that it has no DS', () => {
      const out = dig(['@127.0.0.1', '-p', String(server.port), '+dnssec', '+norec', 'www.insecure.example.test', 'A']);
      assert.match(out, /flags: qr;/);
      assert.match(out, /insecure\.example\.test\.\s+\d+\s+IN\s+NS\s+ns\.insecure\.example\.test\./);
      assert.match(out, signer.includes('nsec3') ? /\sNSEC3\s+1\s+[01]\s/ : /^insecure\.example\.test\.\s+\d+\s+IN\s+NSEC\s.*\bNS RRSIG NSEC\b/m);
      assert.doesNotMatch(out, /\sDS\s+\d+\s+13\s/);
      const secure = dig(['@127.0.0.1', '-p', String(server.port), '+dnssec', '+norec', 'www.secure.example.test', 'A']);
      assert.match(secure, /secure\.example\.test\.\s+\d+\s+IN\s+DS\s+12345 13 2/);
      assert.match(secure, /\sRRSIG\s+DS\s/);
    });
  });
}

// A secondary of a primary that signs: knotd signs the zone itself (NSEC3, no salt, 0 iterations)
// and meshdns takes it by AXFR (the bulk write path), then by IXFR after a change (the incremental
// path: new NSEC3 records, others replaced), answering with proofs delv validates each time.
describe('secondary of a signing knotd', () => {
  let knot: Knotd;
  let server: RunningMeshdns;
  let zoneFile: string;
  let anchorFile: string;
  const ORIGIN_TEXT = 'signing.test';
  const zoneText = (serial: number, extra: string) =>
    `$ORIGIN ${ORIGIN_TEXT}.\n$TTL 300\n@ SOA ns hostmaster ${serial} 60 30 600 60\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.80\n*.wild TXT "w"\na.ent A 192.0.2.3\n${extra}\n`;
  const check = (name: string, type: string): string => {
    try {
      return execFileSync('delv', ['@127.0.0.1', '-p', String(server.port), '-a', anchorFile, `+root=${ORIGIN_TEXT}`, name, type], {
        encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      return `${e.stdout ?? ''}${e.stderr ?? ''}`;
    }
  };

  before(async () => {
    requireTool('knotc', 'knot');
    zoneFile = join(dir, `${ORIGIN_TEXT}.zone`);
    writeFileSync(zoneFile, zoneText(1, ''));
    knot = await startKnotd({
      zones: [{
        origin: ORIGIN_TEXT, file: zoneFile,
        conf: 'acl: [xfr]\nzonefile-load: difference\njournal-content: changes\ndnssec-signing: on\ndnssec-policy: nsec3',
      }],
      extraConf: [
        'acl:',
        '  - id: xfr\n    address: 127.0.0.1\n    action: transfer',
        'policy:',
        '  - id: nsec3\n    algorithm: ecdsap256sha256\n    nsec3: on\n    nsec3-iterations: 0\n    nsec3-salt-length: 0',
      ].join('\n'),
    });
    const ksk = dig(['@127.0.0.1', '-p', String(knot.port), ORIGIN_TEXT, 'DNSKEY', '+noall', '+answer'])
      .split('\n').find((l) => /\sDNSKEY\s+257\s/.test(l));
    assert.ok(ksk, 'knotd publishes a KSK');
    const [flags, proto, alg, ...key] = ksk.trim().split(/\s+/).slice(4);
    anchorFile = join(dir, 'signing-anchor.conf');
    writeFileSync(anchorFile, `trust-anchors {\n  ${ORIGIN_TEXT}. static-key ${flags} ${proto} ${alg} "${key.join('')}";\n};\n`);
    writeFileSync(join(dir, 'signing.yaml'), [
      'acls:',
      '  - {name: primary, address: [127.0.0.1], action: [notify, transfer]}',
      'defaults:',
      '  acl: [primary]',
      'zones:',
      `  - {origin: ${ORIGIN_TEXT}., primaries: [{address: "127.0.0.1:${knot.port}"}]}`,
      '',
    ].join('\n'));
    server = await startMeshdns({ config: join(dir, 'signing.yaml'), dataDir: join(dir, 'signing-data') });
    await server.waitForLog((e) => e['msg'] === 'incoming transfer (AXFR) done' && e['zone'] === `${ORIGIN_TEXT}.`);
  });
  after(async () => {
    await server?.stop();
    await knot?.stop();
  });

  test('after the AXFR: positive, NXDOMAIN, NODATA, ENT and wildcard answers validate', () => {
    assert.ok(check(`www.${ORIGIN_TEXT}`, 'A').split('\n').includes(FULL));
    for (const [name, type] of [['nx', 'A'], ['www', 'TXT'], ['ent', 'A'], ['x.wild', 'AAAA'], ['new', 'A']]) {
      const out = check(`${name}.${ORIGIN_TEXT}`, type!);
      assert.ok(out.split('\n').includes(NEGATIVE), `${name} ${type}:\n${out}`);
    }
    assert.ok(check(`x.wild.${ORIGIN_TEXT}`, 'TXT').split('\n').includes(FULL));
  });

  test('after an IXFR adding names (knotd re-signs): the new names and the changed NSEC3 chain validate', async () => {
    writeFileSync(zoneFile, zoneText(2, 'new A 192.0.2.99\nb.c.deep A 192.0.2.98'));
    execFileSync('knotc', ['-c', knot.confPath, 'zone-reload', ORIGIN_TEXT], { timeout: 10_000 });
    for (let i = 0; i < 50 && !/192\.0\.2\.99/.test(dig(['@127.0.0.1', '-p', String(knot.port), `new.${ORIGIN_TEXT}`, 'A', '+short'])); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    dig(['@127.0.0.1', '-p', String(server.port), ORIGIN_TEXT, 'SOA', '+opcode=notify', '+norec']);
    await server.waitForLog((e) => e['msg'] === 'incoming transfer (IXFR) done' && e['zone'] === `${ORIGIN_TEXT}.`);
    const added = check(`new.${ORIGIN_TEXT}`, 'A');
    assert.ok(added.split('\n').includes(FULL), added);
    assert.match(added, /192\.0\.2\.99/);
    for (const [name, type] of [['nx', 'A'], ['c.deep', 'A'], ['x.b.c.deep', 'A'], ['new', 'TXT']]) {
      const out = check(`${name}.${ORIGIN_TEXT}`, type!);
      assert.ok(out.split('\n').includes(NEGATIVE), `${name} ${type}:\n${out}`);
    }
  });
});
