// Golden answer table over the differential zones (test/differential/zones), run in-process by
// answer-table.test.ts (CoreDNS plugin/file/*_test.go habit). Each row: a query → rcode, AA, TC and
// the three sections, one presentation-format string per RR (names lowercased, order free).
//
// Expected answers were taken from knotd on the same zones and checked against RFC 1034 §4.3.2
// where they surprise; `note` says why when it is not obvious, and names every row where meshdns
// deliberately answers differently from knotd. To re-check the table against knotd, or to write a
// new row, run `node dist/test/tools/answer-table-from-knotd.js [--all]` after a build: it prints
// knotd's answer in this format.
//
// Defaults (helpers/answer-query.ts): UDP, EDNS(0) with a 1232-octet payload and DO clear, RD clear;
// sections not listed must be empty; the OPT of the answer must mirror the query's (DO, NSID).
import type { AnswerCase } from '../helpers/answer-query.js';

export const ANSWER_CASES: AnswerCase[] = [
  {
    cat: 'exact', q: {qname: 'www.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true,
    answer: ['www.example.test. 3600 IN A 192.0.2.80'],
  },
  {
    cat: 'exact', q: {qname: 'example.test.', qtype: 'SOA'}, rcode: 'NOERROR', aa: true,
    answer: ['example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  {
    cat: 'exact', q: {qname: 'example.test.', qtype: 'NS'}, rcode: 'NOERROR', aa: true,
    answer: [
      'example.test. 3600 IN NS ns.other.test.',
      'example.test. 3600 IN NS ns1.example.test.',
      'example.test. 3600 IN NS ns2.example.test.',
    ],
    additional: [
      'ns1.example.test. 3600 IN A 192.0.2.1',
      'ns1.example.test. 3600 IN AAAA 2001:db8::1',
      'ns2.example.test. 7200 IN A 192.0.2.2',
    ],
  },
  {
    cat: 'exact', q: {qname: 'example.test.', qtype: 'MX'}, rcode: 'NOERROR', aa: true,
    answer: [
      'example.test. 3600 IN MX 10 mail.example.test.',
      'example.test. 3600 IN MX 20 mail.other.test.',
      'example.test. 3600 IN MX 30 mx.example.net.',
    ],
    additional: [
      'mail.example.test. 3600 IN A 192.0.2.25',
      'mail.example.test. 3600 IN AAAA 2001:db8::25',
    ],
  },
  {
    cat: 'exact', q: {qname: 'example.test.', qtype: 'CAA'}, rcode: 'NOERROR', aa: true,
    answer: [
      'example.test. 3600 IN CAA 0 iodef "mailto:security@example.test"',
      'example.test. 3600 IN CAA 0 issue "letsencrypt.org"',
      'example.test. 3600 IN CAA 128 tbs "critical-unknown"',
    ],
  },
  {
    cat: 'exact', q: {qname: 'www.example.test.', qtype: 'TXT'}, rcode: 'NOERROR', aa: true,
    answer: ['www.example.test. 3600 IN TXT "hello world"'],
  },
  {
    cat: 'exact', q: {qname: '_sip._udp.example.test.', qtype: 'SRV'}, rcode: 'NOERROR', aa: true,
    answer: [
      '_sip._udp.example.test. 3600 IN SRV 10 60 5060 sip.example.test.',
      '_sip._udp.example.test. 3600 IN SRV 20 10 5060 sip.other.test.',
    ],
    additional: [
      'sip.example.test. 3600 IN A 192.0.2.61',
      'sip.example.test. 3600 IN AAAA 2001:db8::61',
    ],
  },
  {
    cat: 'exact', q: {qname: 'naptr.example.test.', qtype: 'NAPTR'}, rcode: 'NOERROR', aa: true,
    answer: [
      'naptr.example.test. 3600 IN NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp.example.test.',
      'naptr.example.test. 3600 IN NAPTR 102 10 "U" "E2U+sip" "!^.*$!sip:info@example.test!" .',
    ],
  },
  {
    cat: 'exact', q: {qname: 'generic.example.test.', qtype: 'TYPE65280'}, rcode: 'NOERROR', aa: true,
    answer: ['generic.example.test. 3600 IN TYPE65280 \\# 4 0A000001'],
  },
  {
    cat: 'exact', q: {qname: 'multistr.example.test.', qtype: 'TXT'}, rcode: 'NOERROR', aa: true,
    answer: ['multistr.example.test. 3600 IN TXT "one" "two" "three with spaces" "semi;colon" "quote\\"inside" "\\255\\000binary"'],
  },
  {
    cat: 'exact', q: {qname: 'empty-txt.example.test.', qtype: 'TXT'}, rcode: 'NOERROR', aa: true,
    answer: ['empty-txt.example.test. 3600 IN TXT ""'],
  },
  {
    cat: 'exact', q: {qname: 'ttl-varied.example.test.', qtype: 'AAAA'}, rcode: 'NOERROR', aa: true,
    answer: ['ttl-varied.example.test. 120 IN AAAA 2001:db8::120'],
  },
  {
    cat: 'exact', q: {qname: 'svc.example.test.', qtype: 'SVCB'}, rcode: 'NOERROR', aa: true,
    answer: [
      'svc.example.test. 3600 IN SVCB \\# 36 00020B7376632D74617267657432076578616D706C650474657374000001000403646F71',
      'svc.example.test. 3600 IN SVCB \\# 41 00010A7376632D746172676574076578616D706C650474657374000001000403646F74000300020355',
    ],
    additional: [
      'svc-target.example.test. 3600 IN A 192.0.2.90',
      'svc-target.example.test. 3600 IN AAAA 2001:db8::90',
    ],
  },
  {
    cat: 'exact', q: {qname: 'svc-alias.example.test.', qtype: 'HTTPS'}, rcode: 'NOERROR', aa: true,
    answer: ['svc-alias.example.test. 3600 IN HTTPS \\# 20 000003777777076578616D706C65047465737400'],
    additional: [
      'www.example.test. 3600 IN A 192.0.2.80',
      'www.example.test. 3600 IN AAAA 2001:db8::80',
      'www.example.test. 3600 IN HTTPS \\# 21 0001000001000602683202683300040004C0000250',
    ],
  },
  {
    cat: 'exact', q: {qname: 'other.test.', qtype: 'MX'}, rcode: 'NOERROR', aa: true,
    answer: ['other.test. 600 IN MX 5 mail.other.test.'],
    additional: ['mail.other.test. 600 IN A 192.0.2.202'],
  },
  {
    cat: 'nodata', q: {qname: 'www.example.test.', qtype: 'MX'}, rcode: 'NOERROR', aa: true,
    authority: ['example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  {
    cat: 'nodata', q: {qname: 'www.example.test.', qtype: 'DS'}, rcode: 'NOERROR', aa: true,
    authority: ['example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  {
    cat: 'nodata', q: {qname: 'other.test.', qtype: 'DS'}, rcode: 'NOERROR', aa: true,
    authority: ['other.test. 120 IN SOA ns.other.test. hostmaster.other.test. 42 3600 900 604800 120'],
  },
  {
    cat: 'nxdomain', q: {qname: 'nothere.example.test.', qtype: 'A'}, rcode: 'NXDOMAIN', aa: true,
    authority: ['example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  {
    cat: 'nxdomain', q: {qname: 'a.b.www.example.test.', qtype: 'A'}, rcode: 'NXDOMAIN', aa: true,
    authority: ['example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  {
    cat: 'nxdomain', q: {qname: 'foo.z.ent.example.test.', qtype: 'A'}, rcode: 'NXDOMAIN', aa: true,
    authority: ['example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  {
    cat: 'nxdomain', q: {qname: 'nothere.example.test.', qtype: 'ANY'}, rcode: 'NXDOMAIN', aa: true, note: 'RFC 8482 does not apply to a name that does not exist: plain NXDOMAIN',
    authority: ['example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  { cat: 'outside', q: {qname: 'example.com.', qtype: 'A'}, rcode: 'REFUSED', aa: false, note: 'no served zone encloses the name: REFUSED, AA clear (an authoritative-only server has no cache for RFC 1034 §4.3.2 step 4)' },
  { cat: 'outside', q: {qname: '.', qtype: 'SOA'}, rcode: 'REFUSED', aa: false },
  { cat: 'outside', q: {qname: 'notexample.test.', qtype: 'A'}, rcode: 'REFUSED', aa: false },
  {
    cat: 'ent', q: {qname: 'ent.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true,
    authority: ['example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  {
    cat: 'ent', q: {qname: 'y.z.ent.example.test.', qtype: 'TXT'}, rcode: 'NOERROR', aa: true,
    authority: ['example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  {
    cat: 'cname', q: {qname: 'c1.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true, note: 'RFC 1034 §4.3.2 step 3a: the chain is followed inside the zone',
    answer: [
      'c1.example.test. 3600 IN CNAME c2.example.test.',
      'c2.example.test. 3600 IN CNAME c3.example.test.',
      'c3.example.test. 60 IN CNAME www.example.test.',
      'www.example.test. 3600 IN A 192.0.2.80',
    ],
  },
  {
    cat: 'cname', q: {qname: 'c1.example.test.', qtype: 'CNAME'}, rcode: 'NOERROR', aa: true, note: 'a CNAME question is answered by the CNAME itself; the chain is not followed',
    answer: ['c1.example.test. 3600 IN CNAME c2.example.test.'],
  },
  {
    cat: 'cname', q: {qname: 'toother.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true, note: 'the chain stops at the zone edge even when the target zone is served here (knotd alike); the resolver follows it',
    answer: ['toother.example.test. 3600 IN CNAME www.other.test.'],
  },
  {
    cat: 'cname', q: {qname: 'toext.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true,
    answer: ['toext.example.test. 3600 IN CNAME www.example.net.'],
  },
  {
    cat: 'cname', q: {qname: 'dangling.example.test.', qtype: 'A'}, rcode: 'NXDOMAIN', aa: true, note: 'RFC 6604 §3: the rcode is that of the last name of the chain',
    answer: ['dangling.example.test. 3600 IN CNAME nothere.example.test.'],
    authority: ['example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  {
    cat: 'cname', q: {qname: 'loop1.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true, note: 'a loop ends the chain once every name has been seen; NOERROR with the CNAMEs',
    answer: [
      'loop1.example.test. 3600 IN CNAME loop2.example.test.',
      'loop2.example.test. 3600 IN CNAME loop3.example.test.',
      'loop3.example.test. 3600 IN CNAME loop1.example.test.',
    ],
  },
  {
    cat: 'cname', q: {qname: 'todeleg.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true, note: 'the target is below a cut: CNAME plus a referral; AA stays set for the CNAME (RFC 1034 §4.3.2 step 3b)',
    answer: ['todeleg.example.test. 3600 IN CNAME www.sub.example.test.'],
    authority: [
      'sub.example.test. 3600 IN NS ns1.sub.example.test.',
      'sub.example.test. 3600 IN NS ns2.sub.example.test.',
    ],
    additional: [
      'ns1.sub.example.test. 3600 IN A 192.0.2.53',
      'ns1.sub.example.test. 3600 IN AAAA 2001:db8::53',
      'ns2.sub.example.test. 3600 IN A 192.0.2.54',
    ],
  },
  {
    cat: 'cname', q: {qname: 'towild.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true,
    answer: [
      'foo.wc.example.test. 3600 IN A 192.0.2.100',
      'towild.example.test. 3600 IN CNAME foo.wc.example.test.',
    ],
  },
  {
    cat: 'cname', q: {qname: 'tochild.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true, note: 'child.example.test is also served, but the chain stays in the parent: a referral to the child',
    answer: ['tochild.example.test. 3600 IN CNAME www.child.example.test.'],
    authority: ['child.example.test. 3600 IN NS ns1.child.example.test.'],
    additional: ['ns1.child.example.test. 3600 IN A 192.0.2.70'],
  },
  {
    cat: 'cname', q: {qname: 'toent.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true, note: 'the target is an empty non-terminal: CNAME plus NODATA',
    answer: ['toent.example.test. 3600 IN CNAME z.ent.example.test.'],
    authority: ['example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  {
    cat: 'cname', q: {qname: 'tomx.example.test.', qtype: 'MX'}, rcode: 'NOERROR', aa: true,
    answer: ['tomx.example.test. 3600 IN CNAME mail.example.test.'],
    authority: ['example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  {
    cat: 'cname', q: {qname: 'CasedTarget.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true,
    answer: [
      'casedtarget.example.test. 3600 IN CNAME www.example.test.',
      'www.example.test. 3600 IN A 192.0.2.80',
    ],
  },
  {
    cat: 'cname', q: {qname: 'back.child.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true,
    answer: ['back.child.example.test. 1800 IN CNAME www.example.test.'],
  },
  {
    cat: 'cname', q: {qname: 'chain.other.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true,
    answer: ['chain.other.test. 600 IN CNAME c1.example.test.'],
  },
  {
    cat: 'wildcard', q: {qname: 'foo.wc.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true,
    answer: ['foo.wc.example.test. 3600 IN A 192.0.2.100'],
  },
  {
    cat: 'wildcard', q: {qname: 'foo.wc.example.test.', qtype: 'MX'}, rcode: 'NOERROR', aa: true,
    answer: ['foo.wc.example.test. 3600 IN MX 10 mail.example.test.'],
    additional: [
      'mail.example.test. 3600 IN A 192.0.2.25',
      'mail.example.test. 3600 IN AAAA 2001:db8::25',
    ],
  },
  {
    cat: 'wildcard', q: {qname: 'foo.wc.example.test.', qtype: 'AAAA'}, rcode: 'NOERROR', aa: true, note: 'wildcard NODATA: the wildcard matches, but owns no AAAA (RFC 4592 §3.3.1)',
    authority: ['example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  {
    cat: 'wildcard', q: {qname: 'host.wc.example.test.', qtype: 'TXT'}, rcode: 'NOERROR', aa: true,
    authority: ['example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  {
    cat: 'wildcard', q: {qname: 'foo.blocker.wc.example.test.', qtype: 'A'}, rcode: 'NXDOMAIN', aa: true, note: 'blocker.wc exists (an empty non-terminal), so *.wc does not apply below it (RFC 4592 §2.2.2)',
    authority: ['example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  {
    cat: 'wildcard', q: {qname: 'blocker.wc.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true, note: 'an empty non-terminal is a name that exists: NODATA, not NXDOMAIN, and no wildcard',
    authority: ['example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  {
    cat: 'wildcard', q: {qname: '*.wc.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true, note: 'asking for the wildcard owner itself returns it as written',
    answer: ['*.wc.example.test. 3600 IN A 192.0.2.100'],
  },
  {
    cat: 'wildcard', q: {qname: 'host3.wild.test.', qtype: 'MX'}, rcode: 'NOERROR', aa: true,
    answer: ['host3.wild.test. 3600 IN MX 10 host1.wild.test.'],
    additional: ['host1.wild.test. 3600 IN A 192.0.2.151'],
  },
  {
    cat: 'wildcard', q: {qname: 'host3.wild.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true,
    authority: ['wild.test. 300 IN SOA ns.wild.test. hostmaster.wild.test. 1 3600 900 604800 300'],
  },
  {
    cat: 'wildcard', q: {qname: 'foo.bar.wild.test.', qtype: 'TXT'}, rcode: 'NOERROR', aa: true,
    answer: ['foo.bar.wild.test. 3600 IN TXT "this is a wildcard"'],
  },
  {
    cat: 'wildcard', q: {qname: 'sub.*.wild.test.', qtype: 'MX'}, rcode: 'NOERROR', aa: true, note: 'RFC 4592 §2.2.1: sub.*.wild.test exists (TXT only), a plain NODATA',
    authority: ['wild.test. 300 IN SOA ns.wild.test. hostmaster.wild.test. 1 3600 900 604800 300'],
  },
  {
    cat: 'wildcard', q: {qname: '_telnet._tcp.host1.wild.test.', qtype: 'SRV'}, rcode: 'NXDOMAIN', aa: true, note: 'RFC 4592 §2.2.1: _tcp.host1 is the closest encloser and has no wildcard child',
    authority: ['wild.test. 300 IN SOA ns.wild.test. hostmaster.wild.test. 1 3600 900 604800 300'],
  },
  {
    cat: 'wildcard', q: {qname: 'ghost.*.wild.test.', qtype: 'MX'}, rcode: 'NXDOMAIN', aa: true, note: 'RFC 4592 §2.2.1: a literal "*" label in the question is not a wildcard; *.wild.test is the closest encloser',
    authority: ['wild.test. 300 IN SOA ns.wild.test. hostmaster.wild.test. 1 3600 900 604800 300'],
  },
  {
    cat: 'wildcard', q: {qname: '*.wild.test.', qtype: 'TXT'}, rcode: 'NOERROR', aa: true,
    answer: ['*.wild.test. 3600 IN TXT "this is a wildcard"'],
  },
  {
    cat: 'wildcard', q: {qname: 'foo.entwild.wild.test.', qtype: 'TXT'}, rcode: 'NOERROR', aa: true, note: 'the wildcard *.entwild is itself an empty non-terminal: matching names get NODATA',
    authority: ['wild.test. 300 IN SOA ns.wild.test. hostmaster.wild.test. 1 3600 900 604800 300'],
  },
  {
    cat: 'wildcard', q: {qname: 'foo.a.ent2.wild.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true,
    answer: ['foo.a.ent2.wild.test. 3600 IN A 192.0.2.152'],
  },
  {
    cat: 'wildcard', q: {qname: 'z.y.blk.wild.test.', qtype: 'A'}, rcode: 'NXDOMAIN', aa: true, note: 'y.blk exists (empty non-terminal) and blocks *.blk',
    authority: ['wild.test. 300 IN SOA ns.wild.test. hostmaster.wild.test. 1 3600 900 604800 300'],
  },
  {
    cat: 'wildcard', q: {qname: 'foo.blk.wild.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true,
    answer: ['foo.blk.wild.test. 3600 IN A 192.0.2.160'],
  },
  {
    cat: 'wildcard', q: {qname: 'foo.onlytxt.wild.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true,
    authority: ['wild.test. 300 IN SOA ns.wild.test. hostmaster.wild.test. 1 3600 900 604800 300'],
  },
  {
    cat: 'wildcard', q: {qname: 'x.multi.wild.test.', qtype: 'SRV'}, rcode: 'NOERROR', aa: true,
    answer: ['x.multi.wild.test. 3600 IN SRV 1 1 443 host1.wild.test.'],
    additional: ['host1.wild.test. 3600 IN A 192.0.2.151'],
  },
  {
    cat: 'wildcard', q: {qname: 'exact.multi.wild.test.', qtype: 'AAAA'}, rcode: 'NOERROR', aa: true, note: 'an existing name never uses the wildcard: NODATA',
    authority: ['wild.test. 300 IN SOA ns.wild.test. hostmaster.wild.test. 1 3600 900 604800 300'],
  },
  {
    cat: 'wildcard-cname', q: {qname: 'foo.cn.wild.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true,
    answer: [
      'foo.cn.wild.test. 3600 IN CNAME host1.wild.test.',
      'host1.wild.test. 3600 IN A 192.0.2.151',
    ],
  },
  {
    cat: 'wildcard-cname', q: {qname: 'foo.cnchain.wild.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true, note: 'a wildcard CNAME to a name that is itself synthesised from a wildcard CNAME',
    answer: [
      'foo.cn.wild.test. 3600 IN CNAME host1.wild.test.',
      'foo.cnchain.wild.test. 3600 IN CNAME foo.cn.wild.test.',
      'host1.wild.test. 3600 IN A 192.0.2.151',
    ],
  },
  {
    cat: 'wildcard-cname', q: {qname: 'foo.cnout.wild.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true,
    answer: ['foo.cnout.wild.test. 3600 IN CNAME www.example.test.'],
  },
  {
    cat: 'wildcard-cname', q: {qname: 'foo.cnloop.wild.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true, note: 'the loop repeats the synthesised name once, then stops',
    answer: [
      'foo.cnloop.wild.test. 3600 IN CNAME loop.cnloop.wild.test.',
      'loop.cnloop.wild.test. 3600 IN CNAME loop.cnloop.wild.test.',
    ],
  },
  {
    cat: 'wildcard-cname', q: {qname: 'foo.cnnx.wild.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true, note: 'nothere.wild.test matches *.wild.test (TXT, MX only): NODATA after the CNAME, not NXDOMAIN',
    answer: ['foo.cnnx.wild.test. 3600 IN CNAME nothere.wild.test.'],
    authority: ['wild.test. 300 IN SOA ns.wild.test. hostmaster.wild.test. 1 3600 900 604800 300'],
  },
  {
    cat: 'delegation', q: {qname: 'www.sub.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: false, note: 'RFC 1034 §4.3.2 step 3b: referral, AA clear, in-bailiwick glue in additional',
    authority: [
      'sub.example.test. 3600 IN NS ns1.sub.example.test.',
      'sub.example.test. 3600 IN NS ns2.sub.example.test.',
    ],
    additional: [
      'ns1.sub.example.test. 3600 IN A 192.0.2.53',
      'ns1.sub.example.test. 3600 IN AAAA 2001:db8::53',
      'ns2.sub.example.test. 3600 IN A 192.0.2.54',
    ],
  },
  {
    cat: 'delegation', q: {qname: 'sub.example.test.', qtype: 'NS'}, rcode: 'NOERROR', aa: false, note: 'the NS RRset at a cut is the child\'s: a referral, not an authoritative answer',
    authority: [
      'sub.example.test. 3600 IN NS ns1.sub.example.test.',
      'sub.example.test. 3600 IN NS ns2.sub.example.test.',
    ],
    additional: [
      'ns1.sub.example.test. 3600 IN A 192.0.2.53',
      'ns1.sub.example.test. 3600 IN AAAA 2001:db8::53',
      'ns2.sub.example.test. 3600 IN A 192.0.2.54',
    ],
  },
  {
    cat: 'delegation', q: {qname: 'ns1.sub.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: false, note: 'glue is not authoritative data: a referral',
    authority: [
      'sub.example.test. 3600 IN NS ns1.sub.example.test.',
      'sub.example.test. 3600 IN NS ns2.sub.example.test.',
    ],
    additional: [
      'ns1.sub.example.test. 3600 IN A 192.0.2.53',
      'ns1.sub.example.test. 3600 IN AAAA 2001:db8::53',
      'ns2.sub.example.test. 3600 IN A 192.0.2.54',
    ],
  },
  {
    cat: 'delegation', q: {qname: 'foo.d1.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: false, note: 'sibling glue: d1\'s name server lives under the d2 cut and is still given',
    authority: ['d1.example.test. 3600 IN NS ns.d2.example.test.'],
    additional: ['ns.d2.example.test. 3600 IN A 192.0.2.60'],
  },
  {
    cat: 'delegation', q: {qname: 'ext.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: false, note: 'out-of-bailiwick name servers: no glue (not even from other.test, another served zone)',
    authority: [
      'ext.example.test. 3600 IN NS ns.other.test.',
      'ext.example.test. 3600 IN NS ns1.example.net.',
    ],
  },
  {
    cat: 'delegation', q: {qname: 'host.subdel.wild.test.', qtype: 'A'}, rcode: 'NOERROR', aa: false,
    authority: [
      'subdel.wild.test. 3600 IN NS ns.example.com.',
      'subdel.wild.test. 3600 IN NS ns.example.net.',
    ],
  },
  {
    cat: 'delegation', q: {qname: 'www.fat.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: false,
    authority: [
      'fat.example.test. 3600 IN NS ns01.very-long-nameserver-label-for-glue.fat.example.test.',
      'fat.example.test. 3600 IN NS ns02.very-long-nameserver-label-for-glue.fat.example.test.',
      'fat.example.test. 3600 IN NS ns03.very-long-nameserver-label-for-glue.fat.example.test.',
      'fat.example.test. 3600 IN NS ns04.very-long-nameserver-label-for-glue.fat.example.test.',
      'fat.example.test. 3600 IN NS ns05.very-long-nameserver-label-for-glue.fat.example.test.',
      'fat.example.test. 3600 IN NS ns06.very-long-nameserver-label-for-glue.fat.example.test.',
      'fat.example.test. 3600 IN NS ns07.very-long-nameserver-label-for-glue.fat.example.test.',
      'fat.example.test. 3600 IN NS ns08.very-long-nameserver-label-for-glue.fat.example.test.',
    ],
    additional: [
      'ns01.very-long-nameserver-label-for-glue.fat.example.test. 3600 IN A 192.0.2.101',
      'ns01.very-long-nameserver-label-for-glue.fat.example.test. 3600 IN AAAA 2001:db8:fa7::1',
      'ns02.very-long-nameserver-label-for-glue.fat.example.test. 3600 IN A 192.0.2.102',
      'ns02.very-long-nameserver-label-for-glue.fat.example.test. 3600 IN AAAA 2001:db8:fa7::2',
      'ns03.very-long-nameserver-label-for-glue.fat.example.test. 3600 IN A 192.0.2.103',
      'ns03.very-long-nameserver-label-for-glue.fat.example.test. 3600 IN AAAA 2001:db8:fa7::3',
      'ns04.very-long-nameserver-label-for-glue.fat.example.test. 3600 IN A 192.0.2.104',
      'ns04.very-long-nameserver-label-for-glue.fat.example.test. 3600 IN AAAA 2001:db8:fa7::4',
      'ns05.very-long-nameserver-label-for-glue.fat.example.test. 3600 IN A 192.0.2.105',
      'ns05.very-long-nameserver-label-for-glue.fat.example.test. 3600 IN AAAA 2001:db8:fa7::5',
      'ns06.very-long-nameserver-label-for-glue.fat.example.test. 3600 IN A 192.0.2.106',
      'ns06.very-long-nameserver-label-for-glue.fat.example.test. 3600 IN AAAA 2001:db8:fa7::6',
      'ns07.very-long-nameserver-label-for-glue.fat.example.test. 3600 IN A 192.0.2.107',
      'ns07.very-long-nameserver-label-for-glue.fat.example.test. 3600 IN AAAA 2001:db8:fa7::7',
      'ns08.very-long-nameserver-label-for-glue.fat.example.test. 3600 IN A 192.0.2.108',
      'ns08.very-long-nameserver-label-for-glue.fat.example.test. 3600 IN AAAA 2001:db8:fa7::8',
    ],
  },
  {
    cat: 'ds', q: {qname: 'sub.example.test.', qtype: 'DS'}, rcode: 'NOERROR', aa: true, note: 'RFC 4035 §3.1.4.1: DS at a cut is answered by the parent, authoritatively',
    answer: ['sub.example.test. 3600 IN DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF'],
  },
  {
    cat: 'ds', q: {qname: 'child.example.test.', qtype: 'DS'}, rcode: 'NOERROR', aa: true, note: 'the child zone is served too, but DS goes to the parent',
    answer: ['child.example.test. 3600 IN DS 2371 13 2 1F987CC6583E92DF0890718C42E8D4C0A4FF2D2C0F5E01C2C0B4D1B3BA4E4A90'],
  },
  {
    cat: 'ds', q: {qname: 'ext.example.test.', qtype: 'DS'}, rcode: 'NOERROR', aa: true, note: 'no DS at this cut: NODATA from the parent, AA set',
    authority: ['example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  {
    cat: 'ds', q: {qname: 'example.test.', qtype: 'DS'}, rcode: 'NOERROR', aa: true, note: 'the parent (test.) is not served: the zone itself answers NODATA (knotd alike)',
    authority: ['example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  {
    cat: 'child', q: {qname: 'child.example.test.', qtype: 'NS'}, rcode: 'NOERROR', aa: true,
    answer: ['child.example.test. 1800 IN NS ns1.child.example.test.'],
    additional: ['ns1.child.example.test. 1800 IN A 192.0.2.70'],
  },
  {
    cat: 'child', q: {qname: 'child.example.test.', qtype: 'SOA'}, rcode: 'NOERROR', aa: true,
    answer: ['child.example.test. 1800 IN SOA ns1.child.example.test. hostmaster.child.example.test. 7 3600 900 604800 60'],
  },
  {
    cat: 'child', q: {qname: 'www.child.example.test.', qtype: 'AAAA'}, rcode: 'NOERROR', aa: true,
    answer: ['www.child.example.test. 1800 IN AAAA 2001:db8::71'],
  },
  {
    cat: 'dname', q: {qname: 'www.dn.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true, note: 'RFC 6672 §3.1: DNAME plus a synthesised CNAME (TTL of the DNAME); the target is out of zone',
    answer: [
      'dn.example.test. 3600 IN DNAME other.test.',
      'www.dn.example.test. 3600 IN CNAME www.other.test.',
    ],
  },
  {
    cat: 'dname', q: {qname: 'dn.example.test.', qtype: 'DNAME'}, rcode: 'NOERROR', aa: true,
    answer: ['dn.example.test. 3600 IN DNAME other.test.'],
  },
  {
    cat: 'dname', q: {qname: 'dn.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true, note: 'RFC 6672 §2.3: the DNAME owner itself is not redirected',
    authority: ['example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  {
    cat: 'dname', q: {qname: 'x.y.z.dnlocal.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true,
    answer: [
      'dnlocal.example.test. 3600 IN DNAME ent.example.test.',
      'x.y.z.dnlocal.example.test. 3600 IN CNAME x.y.z.ent.example.test.',
      'x.y.z.ent.example.test. 3600 IN A 192.0.2.91',
    ],
  },
  {
    cat: 'dname', q: {qname: 'www.dnx.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true,
    answer: [
      'dnx.example.test. 3600 IN DNAME www.other.test.',
      'www.dnx.example.test. 3600 IN CNAME www.www.other.test.',
    ],
  },
  {
    cat: 'dname', q: {qname: 'dnx.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true, note: 'an A beside a DNAME at the same owner is answered directly',
    answer: ['dnx.example.test. 3600 IN A 192.0.2.95'],
  },
  {
    cat: 'dname', q: {qname: 'qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq.long.example.test.', qtype: 'A'}, rcode: 'YXDOMAIN', aa: true, note: 'RFC 6672 §2.2: the substituted name would exceed 255 octets: YXDOMAIN with the DNAME',
    answer: ['long.example.test. 3600 IN DNAME aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.other.test.'],
  },
  {
    cat: 'dname', q: {qname: 'www.dnchain.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true, note: 'a DNAME whose target is under another DNAME of the same zone',
    answer: [
      'dn.example.test. 3600 IN DNAME other.test.',
      'dnchain.example.test. 3600 IN DNAME dn.example.test.',
      'www.dn.example.test. 3600 IN CNAME www.other.test.',
      'www.dnchain.example.test. 3600 IN CNAME www.dn.example.test.',
    ],
  },
  {
    cat: 'dname', q: {qname: 'todname.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true, note: 'a CNAME into a DNAME, then into an empty non-terminal\'s child',
    answer: [
      'dnlocal.example.test. 3600 IN DNAME ent.example.test.',
      'todname.example.test. 3600 IN CNAME x.y.z.dnlocal.example.test.',
      'x.y.z.dnlocal.example.test. 3600 IN CNAME x.y.z.ent.example.test.',
      'x.y.z.ent.example.test. 3600 IN A 192.0.2.91',
    ],
  },
  {
    cat: 'any', q: {qname: 'example.test.', qtype: 'ANY'}, rcode: 'NOERROR', aa: true, note: 'RFC 8482 §4.1: one RRset suffices; meshdns and knotd both pick NS. knotd adds NS glue in additional, meshdns does not (RFC 8482 leaves it open)',
    answer: [
      'example.test. 3600 IN NS ns.other.test.',
      'example.test. 3600 IN NS ns1.example.test.',
      'example.test. 3600 IN NS ns2.example.test.',
    ],
  },
  {
    cat: 'any', q: {qname: 'www.example.test.', qtype: 'ANY'}, rcode: 'NOERROR', aa: true, note: 'RFC 8482 §4.1: one RRset',
    answer: ['www.example.test. 3600 IN A 192.0.2.80'],
  },
  {
    cat: 'any', q: {qname: 'www.example.test.', qtype: 'ANY', tcp: true}, rcode: 'NOERROR', aa: true, note: 'RFC 8482 §4.1 over TCP too (knotd alike)',
    answer: ['www.example.test. 3600 IN A 192.0.2.80'],
  },
  {
    cat: 'case', q: {qname: 'WwW.ExAmPlE.tEsT.', qtype: 'A'}, rcode: 'NOERROR', aa: true, note: 'the question comes back with the case as sent (checked on every row)',
    answer: ['www.example.test. 3600 IN A 192.0.2.80'],
  },
  {
    cat: 'case', q: {qname: 'UPPER.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true, note: 'an owner written in upper case in the zone file',
    answer: ['upper.example.test. 300 IN A 192.0.2.82'],
  },
  {
    cat: 'case', q: {qname: 'a\\.b.example.test.', qtype: 'TXT'}, rcode: 'NOERROR', aa: true,
    answer: ['a\\.b.example.test. 3600 IN TXT "label with a dot"'],
  },
  {
    cat: 'case', q: {qname: 'sp\\032ace.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true,
    answer: ['sp\\032ace.example.test. 3600 IN A 192.0.2.83'],
  },
  {
    cat: 'case', q: {qname: '\\200\\201bin.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: true,
    answer: ['\\200\\201bin.example.test. 3600 IN A 192.0.2.84'],
  },
  {
    cat: 'case', q: {qname: 'WWW.DN.EXAMPLE.TEST.', qtype: 'A'}, rcode: 'NOERROR', aa: true, note: 'DNAME synthesis from an upper-case question',
    answer: [
      'dn.example.test. 3600 IN DNAME other.test.',
      'www.dn.example.test. 3600 IN CNAME www.other.test.',
    ],
  },
  { cat: 'class', q: {qname: 'version.bind.', qtype: 'TXT', qclass: 'CH'}, rcode: 'REFUSED', aa: false },
  { cat: 'class', q: {qname: 'www.example.test.', qtype: 'A', qclass: 'CH'}, rcode: 'REFUSED', aa: false, note: 'class CH for an IN zone: REFUSED' },
  {
    cat: 'class', q: {qname: 'www.example.test.', qtype: 'A', qclass: 'ANY'}, rcode: 'NOERROR', aa: true, note: 'QCLASS ANY (RFC 1035 §3.2.5) is answered from the IN data',
    answer: ['www.example.test. 3600 IN A 192.0.2.80'],
  },
  {
    cat: 'edns', q: {qname: 'www.example.test.', qtype: 'A', edns: false}, rcode: 'NOERROR', aa: true, note: 'no OPT in, none out (RFC 6891 §7)',
    answer: ['www.example.test. 3600 IN A 192.0.2.80'],
  },
  {
    cat: 'edns', q: {qname: 'www.example.test.', qtype: 'A', edns: {do: true}}, rcode: 'NOERROR', aa: true,
    answer: ['www.example.test. 3600 IN A 192.0.2.80'],
  },
  {
    cat: 'edns', q: {qname: 'www.example.test.', qtype: 'A', edns: {nsid: true}}, rcode: 'NOERROR', aa: true,
    answer: ['www.example.test. 3600 IN A 192.0.2.80'],
  },
  { cat: 'edns', q: {qname: 'www.example.test.', qtype: 'A', edns: {version: 1}}, rcode: 'BADVERS', aa: false, note: 'RFC 6891 §6.1.3: an unknown EDNS version gets BADVERS, no answer' },
  {
    cat: 'edns', q: {qname: 'www.example.test.', qtype: 'A', rd: true, cd: true}, rcode: 'NOERROR', aa: true, note: 'RD and CD are copied (RFC 1035 §4.1.1, RFC 4035 §3.1.6); knotd clears CD on unsigned zones, see the differential allowlist',
    answer: ['www.example.test. 3600 IN A 192.0.2.80'],
  },
  { cat: 'trunc', q: {qname: 'bigtxt.example.test.', qtype: 'TXT', edns: false}, rcode: 'NOERROR', aa: true, tc: true, note: 'RFC 2181 §9: TC set, sections not compared (the client retries over TCP)' },
  { cat: 'trunc', q: {qname: 'bigtxt.example.test.', qtype: 'TXT'}, rcode: 'NOERROR', aa: true, tc: true },
  {
    cat: 'trunc', q: {qname: 'bigtxt.example.test.', qtype: 'TXT', tcp: true}, rcode: 'NOERROR', aa: true,
    answer: [
      'bigtxt.example.test. 3600 IN TXT "00-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
      'bigtxt.example.test. 3600 IN TXT "11-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
      'bigtxt.example.test. 3600 IN TXT "22-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
      'bigtxt.example.test. 3600 IN TXT "33-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
      'bigtxt.example.test. 3600 IN TXT "44-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
      'bigtxt.example.test. 3600 IN TXT "55-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
      'bigtxt.example.test. 3600 IN TXT "66-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
      'bigtxt.example.test. 3600 IN TXT "77-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
      'bigtxt.example.test. 3600 IN TXT "88-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
      'bigtxt.example.test. 3600 IN TXT "99-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
    ],
  },
  {
    cat: 'trunc', q: {qname: 'midtxt.example.test.', qtype: 'TXT'}, rcode: 'NOERROR', aa: true,
    answer: [
      'midtxt.example.test. 3600 IN TXT "0-mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm"',
      'midtxt.example.test. 3600 IN TXT "1-mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm"',
      'midtxt.example.test. 3600 IN TXT "2-mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm"',
      'midtxt.example.test. 3600 IN TXT "3-mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm"',
    ],
  },
  { cat: 'trunc', q: {qname: 'fat.example.test.', qtype: 'A', edns: false}, rcode: 'NOERROR', aa: false, tc: true, note: 'RFC 9471 §3: a referral whose in-bailiwick glue does not fit is truncated' },
  { cat: 'trunc', q: {qname: 'www.huge.example.test.', qtype: 'A', edns: false}, rcode: 'NOERROR', aa: false, tc: true, note: 'the NS RRset alone exceeds 512 octets' },
  {
    cat: 'trunc', q: {qname: 'www.huge.example.test.', qtype: 'A'}, rcode: 'NOERROR', aa: false,
    authority: [
      'huge.example.test. 3600 IN NS ns01.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test.',
      'huge.example.test. 3600 IN NS ns02.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test.',
      'huge.example.test. 3600 IN NS ns03.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test.',
      'huge.example.test. 3600 IN NS ns04.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test.',
      'huge.example.test. 3600 IN NS ns05.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test.',
      'huge.example.test. 3600 IN NS ns06.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test.',
      'huge.example.test. 3600 IN NS ns07.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test.',
      'huge.example.test. 3600 IN NS ns08.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test.',
      'huge.example.test. 3600 IN NS ns09.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test.',
      'huge.example.test. 3600 IN NS ns10.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test.',
      'huge.example.test. 3600 IN NS ns11.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test.',
      'huge.example.test. 3600 IN NS ns12.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test.',
      'huge.example.test. 3600 IN NS ns13.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test.',
    ],
    additional: [
      'ns01.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test. 3600 IN A 198.51.100.1',
      'ns02.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test. 3600 IN A 198.51.100.2',
      'ns03.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test. 3600 IN A 198.51.100.3',
      'ns04.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test. 3600 IN A 198.51.100.4',
      'ns05.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test. 3600 IN A 198.51.100.5',
      'ns06.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test. 3600 IN A 198.51.100.6',
      'ns07.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test. 3600 IN A 198.51.100.7',
      'ns08.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test. 3600 IN A 198.51.100.8',
      'ns09.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test. 3600 IN A 198.51.100.9',
      'ns10.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test. 3600 IN A 198.51.100.10',
      'ns11.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test. 3600 IN A 198.51.100.11',
      'ns12.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test. 3600 IN A 198.51.100.12',
      'ns13.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.huge.example.test. 3600 IN A 198.51.100.13',
    ],
  },
  { cat: 'meta', q: {qname: 'www.example.test.', qtype: 0}, rcode: 'NOTIMP', aa: false, note: 'QTYPE 0 is reserved: NOTIMP (knotd alike)' },
  { cat: 'meta', q: {qname: 'www.example.test.', qtype: 'TSIG'}, rcode: 'FORMERR', aa: false, note: 'meta-type as QTYPE (RFC 6895 §3.1): meshdns answers FORMERR; knotd answers NODATA' },
  { cat: 'meta', q: {qname: 'www.example.test.', qtype: 254}, rcode: 'NOTIMP', aa: false, note: 'MAILA (obsolete, RFC 1035 §3.2.3): NOTIMP; knotd answers NODATA' },
  {
    cat: 'meta', q: {qname: 'www.example.test.', qtype: 'OPT'}, rcode: 'NOERROR', aa: true, note: 'OPT as QTYPE: NODATA (knotd alike)',
    authority: ['example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
  },
  { cat: 'meta', q: {qname: 'example.test.', qtype: 'AXFR'}, rcode: 'REFUSED', aa: false, note: 'AXFR over UDP with no transfer ACL: REFUSED; knotd answers NOTIMP' },
  { cat: 'meta', q: {qname: 'example.test.', qtype: 'IXFR'}, rcode: 'REFUSED', aa: false, note: 'IXFR with no transfer ACL: REFUSED; knotd answers NOTAUTH' },
  { cat: 'meta', q: {qname: 'www.example.test.', qtype: 'A', opcode: 2}, rcode: 'NOTIMP', aa: false, note: 'opcode STATUS (2): NOTIMP' },
];
