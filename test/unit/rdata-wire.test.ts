/**
 * Wire-side API: validateRdata on received rdata, rdataFromWire (decompression and pointer checks),
 * canonicalRdata (RFC 4034 §6.2) and rdataNames.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseName } from '../../zones/name.js';
import { RRType, typeFromText } from '../../zones/rrtype.js';
import { canonicalRdata, RdataError, rdataFromText, rdataFromWire, rdataNames, rdataToText, validateRdata } from '../../zones/rdata/index.js';
import { tokenize } from './rdata-tokens.js';

const ctx = { origin: parseName('example.com.') };

function wire(type: string, text: string): Uint8Array {
  return rdataFromText(typeFromText(type)!, tokenize(text), ctx);
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const EXAMPLE_COM = '076578616d706c6503636f6d00';

function rejects(type: number, rdata: Uint8Array, message: RegExp): void {
  assert.throws(() => validateRdata(type, rdata), (err: unknown) => err instanceof RdataError && message.test(err.message));
}

describe('validateRdata', () => {
  it('accepts what the text codecs produce', () => {
    for (const [type, text] of [
      ['MX', '10 mail'], ['SOA', 'ns1 host 1 2 3 4 5'], ['TXT', '"a" ""'], ['SVCB', '1 . alpn=h2 port=443'],
      ['NSEC', 'x A TYPE1234'], ['NSEC3', '1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3s'], ['LOC', '1 N 2 E 3m'],
      ['HIP', '2 0102 AQID rvs.'], ['IPSECKEY', '1 3 2 gw. AQID'], ['APL', '1:10.0.0.0/8'], ['CAA', '0 issue ""'],
    ] as const) {
      validateRdata(typeFromText(type)!, wire(type, text));
    }
  });

  it('rejects malformed rdata with the defect named', () => {
    rejects(RRType.A, bytes('c00002'), /A rdata is truncated/);
    rejects(RRType.AAAA, new Uint8Array(17), /AAAA rdata has 1 trailing octet/);
    rejects(RRType.MX, bytes('000a 04 6d61 69'), /MX embedded name is truncated/);
    rejects(RRType.MX, bytes('000a c00c'), /MX embedded name has a compression pointer at offset 2/);
    rejects(RRType.RRSIG, bytes('0001 08 02 00000e10 00000000 00000000 3039 c00c 0102'), /RRSIG embedded name has a compression pointer/);
    rejects(RRType.NS, bytes('40 00'), /NS embedded name has a bad label length 64/);
    rejects(RRType.NS, bytes(('3f' + '61'.repeat(63)).repeat(4) + '00'), /is 257 octets long, above 255/);
    rejects(RRType.TXT, new Uint8Array(0), /TXT rdata is truncated: character-string missing/);
    rejects(RRType.TXT, bytes('05 6162'), /TXT character-string at offset 0 says 5 octets, only 2 left/);
    rejects(RRType.HINFO, bytes('0161'), /HINFO rdata is truncated/);
    rejects(RRType.NSEC, bytes(EXAMPLE_COM + '0101 40 0001 40'), /window 0 at offset \d+ is not after window 1/);
    rejects(RRType.NSEC, bytes(EXAMPLE_COM + '0002 4000'), /window 0 ends with a zero octet/);
    rejects(RRType.NSEC, bytes(EXAMPLE_COM + '0000'), /window 0 has length 0, not 1 to 32/);
    rejects(RRType.NSEC, bytes(EXAMPLE_COM + '0021' + '01'.repeat(33)), /window 0 has length 33/);
    rejects(RRType.NSEC3, bytes('01000000 00 00'), /NSEC3 next hashed owner is empty/);
    rejects(RRType.NSEC3PARAM, bytes('01000000 02 aa'), /NSEC3PARAM salt says 2 octets, only 1 left/);
    rejects(RRType.SVCB, bytes('0001 00 0003 0002 01bb 0001 0003 026832'), /SVCB parameter alpn is not after port: keys must be strictly increasing/);
    rejects(RRType.SVCB, bytes('0001 00 0003 0002 01bb 0003 0002 01bb'), /SVCB parameter port is not after port/);
    rejects(RRType.SVCB, bytes('0001 00 0003 0003 01bb00'), /SVCB port value is malformed: 3 octets, must be 2/);
    rejects(RRType.HTTPS, bytes('0001 00 0001 0003 00 6832'), /HTTPS alpn value is malformed: empty protocol id/);
    rejects(RRType.SVCB, bytes('0001 00 0000 0002 0000'), /SVCB mandatory value is malformed: lists mandatory itself/);
    rejects(RRType.SVCB, bytes('0001 00 0004 0005 c000020100'), /SVCB ipv4hint value is malformed/);
    rejects(RRType.SVCB, bytes('0001 00 0002 0001 00'), /SVCB no-default-alpn value is malformed/);
    rejects(RRType.SVCB, bytes('0001 00 0003 0004 01bb'), /SVCB parameter port says 4 octets, only 2 left/);
    rejects(RRType.LOC, bytes('01 00'), /LOC version 1 is not 0/);
    rejects(RRType.LOC, new Uint8Array(15), /LOC rdata is 15 octets, must be 16/);
    rejects(RRType.LOC, bytes('00a0' + '00'.repeat(14)), /LOC size\/precision octet 1 \(0xa0\) has a digit above 9/);
    rejects(RRType.CAA, bytes('00 05 69732d7375 78'), /CAA tag has the octet 45, not a letter or digit/);
    rejects(RRType.CAA, bytes('00 00'), /CAA tag length 0 is not 1 to 15/);
    rejects(RRType.IPSECKEY, bytes('0a 04 02'), /IPSECKEY gateway type 4 is not 0, 1, 2 or 3/);
    rejects(RRType.IPSECKEY, bytes('0a 01 02 c000'), /IPSECKEY rdata is truncated: the gateway needs 4 octets/);
    rejects(RRType.HIP, bytes('04 02 0003 0102'), /HIP rdata is truncated/);
    rejects(RRType.APL, bytes('0003 08 01 0a'), /address family 3/);
    rejects(RRType.APL, bytes('0001 08 05 0a00000000'), /5 address octets, above 4/);
    rejects(RRType.DNSKEY, bytes('0101 03 08'), /DNSKEY rdata is truncated: its last field is empty/);
    rejects(RRType.EUI48, new Uint8Array(5), /EUI48 rdata is truncated/);
    rejects(RRType.SOA, bytes(EXAMPLE_COM + EXAMPLE_COM + '00'.repeat(19)), /SOA rdata is truncated/);
  });

  it('passes unknown types through', () => {
    validateRdata(65280, bytes('c00c ff'));
    validateRdata(65280, new Uint8Array(0));
  });
});

/** A DNS message: header, question example.com/A, then the answer RRs given as [type, rdata hex]. */
function message(answers: [number, string][]): { msg: Uint8Array; rdata: { offset: number; length: number }[] } {
  let h = '1234 8400 0001' + (answers.length.toString(16).padStart(4, '0')) + '0000 0000';
  h += EXAMPLE_COM + '0001 0001'; // question at offset 12
  const rdata: { offset: number; length: number }[] = [];
  for (const [type, r] of answers) {
    const rd = r.replace(/\s+/g, '');
    h += 'c00c' + type.toString(16).padStart(4, '0') + '0001 00000e10' + (rd.length / 2).toString(16).padStart(4, '0');
    rdata.push({ offset: h.replace(/\s+/g, '').length / 2, length: rd.length / 2 });
    h += rd;
  }
  return { msg: bytes(h), rdata };
}

describe('rdataFromWire', () => {
  it('expands compressed names of RFC 1035 types', () => {
    // MX exchange "mail" + pointer to example.com (offset 12); SOA mname pointer, rname "host" + pointer into the mname
    const { msg, rdata } = message([
      [RRType.MX, '000a 046d61696c c00c'],
      [RRType.NS, '036e7331 c00c'],
      [RRType.CNAME, 'c00c'],
    ]);
    const mx = rdataFromWire(RRType.MX, msg, rdata[0]!.offset, rdata[0]!.length);
    assert.equal(rdataToText(RRType.MX, mx), '10 mail.example.com.');
    assert.equal(hex(mx), hex(wire('MX', '10 mail')));
    assert.equal(rdataToText(RRType.NS, rdataFromWire(RRType.NS, msg, rdata[1]!.offset, rdata[1]!.length)), 'ns1.example.com.');
    assert.equal(rdataToText(RRType.CNAME, rdataFromWire(RRType.CNAME, msg, rdata[2]!.offset, rdata[2]!.length)), 'example.com.');
  });

  it('follows pointers inside the same rdata (SOA rname into mname)', () => {
    const { msg, rdata } = message([[RRType.SOA, '036e7331 c00c 04686f7374 c00c 00000001 00000002 00000003 00000004 00000005']]);
    const soa = rdataFromWire(RRType.SOA, msg, rdata[0]!.offset, rdata[0]!.length);
    assert.equal(rdataToText(RRType.SOA, soa), 'ns1.example.com. host.example.com. 1 2 3 4 5');
    // now rname points at the mname inside the rdata
    const at = rdata[0]!.offset;
    const ptr = (0xc000 | at).toString(16);
    const second = message([[RRType.SOA, `036e7331 c00c ${ptr} 00000001 00000002 00000003 00000004 00000005`]]);
    const soa2 = rdataFromWire(RRType.SOA, second.msg, second.rdata[0]!.offset, second.rdata[0]!.length);
    assert.equal(rdataToText(RRType.SOA, soa2), 'ns1.example.com. ns1.example.com. 1 2 3 4 5');
  });

  it('accepts compression in SRV and NAPTR targets, and in RP, AFSDB, KX, DNAME, PTR', () => {
    const { msg, rdata } = message([
      [RRType.SRV, '0000 0005 13c4 03736970 c00c'],
      [RRType.NAPTR, '0064 000a 0153 00 00 c00c'],
      [RRType.RP, 'c00c c00c'],
      [RRType.AFSDB, '0001 c00c'],
      [RRType.KX, '000a c00c'],
      [RRType.DNAME, 'c00c'],
      [RRType.PTR, '0168 c00c'],
    ]);
    const text = rdata.map(({ offset, length }, i) => {
      const type = [RRType.SRV, RRType.NAPTR, RRType.RP, RRType.AFSDB, RRType.KX, RRType.DNAME, RRType.PTR][i]!;
      return rdataToText(type, rdataFromWire(type, msg, offset, length));
    });
    assert.deepEqual(text, [
      '0 5 5060 sip.example.com.', '100 10 "S" "" "" example.com.', 'example.com. example.com.', '1 example.com.',
      '10 example.com.', 'example.com.', 'h.example.com.',
    ]);
  });

  it('copies rdata of types that must not be compressed, leaving validateRdata to refuse pointers', () => {
    const { msg, rdata } = message([[RRType.RRSIG, '0001 08 02 00000e10 00000000 00000000 3039 c00c 0102']]);
    const sig = rdataFromWire(RRType.RRSIG, msg, rdata[0]!.offset, rdata[0]!.length);
    assert.equal(sig.length, rdata[0]!.length);
    assert.throws(() => validateRdata(RRType.RRSIG, sig), /compression pointer/);
  });

  it('returns a copy, not a view of the message', () => {
    const { msg, rdata } = message([[RRType.A, 'c0000201']]);
    const a = rdataFromWire(RRType.A, msg, rdata[0]!.offset, 4);
    msg[rdata[0]!.offset] = 0;
    assert.equal(hex(a), 'c0000201');
  });

  it('refuses bad pointers and overruns', () => {
    const bad = (answers: [number, string][], re: RegExp, fix?: (m: Uint8Array, off: number) => void): void => {
      const { msg, rdata } = message(answers);
      fix?.(msg, rdata[0]!.offset);
      assert.throws(() => rdataFromWire(answers[0]![0], msg, rdata[0]!.offset, rdata[0]!.length), (err: unknown) => err instanceof RdataError && re.test(err.message));
    };
    // a pointer to itself, then forward
    bad([[RRType.CNAME, 'c000']], /compression pointer at offset \d+ to \d+, not before/, (m, off) => {
      m[off] = 0xc0 | (off >> 8);
      m[off + 1] = off & 0xff;
    });
    bad([[RRType.CNAME, 'c000']], /not before/, (m, off) => {
      m[off + 1] = (off + 10) & 0xff;
    });
    // a loop: the name at 12 is patched to point to the rdata, which points back to 12
    bad([[RRType.CNAME, 'c00c']], /not before/, (m, off) => {
      m[12] = 0xc0 | (off >> 8);
      m[13] = off & 0xff;
    });
    bad([[RRType.CNAME, 'c0']], /truncated compression pointer/);
    bad([[RRType.CNAME, '80 00']], /unsupported label type 0x80/);
    bad([[RRType.CNAME, '41 00']], /unsupported label type 0x41/);
    bad([[RRType.MX, '000a 05 6d61696c']], /MX embedded name is truncated/);
    bad([[RRType.MX, '000a c00c 00']], /MX rdata has 1 trailing octet/);
    bad([[RRType.SOA, 'c00c c00c 00000001']], /SOA rdata is truncated/);
    // a name that grows past 255 octets through pointers
    const long = ('3f' + '61'.repeat(63)).repeat(3) + '32' + '61'.repeat(50); // 243 octets, 256 with example.com
    const { msg } = message([[RRType.CNAME, long + 'c00c']]);
    const off = msg.length - (long.length / 2 + 2);
    assert.throws(() => rdataFromWire(RRType.CNAME, msg, off, long.length / 2 + 2), /longer than 255 octets/);
    assert.throws(() => rdataFromWire(RRType.A, msg, msg.length - 2, 4), /does not fit in the \d+-octet message/);
  });
});

describe('canonicalRdata', () => {
  it('lowercases embedded names of the RFC 4034 §6.2 types without touching the input', () => {
    const mx = wire('MX', '10 MAIL.Example.COM.');
    const before = hex(mx);
    assert.equal(hex(canonicalRdata(RRType.MX, mx)), hex(wire('MX', '10 mail.example.com.')));
    assert.equal(hex(mx), before);
    assert.equal(rdataToText(RRType.SOA, canonicalRdata(RRType.SOA, wire('SOA', 'NS1.X. Host.X. 1 2 3 4 5'))), 'ns1.x. host.x. 1 2 3 4 5');
    assert.equal(
      rdataToText(RRType.RRSIG, canonicalRdata(RRType.RRSIG, wire('RRSIG', 'A 8 2 3600 1 0 1 EXAMPLE.com. AAAA'))),
      'A 8 2 3600 19700101000001 19700101000000 1 example.com. AAAA',
    );
    // NAPTR: the replacement is lowercased, the character-strings keep their case
    assert.equal(rdataToText(RRType.NAPTR, canonicalRdata(RRType.NAPTR, wire('NAPTR', '1 1 "S" "SIP+D2U" "" SIP.X.'))), '1 1 "S" "SIP+D2U" "" sip.x.');
    assert.equal(rdataToText(RRType.SRV, canonicalRdata(RRType.SRV, wire('SRV', '1 1 1 SIP.X.'))), '1 1 1 sip.x.');
  });

  it('returns the same object when nothing changes or the type keeps its case', () => {
    const lower = wire('MX', '10 mail.example.com.');
    assert.equal(canonicalRdata(RRType.MX, lower), lower);
    // RFC 6840 §5.1: not NSEC; RFC 3597 §7: not types newer than it
    for (const [type, text] of [['NSEC', 'NEXT.X. A'], ['SVCB', '1 TARGET.X.'], ['TXT', '"ABC"'], ['IPSECKEY', '1 3 0 GW.X.']] as const) {
      const r = wire(type, text);
      assert.equal(canonicalRdata(typeFromText(type)!, r), r);
    }
  });
});

describe('rdataNames', () => {
  const names = (type: string, text: string): unknown => rdataNames(typeFromText(type)!, wire(type, text));
  it('finds embedded names with their compression and additional-processing flags', () => {
    assert.deepEqual(names('NS', 'ns1'), [{ offset: 0, compress: true, additional: true }]);
    assert.deepEqual(names('MX', '10 mail'), [{ offset: 2, compress: true, additional: true }]);
    assert.deepEqual(names('CNAME', 'x'), [{ offset: 0, compress: true, additional: false }]);
    assert.deepEqual(names('PTR', 'x'), [{ offset: 0, compress: true, additional: false }]);
    assert.deepEqual(names('SOA', 'ns1.x. host.x. 1 2 3 4 5'), [
      { offset: 0, compress: true, additional: false },
      { offset: 7, compress: true, additional: false },
    ]);
    assert.deepEqual(names('SRV', '0 5 5060 sip'), [{ offset: 6, compress: false, additional: true }]);
    assert.deepEqual(names('DNAME', 'x.'), [{ offset: 0, compress: false, additional: false }]);
    assert.deepEqual(names('RP', 'a.x. b.x.'), [
      { offset: 0, compress: false, additional: false },
      { offset: 5, compress: false, additional: false },
    ]);
    assert.deepEqual(names('RRSIG', 'A 8 2 3600 1 0 1 x. AAAA'), [{ offset: 18, compress: false, additional: false }]);
    assert.deepEqual(names('NSEC', 'next.x. A'), [{ offset: 0, compress: false, additional: false }]);
    assert.deepEqual(names('HTTPS', '1 svc.x. alpn=h2'), [{ offset: 2, compress: false, additional: false }]);
    assert.deepEqual(names('NAPTR', '1 1 "S" "" "" x.'), [{ offset: 8, compress: false, additional: false }]);
    assert.deepEqual(names('IPSECKEY', '1 3 0 gw.x.'), [{ offset: 3, compress: false, additional: false }]);
    assert.deepEqual(names('HIP', '2 0102 AQID a.x. b.x.'), [
      { offset: 9, compress: false, additional: false },
      { offset: 14, compress: false, additional: false },
    ]);
    assert.deepEqual(names('A', '192.0.2.1'), []);
    assert.deepEqual(names('TXT', '"x"'), []);
    assert.deepEqual(rdataNames(65280, bytes('00')), []);
  });
});
