// Response rate limiting, DNS COOKIEs and log rate limiting (server/limits/): the pieces alone,
// with injected clocks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { parseAddress, parsePrefix } from '../../server/limits/address.js';
import { ServerCookies } from '../../server/limits/cookies.js';
import { LogLimiter } from '../../server/limits/log-limiter.js';
import { ResponseRateLimiter, RrlClass, RrlVerdict, type RrlConfig } from '../../server/limits/rrl.js';
import { siphash24 } from '../../server/limits/siphash.js';

const hex = (s: string) => Buffer.from(s, 'hex');

test('SipHash-2-4: the reference vectors of the paper (key 00..0f, messages 00..n-1)', () => {
  const key = Uint8Array.from({ length: 16 }, (_, i) => i);
  const out = new Uint8Array(8);
  const expected: Record<number, string> = {
    0: '310e0edd47db6f72', 1: 'fd67dc93c539f874', 7: '37d1018bf50002ab', 8: '6224939a79f5f593',
    15: 'e545be4961ca29a1', 63: '724506eb4c328a95',
  };
  for (const [n, want] of Object.entries(expected)) {
    const msg = Uint8Array.from({ length: Number(n) }, (_, i) => i);
    siphash24(key, msg, 0, msg.length, out, 0);
    assert.equal(Buffer.from(out).toString('hex'), want, `message of ${n} octets`);
  }
});

test('server cookie: RFC 9018 Appendix A.1 test vector, then verified, and refused when changed', () => {
  const secret = hex('e5e973e5a6b2a43f48e7dc849e37bfcf');
  const cookies = new ServerCookies({ current: secret, previous: undefined }, () => 1559731985 * 1000);
  const address = new Uint32Array(4);
  assert.equal(parseAddress('198.51.100.100', address), 4);
  const msg = hex('2464c4abcf10c957');
  const out = new Uint8Array(16);
  cookies.make(msg, 0, address, 4, out, 0);
  assert.equal(Buffer.from(out).toString('hex'), '010000005cf79f111f8130c3eee29480');
  const option = Buffer.concat([msg, out]);
  assert.equal(cookies.verify(option, 0, 24, address, 4), true);
  // another address, another client cookie, a changed hash: not ours
  const other = new Uint32Array(4);
  parseAddress('198.51.100.101', other);
  assert.equal(cookies.verify(option, 0, 24, other, 4), false);
  const changed = Buffer.from(option);
  changed[23] = changed[23]! ^ 1;
  assert.equal(cookies.verify(changed, 0, 24, address, 4), false);
  // RFC 9018 §4.3: valid for an hour
  const later = new ServerCookies({ current: secret, previous: undefined }, () => (1559731985 + 3601) * 1000);
  assert.equal(later.verify(option, 0, 24, address, 4), false);
  // rotation: the previous secret is still accepted
  const rotated = new ServerCookies({ current: hex('00112233445566778899aabbccddeeff'), previous: secret }, () => 1559731985 * 1000);
  assert.equal(rotated.verify(option, 0, 24, address, 4), true);
  const gone = new ServerCookies({ current: hex('00112233445566778899aabbccddeeff'), previous: undefined }, () => 1559731985 * 1000);
  assert.equal(gone.verify(option, 0, 24, address, 4), false);
});

test('server cookie: RFC 9018 A.3 (another client) and A.4 (IPv6, the secret rolled over) test vectors', () => {
  const address = new Uint32Array(4);
  const out = new Uint8Array(16);
  assert.equal(parseAddress('203.0.113.203', address), 4);
  new ServerCookies({ current: hex('e5e973e5a6b2a43f48e7dc849e37bfcf'), previous: undefined }, () => 1559734700 * 1000)
    .make(hex('fc93fc62807ddb86'), 0, address, 4, out, 0);
  assert.equal(Buffer.from(out).toString('hex'), '010000005cf7a9acf73a7810aca2381e');
  assert.equal(parseAddress('2001:db8:220:1:59de:d0f4:8769:82b8', address), 6);
  const rolled = new ServerCookies(
    { current: hex('445536bcd2513298075a5d379663c962'), previous: hex('dd3bdf9344b678b185a6f5cb60fca715') }, () => 1559741961 * 1000);
  // the client's cookie was made with the previous secret: still valid
  assert.equal(rolled.verify(hex('22681ab97d52c298010000005cf7c57926556bd0934c72f8'), 0, 24, address, 6), true);
  rolled.make(hex('22681ab97d52c298'), 0, address, 6, out, 0);
  assert.equal(Buffer.from(out).toString('hex'), '010000005cf7c609a6bb79d16625507a');
});

test('addresses and prefixes parse from the listeners\' text', () => {
  const w = new Uint32Array(4);
  assert.equal(parseAddress('10.1.2.3', w), 4);
  assert.equal(w[3], 0x0a010203);
  assert.equal(parseAddress('::ffff:10.1.2.3', w), 4);
  assert.equal(w[3], 0x0a010203);
  assert.equal(parseAddress('2001:db8::1', w), 6);
  assert.deepEqual([...w], [0x20010db8, 0, 0, 1]);
  assert.equal(parseAddress('::1', w), 6);
  assert.deepEqual([...w], [0, 0, 0, 1]);
  assert.equal(parseAddress('fe80::1%eth0', w), 6);
  assert.equal(w[0], 0xfe800000);
  for (const bad of ['', '1.2.3', '1.2.3.256', 'a::b::c', '1:2:3:4:5:6:7:8:9', 'example.test', '12345::1']) {
    assert.equal(parseAddress(bad, w), 0, bad);
  }
  assert.deepEqual(parsePrefix('127.0.0.0/8')?.bits, 104);
  assert.equal(parsePrefix('127.0.0.0/33'), undefined);
  assert.equal(parsePrefix('2001:db8::/129'), undefined);
});

const config = (over: Partial<RrlConfig> = {}): RrlConfig =>
  ({ responsesPerSecond: 5, slip: 2, ipv4Prefix: 24, ipv6Prefix: 56, exempt: [], ...over });

function run(rrl: ResponseRateLimiter, address: string, n: number, cls: number = RrlClass.ANSWER, name = 42) {
  const counts = [0, 0, 0];
  const w = new Uint32Array(4);
  for (let i = 0; i < n; i++) {
    const family = parseAddress(address, w);
    assert.notEqual(family, 0);
    counts[rrl.check(w, family as 4 | 6, cls, name)]!++;
  }
  return { sent: counts[RrlVerdict.SEND]!, dropped: counts[RrlVerdict.DROP]!, slipped: counts[RrlVerdict.SLIP]! };
}

test('RRL: rate per second, refilled as seconds pass; slip answers every Nth limited response', () => {
  let now = 1_000_000;
  const rrl = new ResponseRateLimiter(config(), 1024, () => now);
  assert.deepEqual(run(rrl, '192.0.2.1', 25), { sent: 5, dropped: 10, slipped: 10 });
  now += 999; // same second
  assert.deepEqual(run(rrl, '192.0.2.1', 2), { sent: 0, dropped: 1, slipped: 1 });
  now += 1; // one second later: `rate` tokens again, never more
  assert.deepEqual(run(rrl, '192.0.2.1', 6).sent, 5);
  now += 60_000; // a long pause does not build a bigger burst
  assert.deepEqual(run(rrl, '192.0.2.1', 20).sent, 5);
  assert.equal(rrl.dropped + rrl.slipped, 20 + 2 + 1 + 15);
});

test('RRL: slip 0 drops everything limited, slip 1 answers every limited response with TC', () => {
  const now = () => 5000;
  assert.deepEqual(run(new ResponseRateLimiter(config({ slip: 0 }), 1024, now), '192.0.2.1', 15), { sent: 5, dropped: 10, slipped: 0 });
  assert.deepEqual(run(new ResponseRateLimiter(config({ slip: 1 }), 1024, now), '192.0.2.1', 15), { sent: 5, dropped: 0, slipped: 10 });
});

test('RRL: clients of one /24 (IPv4) or /56 (IPv6) share a bucket; other prefixes do not', () => {
  const now = () => 5000;
  const rrl = new ResponseRateLimiter(config({ slip: 0 }), 1024, now);
  assert.equal(run(rrl, '192.0.2.1', 3).sent, 3);
  assert.equal(run(rrl, '192.0.2.200', 5).sent, 2);
  assert.equal(run(rrl, '192.0.3.1', 5).sent, 5);
  assert.equal(run(rrl, '2001:db8:0:1::1', 3).sent, 3);
  assert.equal(run(rrl, '2001:db8:0:ff:ffff::2', 5).sent, 2); // same /56
  assert.equal(run(rrl, '2001:db8:0:100::1', 5).sent, 5); // next /56
  // the prefix lengths are configurable
  const narrow = new ResponseRateLimiter(config({ slip: 0, ipv4Prefix: 32 }), 1024, now);
  assert.equal(run(narrow, '192.0.2.1', 5).sent, 5);
  assert.equal(run(narrow, '192.0.2.2', 5).sent, 5);
});

test('RRL: response classes and names are separate buckets', () => {
  const rrl = new ResponseRateLimiter(config({ slip: 0 }), 1024, () => 5000);
  assert.equal(run(rrl, '192.0.2.1', 9, RrlClass.ANSWER, 1).sent, 5);
  assert.equal(run(rrl, '192.0.2.1', 9, RrlClass.ANSWER, 2).sent, 5);
  assert.equal(run(rrl, '192.0.2.1', 9, RrlClass.NXDOMAIN, 1).sent, 5);
  assert.equal(run(rrl, '192.0.2.1', 9, RrlClass.ERROR, 5).sent, 5);
});

test('RRL: exempt prefixes are never limited', () => {
  const rrl = new ResponseRateLimiter(config({ exempt: [parsePrefix('127.0.0.0/8')!, parsePrefix('2001:db8::/32')!] }), 1024, () => 5000);
  assert.equal(run(rrl, '127.0.0.1', 100).sent, 100);
  assert.equal(run(rrl, '2001:db8::53', 100).sent, 100);
  assert.equal(run(rrl, '128.0.0.1', 100).sent, 5);
});

test('RRL: the table never grows; a flood of keys evicts the oldest buckets of a probe window', () => {
  let now = 5000;
  const rrl = new ResponseRateLimiter(config({ slip: 0 }), 8, () => now);
  // bucket for name 1, drained
  assert.equal(run(rrl, '192.0.2.1', 10, RrlClass.ANSWER, 1).sent, 5);
  now += 2000;
  // 1,000 other keys later (the table has 8 slots), name 1 starts from a fresh bucket
  for (let name = 100; name < 1100; name++) run(rrl, '192.0.2.1', 1, RrlClass.ANSWER, name);
  assert.equal(run(rrl, '192.0.2.1', 10, RrlClass.ANSWER, 1).sent, 5);
  assert.ok(rrl.evictions > 0);
  // (the arrays are sized once: eight slots whatever came)
  assert.equal((rrl as unknown as { keys: Int32Array }).keys.length, 8);
  assert.throws(() => new ResponseRateLimiter(config(), 1000), RangeError);
});

test('log limiter: N lines per second per kind, then one summary line; the counter has the rest', () => {
  let now = 0;
  const lines: { msg: string; suppressed?: number }[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s) as { msg: string }) });
  const limiter = new LogLimiter(3, () => now);
  let written = 0;
  for (let i = 0; i < 1000; i++) if (limiter.allow(log, 'notify-refused')) written++;
  assert.equal(written, 3);
  assert.equal(limiter.allow(log, 'tsig-failed'), true, 'kinds are counted apart');
  assert.equal(limiter.suppressed, 997);
  now += 1000;
  assert.equal(limiter.allow(log, 'notify-refused'), true);
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.suppressed, 997);
  assert.match(lines[0]!.msg, /suppressed 997 similar/);
  for (let i = 0; i < 10; i++) limiter.allow(log, 'notify-refused');
  limiter.flush();
  limiter.flush();
  assert.equal(lines.length, 2);
  assert.equal(lines[1]!.suppressed, 8);
});
