/**
 * Rdata codecs: every type round-trips text → wire → text, printing what kdig (Knot 3.2.6) printed
 * for the same records in an AXFR, and the wire matches dns-packet or hand-computed bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import { parseName } from '../../zones/name.js';
import { RRType, typeFromText } from '../../zones/rrtype.js';
import { rdataFromText, rdataToText, validateRdata } from '../../zones/rdata/index.js';
import { tokenize } from './rdata-tokens.js';

const ctx = { origin: parseName('example.com.') };

function wire(type: string, text: string): Uint8Array {
  const code = typeFromText(type);
  assert.ok(code !== undefined, type);
  return rdataFromText(code, tokenize(text), ctx);
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** Wire rdata as dns-packet encodes it (its encoders prefix the rdata length). */
function packet(type: string, data: unknown): string {
  const codec = (dnsPacket as unknown as { record(t: string): { encode(d: unknown): Buffer } }).record(type);
  return hex(codec.encode(data).subarray(2));
}

const DNSKEY_B64 =
  'AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8gcCjFFVQUTf6v58fLjwBd0YI0EzrAcQqBGCzh/RStIoO8g0NfnfL2MTJRkxoXbfDaUeVPQuYEhg37NZWAJQ9VnMVDxP/VHL496M/QZxkjf5/Efucp2gaDX6RS6CXpoY68LsvPVjR0ZSwzz1apAzvN9dlzEheX7ICJBBtuA6G3LQpzW5hOA2hzCTMjJPJ8LbqF6dsV6DoBQzgul0sGIcGOYl7OyQdXfZ57relSQageu+ipAdTTJ25AsRTAoub8ONGcLmqrAmRLKBP1dfwhYB4N7knNnulqQxA+Uk1ihz0=';
const DIGEST = '49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE4A4DE6EBB4C5DE6A2B5E7A1B';
const TLSA_DATA = '0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6';

/** [type, zone-file rdata, what kdig printed for it (same when omitted)]. */
const ROUND_TRIPS: [string, string, string?][] = [
  ['A', '192.0.2.1'],
  ['AAAA', '2001:db8::1'],
  ['AAAA', '::ffff:192.0.2.1'],
  ['AAAA', '2001:0DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
  ['AAAA', '::'],
  ['NS', 'ns1', 'ns1.example.com.'],
  ['NS', 'ns2.example.net.'],
  ['CNAME', '@', 'example.com.'],
  ['DNAME', 'example.net.'],
  ['PTR', 'host.example.org.'],
  ['MX', '10 mail', '10 mail.example.com.'],
  ['SOA', 'ns1 hostmaster 1 1h 30m 2w1d 5M', 'ns1.example.com. hostmaster.example.com. 1 3600 1800 1296000 300'],
  ['SOA', 'ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300'],
  ['HINFO', '"PC-Intel-700mhz" "Linux 2.4"'],
  ['HINFO', '"" ""'],
  ['TXT', '"hello world" "a\\"b\\\\c" "\\001\\255é" ""', '"hello world" "a\\"b\\\\c" "\\001\\255\\195\\169" ""'],
  ['TXT', '"tab\\009sp ; ( ) @ $ \\\\ end" x\\"y \\0381', '"tab\\009sp ; ( ) @ $ \\\\ end" "x\\"y" "&1"'],
  ['SPF', '"v=spf1 -all"'],
  ['RP', 'admin.example.com. txt.example.com.'],
  ['AFSDB', '1 afs.example.com.'],
  ['KX', '10 kx.example.com.'],
  ['SRV', '0 5 5060 sip.example.com.'],
  ['NAPTR', '100 10 "S" "SIP+D2U" "" _sip._udp.example.com.'],
  ['NAPTR', '100 10 "u" "E2U+sip" "!^.*$!sip:info@example.com!" .'],
  ['NAPTR', '1 1 "a\\"b" "" "" x', '1 1 "a\\"b" "" "" x.example.com.'],
  ['URI', '10 1 "https://example.com/path"'],
  ['URI', '1 1 ""'],
  ['CAA', '0 issue "letsencrypt.org"'],
  ['CAA', '128 iodef "mailto:x@example.com"'],
  ['CAA', '0 issue "ca.example; policy=\\"x\\""'],
  ['CAA', '0 tbs ""'],
  ['CAA', '0 issue letsencrypt.org', '0 issue "letsencrypt.org"'],
  ['DS', `12345 8 2 ${DIGEST}`],
  ['DS', '1 ECDSAP256SHA256 2 abcd', '1 13 2 ABCD'],
  ['DS', `12345 8 2 ${DIGEST.slice(0, 56)} ${DIGEST.slice(56)}`, `12345 8 2 ${DIGEST}`],
  ['CDS', `12345 8 2 ${DIGEST}`],
  ['CDS', '0 0 0 00'],
  ['DNSKEY', `257 3 8 ${DNSKEY_B64}`],
  ['DNSKEY', `257 3 RSASHA256 ( ${DNSKEY_B64.slice(0, 56)}\n ${DNSKEY_B64.slice(56)} )`, `257 3 8 ${DNSKEY_B64}`],
  ['CDNSKEY', '0 3 0 AA=='],
  ['RRSIG', `SOA 8 2 3600 20300201000000 20240101000000 12345 example.com. ${'A'.repeat(80)}`],
  ['RRSIG', 'A 13 3 300 1700000000 1600000000 1 example.com. AAAA', 'A 13 3 300 20231114221320 20200913122640 1 example.com. AAAA'],
  ['RRSIG', 'TYPE65280 13 3 1h 20240229235959 19700101000000 1 example.com. AAAA', 'TYPE65280 13 3 3600 20240229235959 19700101000000 1 example.com. AAAA'],
  ['NSEC', 'next.example.com. A NS SOA MX TXT AAAA RRSIG NSEC DNSKEY TYPE1234 CAA', 'next.example.com. A NS SOA MX TXT AAAA RRSIG NSEC DNSKEY CAA TYPE1234'],
  ['NSEC', 'next.example.com.'],
  ['NSEC', 'next.example.com. A A TYPE1', 'next.example.com. A'],
  ['NSEC3', '1 1 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG', '1 1 12 AABBCCDD 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG'],
  ['NSEC3', '1 0 0 - 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S', '1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3s'],
  ['NSEC3PARAM', '1 0 10 aabbccdd', '1 0 10 AABBCCDD'],
  ['NSEC3PARAM', '1 0 0 -'],
  ['SSHFP', '4 2 123456789abcdef67890123456789abcdef67890123456789abcdef123456789', '4 2 123456789ABCDEF67890123456789ABCDEF67890123456789ABCDEF123456789'],
  ['SSHFP', '1 1 ab', '1 1 AB'],
  ['TLSA', `3 1 1 ${TLSA_DATA.toLowerCase()}`, `3 1 1 ${TLSA_DATA}`],
  ['TLSA', '0 0 0 00'],
  ['SMIMEA', `3 1 1 ${TLSA_DATA}`],
  ['OPENPGPKEY', 'mQINBFit2jsBEADrbl5vjVxYeAE0g0IDYCBpHirv1Sjlqxx5gjtPhb2YhvyDMXjq'],
  ['DHCID', 'AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA='],
  [
    'SVCB',
    '1 . alpn=h2,h3 port=8443 ipv4hint=192.0.2.1,192.0.2.2 ech=AEP+DQA= ipv6hint=2001:db8::1 key65000=abc mandatory=alpn,port',
    '1 . mandatory=alpn,port alpn=h2,h3 port=8443 ipv4hint=192.0.2.1,192.0.2.2 ech=AEP+DQA= ipv6hint=2001:db8::1 key65000="abc"',
  ],
  ['SVCB', '2 s1 mandatory=key65000,port port=53 key65000=\\"q\\"', '2 s1.example.com. mandatory=port,key65000 port=53 key65000="\\"q\\""'],
  ['SVCB', '1 . alpn="h2,h\\\\,3,a b" key65535', '1 . alpn="h2,h\\\\,3,a b" key65535'],
  ['SVCB', '1 . dohpath=/dns-query{?dns} ohttp alpn=h2', '1 . alpn=h2 dohpath=/dns-query{?dns} ohttp'],
  // Knot prints partly quoted values; the lexer hands them over as `alpn=h2,h\\,3,` + quoted `a b`
  ['SVCB', '1 . alpn=h2,h\\\\,3,"a b"', '1 . alpn="h2,h\\\\,3,a b"'],
  ['SVCB', '1 . alpn=h2 key9="\\001x"', '1 . alpn=h2 key9="\\001x"'],
  ['HTTPS', '1 . alpn=h3 no-default-alpn'],
  ['HTTPS', '0 svc.example.com.'],
  ['LOC', '52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m', '52 22 23 N 4 53 32 E -2m 0m 10000m 10m'],
  ['LOC', '42 21 54 N 71 06 18 W -24m 30m', '42 21 54 N 71 6 18 W -24m 30m 10000m 10m'],
  ['LOC', '52 22 23.5 N 4 53 32.123 E -2.5m 1.5m 100.5m 10.25m', '52 22 23.500 N 4 53 32.123 E -2.50m 1m 100m 10m'],
  ['LOC', '0 N 0 E 0m', '0 0 0 N 0 0 0 E 0m 1m 10000m 10m'],
  ['LOC', '90 S 180 W 42849672.95m 90000000m 90000000m 90000000m', '90 0 0 S 180 0 0 W 42849672.95m 90000000m 90000000m 90000000m'],
  ['LOC', '10 20 N 30 40 E -100000.00m 0.5m', '10 20 0 N 30 40 0 E -100000m 0.50m 10000m 10m'],
  ['EUI48', '00-00-5e-00-53-2a', '00-00-5E-00-53-2A'],
  ['EUI64', '00-00-5e-ef-10-00-00-2a', '00-00-5E-EF-10-00-00-2A'],
  [
    'ZONEMD',
    '2024010101 1 1 a3b69bad980a3504e1cffcb0fd6397f93848071c93151f552ae2f6b1711d4bd2d8b39808226d7b9db71e34b72077f8fe',
    '2024010101 1 1 A3B69BAD980A3504E1CFFCB0FD6397F93848071C93151F552AE2F6B1711D4BD2D8B39808226D7B9DB71E34B72077F8FE',
  ],
  ['CSYNC', '2024010101 3 A NS AAAA'],
  ['CSYNC', '1 0'],
  ['CERT', 'PGP 0 0 AAAA', '3 0 0 AAAA'],
  ['CERT', 'URI 0 PRIVATEOID AAAA', '253 0 254 AAAA'],
  ['CERT', '1 12345 8 AAAA'],
  ['APL', '1:192.168.32.0/21 !1:192.168.38.0/28 2:2001:db8::/32'],
  ['APL', '1:0.0.0.0/0 2:::/0 1:10.1.0.0/16'],
  ['APL', ''],
  ['IPSECKEY', '10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ=='],
  ['IPSECKEY', '10 0 2 . AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ=='],
  ['IPSECKEY', '10 3 2 gw.example.com. AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ=='],
  ['IPSECKEY', '1 2 1 2001:db8::1 AQNR'],
  ['IPSECKEY', '1 0 0 .'],
  // Knot 3.2 has no HIP; this is BIND's form
  ['HIP', '2 200100107b1a74df365639cc39f1d578 AwEAAbdxyhNuSutc5EMzxTs9LBPCIkOF rvs1.example.com. rvs2', '2 200100107B1A74DF365639CC39F1D578 AwEAAbdxyhNuSutc5EMzxTs9LBPCIkOF rvs1.example.com. rvs2.example.com.'],
  ['TYPE65280', '\\# 4 0A000001'],
  ['TYPE65280', '\\# 0'],
  ['TYPE65280', '\\# 3 ab CDef', '\\# 3 ABCDEF'],
];

describe('rdata text round trip (kdig output)', () => {
  for (const [type, text, printed] of ROUND_TRIPS) {
    it(`${type} ${text}`, () => {
      const code = typeFromText(type)!;
      const w = wire(type, text);
      validateRdata(code, w);
      const out = rdataToText(code, w);
      assert.equal(out, printed ?? text);
      // and the printed text reads back to the same wire
      assert.equal(hex(rdataFromText(code, tokenize(out), ctx)), hex(w));
    });
  }

  it('covers every type that has a mnemonic and rdata', () => {
    const meta = new Set(['OPT', 'TKEY', 'TSIG', 'IXFR', 'AXFR', 'MAILB', 'MAILA', 'ANY']);
    const tested = new Set(ROUND_TRIPS.map(([t]) => t));
    const missing = Object.keys(RRType).filter((t) => !meta.has(t) && !tested.has(t));
    assert.deepEqual(missing, []);
  });
});

describe('rdata wire matches dns-packet', () => {
  const cases: [string, string, string, unknown][] = [
    ['A', '192.0.2.1', 'A', '192.0.2.1'],
    ['AAAA', '2001:db8::53:1', 'AAAA', '2001:db8::53:1'],
    ['NS', 'ns1.Example.com.', 'NS', 'ns1.Example.com'],
    ['CNAME', 'www', 'CNAME', 'www.example.com'],
    ['DNAME', 'example.net.', 'DNAME', 'example.net'],
    ['PTR', 'host.example.org.', 'PTR', 'host.example.org'],
    ['MX', '10 mail', 'MX', { preference: 10, exchange: 'mail.example.com' }],
    [
      'SOA',
      'ns1 hostmaster 2024010101 7200 3600 1209600 300',
      'SOA',
      { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 2024010101, refresh: 7200, retry: 3600, expire: 1209600, minimum: 300 },
    ],
    ['TXT', '"hello world" "" "x"', 'TXT', ['hello world', '', 'x']],
    ['HINFO', '"PC" "Linux"', 'HINFO', { cpu: 'PC', os: 'Linux' }],
    ['SRV', '0 5 5060 sip.example.com.', 'SRV', { priority: 0, weight: 5, port: 5060, target: 'sip.example.com' }],
    ['CAA', '0 issue "letsencrypt.org"', 'CAA', { flags: 0, tag: 'issue', value: 'letsencrypt.org' }],
    [
      'NAPTR',
      '100 10 "S" "SIP+D2U" "" _sip._udp.example.com.',
      'NAPTR',
      { order: 100, preference: 10, flags: 'S', services: 'SIP+D2U', regexp: '', replacement: '_sip._udp.example.com' },
    ],
    ['DS', `12345 8 2 ${DIGEST}`, 'DS', { keyTag: 12345, algorithm: 8, digestType: 2, digest: Buffer.from(DIGEST, 'hex') }],
    ['DNSKEY', `257 3 8 ${DNSKEY_B64}`, 'DNSKEY', { flags: 257, algorithm: 8, key: Buffer.from(DNSKEY_B64, 'base64') }],
    [
      'RRSIG',
      'SOA 8 2 3600 20300201000000 20240101000000 12345 example.com. AAECAw==',
      'RRSIG',
      {
        typeCovered: 'SOA', algorithm: 8, labels: 2, originalTTL: 3600, expiration: Date.UTC(2030, 1, 1) / 1000,
        inception: Date.UTC(2024, 0, 1) / 1000, keyTag: 12345, signersName: 'example.com', signature: Buffer.from([0, 1, 2, 3]),
      },
    ],
    ['NSEC', 'next.example.com. A NS SOA RRSIG NSEC CAA', 'NSEC', { nextDomain: 'next.example.com', rrtypes: ['A', 'NS', 'SOA', 'RRSIG', 'NSEC', 'CAA'] }],
    [
      'NSEC3',
      '1 1 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG',
      'NSEC3',
      {
        algorithm: 1, flags: 1, iterations: 12, salt: Buffer.from('aabbccdd', 'hex'),
        nextDomain: Buffer.from('17f3df17b2b2adaef615257de4d2020b80ac6c7c', 'hex'), rrtypes: ['A', 'RRSIG'],
      },
    ],
    ['SSHFP', `4 2 ${DIGEST}`, 'SSHFP', { algorithm: 4, hash: 2, fingerprint: DIGEST }],
    ['TLSA', `3 1 1 ${TLSA_DATA}`, 'TLSA', { usage: 3, selector: 1, matchingType: 1, certificate: Buffer.from(TLSA_DATA, 'hex') }],
    ['RP', 'admin.example.com. txt.example.com.', 'RP', { mbox: 'admin.example.com', txt: 'txt.example.com' }],
  ];
  for (const [type, text, dpType, data] of cases) {
    it(`${type} ${text.slice(0, 50)}`, () => {
      assert.equal(hex(wire(type, text)), packet(dpType, data));
    });
  }
});

describe('rdata wire matches hand-computed bytes', () => {
  const cases: [string, string, string][] = [
    ['AAAA', '::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
    ['AAAA', '1::', '00010000000000000000000000000000'],
    ['TXT', '"a\\"\\\\\\000é"', '0661225c00c3a9'],
    ['SPF', 'v=spf1', '06763d73706631'],
    ['AFSDB', '1 afs', '000103616673076578616d706c6503636f6d00'],
    ['URI', '10 1 "ftp://x"', '000a0001' + Buffer.from('ftp://x').toString('hex')],
    ['CAA', '128 iodef "x"', '800569 6f646566 78'.replace(/ /g, '')],
    ['NSEC3PARAM', '1 0 10 -', '0100000a00'],
    ['CSYNC', '66 3 A NS AAAA', '000000420003' + '0004' + '60000008'],
    ['EUI48', '00-00-5e-00-53-2a', '00005e00532a'],
    ['EUI64', '00-00-5e-ef-10-00-00-2a', '00005eef1000002a'],
    ['ZONEMD', '2018031500 1 1 FEBE', '7848b78c0101febe'],
    ['CERT', 'PKIX 1 RSASHA256 AQID', '000100010 8010203'.replace(/ /g, '')],
    ['OPENPGPKEY', 'AQID', '010203'],
    ['DHCID', 'AQID', '010203'],
    ['SMIMEA', '3 0 1 abcd', '030001abcd'],
    ['CDNSKEY', '0 3 0 AA==', '0000030000'],
    ['NSEC', 'host.example.com. TYPE1234', '04686f7374076578616d706c6503636f6d00' + '041b' + '00'.repeat(26) + '20'],
    // RFC 1876 §2 worked through: 2^31 ± thousandths of a second, 10^7 cm above -100 km
    ['LOC', '42 21 54 N 71 06 18 W -24m 30m', '00331613' + (2 ** 31 + 152514000).toString(16) + (2 ** 31 - 255978000).toString(16) + (10000000 - 2400).toString(16).padStart(8, '0')],
    // RFC 3123 §5 example: trailing zero octets of the address are not sent
    ['APL', '1:192.168.32.0/21 !1:192.168.38.0/28', '00011503c0a820' + '00011c83c0a826'],
    ['IPSECKEY', '10 1 2 192.0.2.38 AQID', '0a0102c0000226010203'],
    ['IPSECKEY', '10 3 2 gw.example.com. AQID', '0a030202677707' + '6578616d706c6503636f6d00' + '010203'],
    ['HIP', '2 0102 AQID rvs.', '020200030102010203' + '0372767300'],
    // RFC 9460 Appendix D
    ['HTTPS', '0 foo.example.com.', '0000' + '03666f6f076578616d706c6503636f6d00'],
    ['SVCB', '1 .', '000100'],
    ['SVCB', '16 foo.example.com. port=53', '0010' + '03666f6f076578616d706c6503636f6d00' + '000300020035'],
    ['SVCB', '1 foo.example.com. key667=hello', '0001' + '03666f6f076578616d706c6503636f6d00' + '029b000568656c6c6f'],
    ['SVCB', '1 foo.example.com. key667="hello\\210qoo"', '0001' + '03666f6f076578616d706c6503636f6d00' + '029b000968656c6c6fd2716f6f'],
    [
      'SVCB',
      '1 foo.example.com. ipv6hint="2001:db8::1,2001:db8::53:1"',
      '0001' + '03666f6f076578616d706c6503636f6d00' + '00060020' + '20010db8000000000000000000000001' + '20010db8000000000000000000530001',
    ],
    ['SVCB', '1 example.com. ipv6hint="2001:db8:122:344::192.0.2.33"', '0001' + '076578616d706c6503636f6d00' + '00060010' + '20010db80122034400000000c0000221'],
    [
      'SVCB',
      '16 foo.example.org. ( alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1 )',
      '0010' + '03666f6f076578616d706c65036f726700' + '000000040001000400010009026832056833 2d3139'.replace(/ /g, '') + '00040004c0000201',
    ],
    ['SVCB', '16 foo.example.org. alpn="f\\\\\\\\oo\\\\,bar,h2"', '0010' + '03666f6f076578616d706c65036f726700' + '0001000c' + '08665c6f6f2c626172' + '026832'],
    ['SVCB', '16 foo.example.org. alpn=f\\\\\\092oo\\092,bar,h2', '0010' + '03666f6f076578616d706c65036f726700' + '0001000c' + '08665c6f6f2c626172' + '026832'],
  ];
  for (const [type, text, bytes] of cases) {
    it(`${type} ${text.slice(0, 60)}`, () => {
      assert.equal(hex(wire(type, text)), bytes);
    });
  }
});

describe('generic form (RFC 3597)', () => {
  it('is accepted for a known type and gives the same wire as its own form', () => {
    assert.equal(hex(wire('A', '\\# 4 C0000201')), 'c0000201');
    assert.equal(hex(wire('MX', '\\# 8 000A 04 6d61696c 00')), '000a046d61696c00');
  });
  it('is checked against the known type', () => {
    assert.throws(() => wire('A', '\\# 3 C00002'), /A rdata is truncated/);
    assert.throws(() => wire('MX', '\\# 3 000A05'), /MX embedded name is truncated/);
  });
  it('prints unknown types generically', () => {
    assert.equal(rdataToText(65280, Uint8Array.of(10, 0, 0, 1)), '\\# 4 0A000001');
    assert.equal(rdataToText(65280, new Uint8Array(0)), '\\# 0');
  });
  it('is required for unknown types', () => {
    assert.throws(() => rdataFromText(65280, tokenize('10.0.0.1'), ctx), /TYPE65280 has no presentation format known here/);
  });
  it('is not recognised when quoted', () => {
    assert.throws(() => rdataFromText(65280, [{ value: '\\#', quoted: true }, { value: '0', quoted: false }], ctx), /no presentation format/);
  });
});
