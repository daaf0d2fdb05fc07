/**
 * Our codecs against real tools: a zone with (at least) one record of every type goes through
 * BIND's named-compilezone, ldns-read-zone, and knotd (read back with a kdig AXFR, the format we
 * print). For each record the tool prints, we check that
 *  1. its text, read by our parser, gives the same wire as our reading of the original (the real
 *     check: both tools parsed the record to the same bytes we did), and
 *  2. our printed text equals the tool's, whitespace collapsed, unless the formats legitimately
 *     differ for that type (listed below with the reason).
 * A missing tool fails the test with the Debian package to install; nothing is skipped.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseName } from '../../zones/name.js';
import { RRType, typeFromText } from '../../zones/rrtype.js';
import { rdataFromText, rdataToText } from '../../zones/rdata/index.js';
import { parsePrinted, tokenize, type PrintedRecord } from './rdata-tokens.js';

const ORIGIN = 'example.com.';
const ctx = { origin: parseName(ORIGIN) };

const KEY = 'AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8gcCjFFVQUTf6v58fLjwBd0YI0EzrAcQqBGCzh/RStIoO8g0NfnfL2MTJRkxoXbfDaUeVPQuYEhg37NZWAJQ9VnMVDxP/VHL496M/QZxkjf5/Efucp2gaDX6RS6CXpoY68LsvPVjR0ZSwzz1apAzvN9dlzEheX7ICJBBtuA6G3LQpzW5hOA2hzCTMjJPJ8LbqF6dsV6DoBQzgul0sGIcGOYl7OyQdXfZ57relSQageu+ipAdTTJ25AsRTAoub8ONGcLmqrAmRLKBP1dfwhYB4N7knNnulqQxA+Uk1ihz0=';
const DIGEST = '49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE4A4DE6EBB4C5DE6A2B5E7A1B';
const HASH = '2vptu5timamqttgl4luu9kg21e0aor3s';

/** [owner (relative), type, rdata as written in the zone file]; owners are unique per type. */
const RECORDS: [string, string, string][] = [
  ['@', 'SOA', 'ns1 hostmaster 2024010101 2h 1h 2w 300'],
  ['@', 'NS', 'ns1'],
  ['ns1', 'A', '192.0.2.1'],
  ['ns1', 'AAAA', '2001:db8::1'],
  ['mapped', 'AAAA', '::ffff:192.0.2.1'],
  ['www', 'CNAME', '@'],
  ['dn', 'DNAME', 'example.net.'],
  ['ptr', 'PTR', 'host.example.org.'],
  ['@', 'MX', '10 mail'],
  ['hinfo', 'HINFO', '"PC-Intel-700mhz" "Linux 2.4"'],
  ['txt', 'TXT', '"hello world" "a\\"b\\\\c" "\\001\\255\\195\\169 x;y" "" unquoted'],
  ['spf', 'SPF', '"v=spf1 -all"'],
  ['rp', 'RP', 'admin txt'],
  ['afsdb', 'AFSDB', '1 afs.example.com.'],
  ['kx', 'KX', '10 kx'],
  ['_sip._tcp', 'SRV', '0 5 5060 sip.example.com.'],
  ['naptr', 'NAPTR', '100 10 "S" "SIP+D2U" "" _sip._udp.example.com.'],
  ['naptr2', 'NAPTR', '100 10 "u" "E2U+sip" "!^.*$!sip:info@example.com!" .'],
  ['uri', 'URI', '10 1 "https://example.com/path?a=b"'],
  ['caa', 'CAA', '0 issue "ca.example; policy=\\"x\\""'],
  ['caa2', 'CAA', '128 iodef "mailto:x@example.com"'],
  ['ds', 'DS', `12345 8 2 ${DIGEST}`],
  ['cds', 'CDS', `12345 ECDSAP256SHA256 2 ${DIGEST.toLowerCase()}`],
  ['@', 'DNSKEY', `257 3 8 ${KEY}`],
  ['cdnskey', 'CDNSKEY', `257 3 RSASHA256 ${KEY.slice(0, 56)} ${KEY.slice(56)}`],
  ['@', 'RRSIG', `SOA 8 2 3600 20370101000000 20240101000000 12345 example.com. ${KEY}`],
  ['nsec', 'NSEC', 'next.example.com. A NS SOA MX TXT AAAA RRSIG NSEC DNSKEY TYPE1234 CAA'],
  [HASH, 'NSEC3', `1 1 12 aabbccdd ${HASH} A RRSIG`],
  ['1vptu5timamqttgl4luu9kg21e0aor3s', 'NSEC3', `1 0 0 - ${HASH.toUpperCase()} NS DS RRSIG`],
  ['@', 'NSEC3PARAM', '1 0 10 AABBCCDD'],
  ['sshfp', 'SSHFP', '4 2 123456789abcdef67890123456789abcdef67890123456789abcdef123456789'],
  ['_443._tcp', 'TLSA', `3 1 1 ${DIGEST}`],
  ['smimea', 'SMIMEA', `3 1 1 ${DIGEST}`],
  ['openpgp', 'OPENPGPKEY', 'mQINBFit2jsBEADrbl5vjVxYeAE0g0IDYCBpHirv1Sjlqxx5gjtPhb2YhvyDMXjq'],
  ['dhcid', 'DHCID', 'AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA='],
  ['svc', 'SVCB', '1 . alpn=h2,h3 port=8443 ipv4hint=192.0.2.1,192.0.2.2 ech=AEP+DQA= ipv6hint=2001:db8::1 key65000=abc mandatory=alpn,port'],
  ['svc2', 'SVCB', '2 svc alpn="h2,h\\\\,3,a b" dohpath=/dns-query{?dns} key9="\\001x"'],
  ['https', 'HTTPS', '1 . alpn=h3 no-default-alpn'],
  ['https2', 'HTTPS', '0 svc.example.com.'],
  ['loc', 'LOC', '52 22 23.5 N 4 53 32.123 E -2.5m 1.5m 100.5m 10.25m'],
  ['loc2', 'LOC', '42 21 54 N 71 06 18 W -24m 30m'],
  ['loc3', 'LOC', '90 S 180 W 42849672.95m 90000000m 90000000m 90000000m'],
  ['eui48', 'EUI48', '00-00-5e-00-53-2a'],
  ['eui64', 'EUI64', '00-00-5e-ef-10-00-00-2a'],
  ['@', 'ZONEMD', '2024010101 1 1 a3b69bad980a3504e1cffcb0fd6397f93848071c93151f552ae2f6b1711d4bd2d8b39808226d7b9db71e34b72077f8fe'],
  ['@', 'CSYNC', '2024010101 3 A NS AAAA'],
  ['cert', 'CERT', 'PGP 0 0 AAAA'],
  ['cert2', 'CERT', '1 12345 8 AAAA'],
  ['apl', 'APL', '1:192.168.32.0/21 !1:192.168.38.0/28 2:2001:db8::/32'],
  ['ipseckey', 'IPSECKEY', '10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ=='],
  ['ipseckey2', 'IPSECKEY', '10 2 2 2001:db8::38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ=='],
  ['ipseckey3', 'IPSECKEY', '10 3 2 gw.example.com. AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ=='],
  ['hip', 'HIP', '2 200100107B1A74DF365639CC39F1D578 AwEAAbdxyhNuSutc5EMzxTs9LBPCIkOFH8cIvM4p9+LrV4e19WzK00+CI6zBCQTdtWsuxKbWIy87UOoJTwkUs7lBu+Upr1gsNrut79ryra+bSRGQb1slImA8YVJyuIDsj7kwzG7jnERNqnWxZ48AWkskmdHaVDP4BcelrTI3rMXdXF5D rvs.example.com.'],
  ['unk', 'TYPE65280', '\\# 4 0A000001'],
  ['unk2', 'A', '\\# 4 C0000201'],
];

/**
 * Types (or owners) whose presentation legitimately differs from ours (Knot's) in each tool; the
 * wire is still compared.
 */
const FORMAT_DIFFERS: Record<Tool, Record<string, string>> = {
  knot: {
    svc2: 'Knot 3.2 predates the dohpath mnemonic (RFC 9461) and quotes alpn items one by one',
  },
  named: {
    DNSKEY: 'BIND splits base64 into chunks', CDNSKEY: 'BIND splits base64 into chunks', RRSIG: 'BIND splits base64 into chunks',
    DS: 'BIND splits hex into chunks', CDS: 'BIND splits hex into chunks', SSHFP: 'BIND splits hex into chunks',
    TLSA: 'BIND splits hex into chunks', SMIMEA: 'BIND splits hex into chunks', ZONEMD: 'BIND splits hex into chunks',
    OPENPGPKEY: 'BIND splits base64 into chunks', CERT: 'BIND prints type and algorithm mnemonics',
    EUI48: 'BIND prints lowercase hex', EUI64: 'BIND prints lowercase hex', LOC: 'BIND prints fixed decimals',
    NSEC3: 'BIND prints the hash uppercase', SVCB: 'BIND quotes every alpn value', HTTPS: 'BIND quotes every alpn value',
  },
  ldns: {
    DS: 'ldns prints lowercase hex', CDS: 'ldns prints lowercase hex', SSHFP: 'ldns prints lowercase hex',
    TLSA: 'ldns prints lowercase hex', SMIMEA: 'ldns prints lowercase hex', ZONEMD: 'ldns prints lowercase hex',
    NSEC3PARAM: 'ldns prints lowercase hex', NSEC3: 'ldns prints lowercase salt', HIP: 'ldns prints lowercase hex',
    TYPE65280: 'ldns prints lowercase hex', CERT: 'ldns prints type mnemonics', EUI48: 'ldns prints lowercase hex',
    EUI64: 'ldns prints lowercase hex', LOC: 'ldns prints fixed decimals and zero-padded minutes',
    APL: 'ldns prints IPv6 prefixes in full', SVCB: 'ldns leaves unknown key values unquoted',
  },
};

type Tool = 'named' | 'ldns' | 'knot';

/** Records a tool cannot load at all (Knot 3.2 has no HIP). */
const UNSUPPORTED: Record<Tool, Set<string>> = { named: new Set(), ldns: new Set(), knot: new Set(['HIP']) };

function zoneText(tool: Tool): string {
  let s = `$ORIGIN ${ORIGIN}\n$TTL 3600\n`;
  for (const [owner, type, rdata] of RECORDS) {
    if (UNSUPPORTED[tool].has(type)) continue;
    // Knot 3.2 only knows dohpath as key7
    s += `${owner} IN ${type} ${tool === 'knot' ? rdata.replace('dohpath=', 'key7=') : rdata}\n`;
  }
  return s;
}

function absolute(owner: string): string {
  if (owner === '@') return ORIGIN;
  return owner.endsWith('.') ? owner : `${owner}.${ORIGIN}`;
}

/** Runs a tool; a missing binary fails with the Debian package that provides it. */
function run(cmd: string, args: string[], pkg: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    assert.fail(`${cmd} is not installed: install the Debian package ${pkg} (apt-get install ${pkg})`);
  }
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

function wireHex(type: number, text: string): string {
  return Buffer.from(rdataFromText(type, tokenize(text), ctx)).toString('hex');
}

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** Matches each of our records with the tool's printed one, checks wire and (unless listed) text. */
function compare(tool: Tool, printed: PrintedRecord[]): void {
  const byKey = new Map<string, PrintedRecord[]>();
  const seen = new Set<string>();
  for (const p of printed) {
    const line = `${p.owner} ${p.type} ${p.rdata}`;
    if (seen.has(line)) continue; // an AXFR shows the SOA twice
    seen.add(line);
    const key = `${p.owner.toLowerCase()} ${p.type}`;
    byKey.set(key, [...(byKey.get(key) ?? []), p]);
  }
  const problems: string[] = [];
  for (const [owner, typeText, rdata] of RECORDS) {
    if (UNSUPPORTED[tool].has(typeText)) continue;
    const type = typeFromText(typeText)!;
    const key = `${absolute(owner).toLowerCase()} ${typeText.toUpperCase()}`;
    const theirs = byKey.get(key);
    if (theirs?.length !== 1) {
      problems.push(`${key}: the tool printed ${theirs?.length ?? 0} records, expected 1`);
      continue;
    }
    const their = theirs[0]!;
    const ourWire = wireHex(type, rdata);
    let theirWire: string;
    try {
      theirWire = wireHex(type, their.rdata);
    } catch (err) {
      problems.push(`${key}: cannot read the tool's text ${JSON.stringify(their.rdata)}: ${(err as Error).message}`);
      continue;
    }
    if (theirWire !== ourWire) problems.push(`${key}: wire differs\n  ours:  ${ourWire}\n  tool:  ${theirWire}`);
    const ourText = rdataToText(type, Buffer.from(ourWire, 'hex'));
    const theirText = collapse(their.rdata.replace(/\s;.*$/, ''));
    if (FORMAT_DIFFERS[tool][typeText] === undefined && FORMAT_DIFFERS[tool][owner] === undefined && collapse(ourText) !== theirText) {
      problems.push(`${key}: text differs\n  ours:  ${ourText}\n  tool:  ${theirText}`);
    }
  }
  assert.deepEqual(problems, [], problems.join('\n'));
}

describe('rdata codecs against real tools', () => {
  let dir: string;
  let zoneFile: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'meshdns-rdata-'));
    zoneFile = join(dir, 'example.com.zone');
    writeFileSync(zoneFile, zoneText('named'));
    writeFileSync(join(dir, 'knot.zone'), zoneText('knot'));
  });
  after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));

  it('the zone covers every type with a mnemonic', () => {
    const meta = new Set(['OPT', 'TKEY', 'TSIG', 'IXFR', 'AXFR', 'MAILB', 'MAILA', 'ANY']);
    const covered = new Set(RECORDS.map(([, t]) => t));
    assert.deepEqual(Object.keys(RRType).filter((t) => !meta.has(t) && !covered.has(t)), []);
  });

  it('named-compilezone (bind9-utils) reads every record to the same wire', () => {
    const out = join(dir, 'named.out');
    const r = run('named-compilezone', ['-i', 'none', '-k', 'ignore', '-n', 'ignore', '-M', 'ignore', '-S', 'ignore', '-s', 'full', '-o', out, 'example.com', zoneFile], 'bind9-utils');
    assert.equal(r.status, 0, `named-compilezone failed:\n${r.stdout}${r.stderr}`);
    compare('named', parsePrinted(readFileSync(out, 'utf8')));
  });

  it('ldns-read-zone (ldnsutils) reads every record to the same wire', () => {
    const r = run('ldns-read-zone', [zoneFile], 'ldnsutils');
    assert.equal(r.status, 0, `ldns-read-zone failed:\n${r.stderr}`);
    compare('ldns', parsePrinted(r.stdout));
  });

  it('knotd (knot) serves every record so that kdig (knot-dnsutils) prints what we print', async () => {
    const port = await freePort();
    const conf = join(dir, 'knot.conf');
    writeFileSync(
      conf,
      [
        'server:', `    rundir: ${dir}`, `    listen: 127.0.0.1@${port}`,
        'database:', `    storage: ${dir}`,
        'log:', `  - target: ${join(dir, 'knot.log')}`, '    any: info',
        'acl:', '  - id: local', '    address: 127.0.0.1', '    action: transfer',
        'template:', '  - id: default', `    storage: ${dir}`, '    semantic-checks: off',
        'zone:', '  - domain: example.com', '    file: knot.zone', '    acl: local', '',
      ].join('\n'),
    );
    run('kdig', ['-v'], 'knot-dnsutils');
    const knotd = ['knotd', '/usr/sbin/knotd'].find((c) => !spawnSync(c, ['-V']).error);
    if (knotd === undefined) assert.fail('knotd is not installed: install the Debian package knot (apt-get install knot)');
    const child = spawn(knotd, ['-c', conf], { stdio: 'ignore' });
    try {
      const kdig = (...args: string[]): string => run('kdig', [`@127.0.0.1`, '-p', String(port), ...args], 'knot-dnsutils').stdout;
      const deadline = Date.now() + 10000;
      while (!/IN\s+SOA/.test(kdig('+tcp', '+nocomments', '+nostats', 'example.com', 'SOA'))) {
        if (Date.now() > deadline || child.exitCode !== null) {
          assert.fail(`knotd did not serve the zone:\n${readLog(join(dir, 'knot.log'))}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      compare('knot', parsePrinted(kdig('+nocomments', '+nostats', 'example.com', 'AXFR')));
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill();
        await exited;
      }
    }
  });
});

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '(no log)';
  }
}

/** A TCP port that was free a moment ago (knotd listens on UDP and TCP). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
