/**
 * Bad presentation input: each error is an RdataError whose message names the field, quotes the
 * value and says why.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseName } from '../../zones/name.js';
import { typeFromText } from '../../zones/rrtype.js';
import { RdataError, rdataFromText } from '../../zones/rdata/index.js';
import { tokenize } from './rdata-tokens.js';

const ctx = { origin: parseName('example.com.') };

/** [type, rdata text, exact message]. */
const CASES: [string, string, string][] = [
  // numbers
  ['MX', '70000 mail', 'MX preference "70000" is above 65535'],
  ['MX', '-1 mail', 'MX preference "-1" is not an unsigned decimal number'],
  ['CAA', '256 issue "x"', 'CAA flags "256" is above 255'],
  ['SOA', 'a b 4294967296 2 3 4 5', 'SOA serial "4294967296" is above 4294967295'],
  ['SRV', '1 2 65536 x.', 'SRV port "65536" is above 65535'],
  ['NSEC3PARAM', '1 0 1x -', 'NSEC3PARAM iterations "1x" is not an unsigned decimal number'],
  // durations and timestamps
  ['SOA', 'a b 1 2x 3 4 5', 'SOA refresh "2x" is not a duration (like 3600 or 1h30m)'],
  ['SOA', 'a b 1 1h30 3 4 5', 'SOA refresh "1h30" mixes units and a bare number (write 1h30m, not 1h30)'],
  ['SOA', 'a b 1 2 3 4 9999999999', 'SOA minimum "9999999999" is above 4294967295 seconds'],
  ['RRSIG', 'A 8 2 3600 20241301000000 20240101000000 1 x AAAA', 'RRSIG expiration "20241301000000" is not a valid UTC date and time (YYYYMMDDHHmmSS, from 1970)'],
  ['RRSIG', 'A 8 2 3600 20230229000000 20240101000000 1 x AAAA', 'RRSIG expiration "20230229000000" is not a valid UTC date and time (YYYYMMDDHHmmSS, from 1970)'],
  ['RRSIG', 'A 8 2 3600 21070101000000 20240101000000 1 x AAAA', 'RRSIG expiration "21070101000000" is after 2106-02-07T06:28:15Z, beyond 32-bit seconds'],
  ['RRSIG', 'A 8 2 3600 2024010100000x 20240101000000 1 x AAAA', 'RRSIG expiration "2024010100000x" is not YYYYMMDDHHmmSS nor a number of seconds'],
  ['RRSIG', 'A 8 2 3600 20240101000000 4294967296 1 x AAAA', 'RRSIG inception "4294967296" is above 4294967295'],
  // field counts
  ['MX', '10', 'MX needs 2 fields (preference exchange), got 1: missing exchange'],
  ['MX', '10 a b', 'MX needs 2 fields (preference exchange), got 3: unexpected "b"'],
  ['A', '', 'A needs 1 field (address), got 0: missing address'],
  ['SOA', 'a b 1 2 3 4', 'SOA needs 7 fields (mname rname serial refresh retry expire minimum), got 6: missing minimum'],
  ['HINFO', '"a"', 'HINFO needs 2 fields (cpu os), got 1: missing os'],
  ['HINFO', '"a" "b" "c"', 'HINFO needs 2 fields (cpu os), got 3: unexpected "c"'],
  ['TXT', '', 'TXT needs at least one character-string'],
  ['DNSKEY', '257 3 8', 'DNSKEY needs at least 4 fields (flags protocol algorithm public-key), got 3: missing public-key'],
  ['CAA', '0 issue a b', 'CAA needs 3 fields (flags tag value), got 4: quote a value with spaces'],
  // names
  ['MX', '10 a..b', 'MX exchange "a..b" is not a valid domain name: name "a..b" has an empty label'],
  ['NS', `${'a'.repeat(64)}.`, `NS nameserver "${'a'.repeat(64)}." is not a valid domain name: name "${'a'.repeat(64)}." has a label of 64 octets, above 63`],
  ['SRV', '1 2 3 bad\\', 'SRV target "bad\\" is not a valid domain name: name "bad\\" ends with a lone backslash'],
  // addresses
  ['A', '1.2.3.256', 'A address "1.2.3.256" is not an IPv4 address'],
  ['A', '01.2.3.4', 'A address "01.2.3.4" is not an IPv4 address'],
  ['A', '1.2.3', 'A address "1.2.3" is not an IPv4 address'],
  ['AAAA', '1::2::3', 'AAAA address "1::2::3" is not an IPv6 address'],
  ['AAAA', '1:2:3:4:5:6:7:8:9', 'AAAA address "1:2:3:4:5:6:7:8:9" is not an IPv6 address'],
  ['AAAA', '1:2:3:4:5:6:7:8::', 'AAAA address "1:2:3:4:5:6:7:8::" is not an IPv6 address'],
  ['AAAA', '12345::', 'AAAA address "12345::" is not an IPv6 address'],
  ['AAAA', '1.2.3.4', 'AAAA address "1.2.3.4" is not an IPv6 address'],
  ['AAAA', '1:', 'AAAA address "1:" is not an IPv6 address'],
  ['EUI48', '00:00:5e:00:53:2a', 'EUI48 address "00:00:5e:00:53:2a" is not 6 hex pairs separated by "-"'],
  // strings
  ['TXT', '"\\256"', 'TXT string "\\256" has the escape \\256, above 255'],
  ['TXT', '"\\12x"', 'TXT string "\\12x" has a \\DDD escape without three digits'],
  ['TXT', `"${'x'.repeat(256)}"`, `TXT string "${'x'.repeat(72)}..." is longer than 255 octets`],
  ['NAPTR', `1 1 "${'é'.repeat(128)}" "" "" .`, `NAPTR flags "${'é'.repeat(72)}..." is longer than 255 octets`],
  ['CAA', '0 is-sue "x"', 'CAA tag "is-sue" must be 1 to 15 letters and digits'],
  // encodings
  ['DNSKEY', '257 3 8 AAA', 'DNSKEY public key "AAA" is not valid base64: length 3 is not a multiple of 4'],
  ['DNSKEY', '257 3 8 AA=A', 'DNSKEY public key "AA=A" is not valid base64: bad character "=" at 2'],
  ['RRSIG', 'A 8 2 3600 1 0 1 x. AA*A', 'RRSIG signature "AA*A" is not valid base64: bad character "*" at 2'],
  ['DNSKEY', '257 3 FOO AAAA', 'DNSKEY algorithm "FOO" is neither a number nor a known DNSSEC algorithm mnemonic'],
  ['DS', '1 8 2 abc', 'DS digest "abc" is not valid hex: odd number of digits (3)'],
  ['DS', '1 8 2 zz', 'DS digest "zz" is not valid hex: bad character "z" at 0'],
  ['NSEC3', '1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3', 'NSEC3 next hashed owner "2vptu5timamqttgl4luu9kg21e0aor3" is not valid base32hex: nonzero trailing bits'],
  ['NSEC3', '1 0 0 - 2vptu5timamqttgl4luu9kg21e0aorw', 'NSEC3 next hashed owner "2vptu5timamqttgl4luu9kg21e0aorw" is not valid base32hex: bad character "w" at 30'],
  ['NSEC3', '1 0 0 xyz 2vptu5timamqttgl4luu9kg21e0aor3s', 'NSEC3 salt "xyz" is not valid hex: odd number of digits (3)'],
  ['CERT', 'FOO 1 1 AAAA', 'CERT type "FOO" is neither a number nor a known CERT type mnemonic'],
  // types
  ['NSEC', 'x A FOO', 'NSEC type "FOO" is not a known RR type (use TYPEnnn for others)'],
  ['RRSIG', 'FOO 8 2 3600 1 0 1 x. AAAA', 'RRSIG type covered "FOO" is not a known RR type (use TYPEnnn for others)'],
  // LOC
  ['LOC', '91 N 0 E 0m', 'LOC latitude degrees "91" is above 90'],
  ['LOC', '10 60 N 0 E 0m', 'LOC latitude minutes "60" is above 59'],
  ['LOC', '10 59 60 N 0 E 0m', 'LOC latitude seconds "60" is 60 or above'],
  ['LOC', '90 0 0.001 N 0 E 0m', 'LOC latitude is beyond 90 degrees'],
  ['LOC', '10 N 0 X 0m', 'LOC longitude hemisphere "X" is not E or W'],
  ['LOC', '10 N 0 E', 'LOC is missing the altitude'],
  ['LOC', '10 N 0 E 0m 1m 1m 1m 1m', 'LOC has an unexpected field "1m" after the vertical precision'],
  ['LOC', '10 N 0 E 0.001m', 'LOC altitude "0.001m" has more than 2 decimals'],
  ['LOC', '10 N 0 E -100000.01m', 'LOC altitude "-100000.01m" is outside -100000.00m to 42849672.95m'],
  ['LOC', '10 N 0 E 0m 90000000.01m', 'LOC size "90000000.01m" is above 90000000.00m'],
  // SVCB, RFC 9460 Appendix D.3 failure cases and more
  ['SVCB', '1 foo.example.com. key123=abc key123=def', 'SVCB parameter key123 appears more than once'],
  ['SVCB', '1 foo.example.com. mandatory', 'SVCB mandatory needs a value'],
  ['SVCB', '1 foo.example.com. alpn', 'SVCB alpn needs a value'],
  ['SVCB', '1 foo.example.com. port', 'SVCB port needs a value'],
  ['SVCB', '1 foo.example.com. ipv4hint', 'SVCB ipv4hint needs a value'],
  ['SVCB', '1 foo.example.com. ipv6hint', 'SVCB ipv6hint needs a value'],
  ['SVCB', '1 foo.example.com. alpn=h2 no-default-alpn=abc', 'SVCB no-default-alpn takes no value, got "abc"'],
  ['SVCB', '1 foo.example.com. mandatory=key123', 'SVCB mandatory lists key123, which is not present'],
  ['SVCB', '1 foo.example.com. mandatory=mandatory', 'SVCB mandatory "mandatory" must not list mandatory itself'],
  ['SVCB', '1 foo.example.com. mandatory=key123,key123 key123=abc', 'SVCB mandatory "key123,key123" lists key123 twice'],
  ['HTTPS', '1 . no-default-alpn', 'HTTPS no-default-alpn needs an alpn parameter'],
  ['SVCB', '1 . foo=bar', 'SVCB parameter key "foo" is not known (use keyNNNNN for others)'],
  ['SVCB', '1 . key65536=x', 'SVCB parameter key "key65536" is above key65535'],
  ['SVCB', '1 . port=70000', 'SVCB port "70000" is above 65535'],
  ['SVCB', '1 . ipv4hint=1.2.3.4,x', 'SVCB ipv4hint "x" is not an IPv4 address'],
  ['SVCB', '1 . alpn=h2,,h3', 'SVCB alpn "h2,,h3" has an empty protocol id'],
  ['SVCB', '1 . ech=AB', 'SVCB ech "AB" is not valid base64: length 2 is not a multiple of 4'],
  // APL, IPSECKEY
  ['APL', '3:1.2.3.4/8', 'APL item "3:1.2.3.4/8" has address family 3, not 1 (IPv4) or 2 (IPv6)'],
  ['APL', '1:1.2.3.4/33', 'APL item "1:1.2.3.4/33" has prefix 33, above 32'],
  ['APL', '1.2.3.4/8', 'APL item "1.2.3.4/8" is not [!]afi:address/prefix'],
  ['IPSECKEY', '1 0 0 x', 'IPSECKEY gateway "x" must be "." for gateway type 0'],
  ['IPSECKEY', '1 4 0 x', 'IPSECKEY gateway type "4" is not 0, 1, 2 or 3'],
  ['IPSECKEY', '1 1 0 ::1', 'IPSECKEY gateway "::1" is not an IPv4 address'],
  // generic form
  ['TYPE65280', '\\# 2 abcdef', 'TYPE65280 \\# data is 3 octets, but the length says 2'],
  ['TYPE65280', '\\# x', 'TYPE65280 \\# length "x" is not an unsigned decimal number'],
  ['TYPE65280', '\\#', 'TYPE65280 \\# needs a length after it'],
  ['TYPE65280', '\\# 0 00', 'TYPE65280 \\# length is 0 but data "00" follows'],
  ['TYPE65280', '\\# 65536 00', 'TYPE65280 \\# length "65536" is above 65535'],
  ['A', '\\# 5 0102030405', 'A rdata has 1 trailing octet at offset 4'],
];

describe('rdata errors name the field and the value', () => {
  for (const [type, text, message] of CASES) {
    it(`${type} ${text.slice(0, 50)}`, () => {
      assert.throws(() => rdataFromText(typeFromText(type)!, tokenize(text), ctx), (err: unknown) => {
        assert.ok(err instanceof RdataError, `not an RdataError: ${String(err)}`);
        assert.equal(err.code, 'MESHDNS_ERR_RDATA');
        assert.equal(err.message, message);
        return true;
      });
    });
  }
});
