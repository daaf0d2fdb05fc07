// A secondary zone fed by a fake primary that breaks its transfers in every way the issue lists:
// each time meshdns must keep serving the old version, log why, and recover once the primary
// behaves again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { messages, startFakePrimary, type FakePrimary, type Rr, type XfrReply, type XfrRequest } from '../helpers/fake-primary.js';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { dig } from '../helpers/tools.js';

const ZONE = 'brk.test';
const MULTI = 'multi.test';
const FAILED = 'refresh from primary failed; old version kept';
const DONE = new Set(['incoming transfer (AXFR) done', 'incoming transfer (IXFR) done', 'incoming transfer (IXFR answered with the whole zone) done']);

const soa = (origin: string, serial: number): Rr => ({
  type: 'SOA', name: origin, ttl: 300,
  data: { mname: `ns.${origin}`, rname: `hostmaster.${origin}`, serial, refresh: 3600, retry: 3600, expire: 86400, minimum: 60 },
});
/** Version `serial` of a zone, without its SOA: `ver` TXT names the version, `h<serial>` changes too. */
const content = (origin: string, serial: number): Rr[] => [
  { type: 'NS', name: origin, ttl: 300, data: `ns.${origin}` },
  { type: 'A', name: `ns.${origin}`, ttl: 300, data: '192.0.2.1' },
  { type: 'A', name: `www.${origin}`, ttl: 300, data: '192.0.2.80' },
  { type: 'TXT', name: `ver.${origin}`, ttl: 300, data: `v${serial}` },
  { type: 'A', name: `h${serial}.${origin}`, ttl: 300, data: `192.0.2.${(serial % 250) + 1}` },
];
const axfr = (origin: string, serial: number): Rr[] => [soa(origin, serial), ...content(origin, serial), soa(origin, serial)];
const minus = (a: Rr[], b: Rr[]) => a.filter((x) => !b.some((y) => JSON.stringify(y) === JSON.stringify(x)));
/** An IXFR answer walking the serials of `path`, announced (first and last SOA) as `first` / `last`. */
function ixfr(origin: string, path: number[], opts: { first?: number; last?: number; extraRemoved?: Rr[] } = {}): Rr[] {
  const out = [soa(origin, opts.first ?? path[path.length - 1]!)];
  for (let i = 0; i + 1 < path.length; i++) {
    const [from, to] = [path[i]!, path[i + 1]!];
    out.push(soa(origin, from), ...minus(content(origin, from), content(origin, to)), ...(i === 0 ? opts.extraRemoved ?? [] : []));
    out.push(soa(origin, to), ...minus(content(origin, to), content(origin, from)));
  }
  return [...out, soa(origin, opts.last ?? path[path.length - 1]!)];
}

/** The well-behaved primary: AXFR in messages of three records; IXFR one step per serial. */
const good = {
  axfr: (req: XfrRequest): XfrReply => ({ messages: messages(axfr(req.origin, serials.get(req.origin)!), 3) }),
  ixfr: (req: XfrRequest): XfrReply => {
    const now = serials.get(req.origin)!;
    if (req.clientSerial === undefined || req.clientSerial >= now) return { messages: [{ answers: [soa(req.origin, now)] }] };
    const path = Array.from({ length: now - req.clientSerial + 1 }, (_, i) => req.clientSerial! + i);
    return { messages: messages(ixfr(req.origin, path), 4) };
  },
};
const refused = (): XfrReply => ({ messages: [{ answers: [], rcode: 5 }] });

const serials = new Map([[ZONE, 1], [MULTI, 1]]);
let behaviour: { axfr: (req: XfrRequest) => XfrReply; ixfr: (req: XfrRequest) => XfrReply } = good;
/** The version meshdns holds of ZONE. */
let have = 1;
let dir: string;
let primary: FakePrimary;
let refusing: FakePrimary;
let server: RunningMeshdns;

before(async () => {
  primary = await startFakePrimary({
    serial: (origin) => serials.get(origin),
    soa,
    // the scripted misbehaviour is for ZONE only: MULTI always gets good transfers from this primary
    transfer: (req) => {
      const now = req.origin === ZONE ? behaviour : good;
      return req.qtype === 'AXFR' ? now.axfr(req) : now.ixfr(req);
    },
  });
  // a primary that answers the SOA query like the good one but refuses every transfer
  refusing = await startFakePrimary({ serial: (origin) => serials.get(origin), soa, transfer: refused });
  dir = mkdtempSync(join(tmpdir(), 'meshdns-broken-xfr-'));
  writeFileSync(join(dir, 'meshdns.yaml'), [
    'acls:',
    '  - {name: primary, address: [127.0.0.1], action: [notify]}',
    'defaults:',
    '  acl: [primary]',
    'zones:',
    `  - {origin: ${ZONE}., primaries: [{address: "127.0.0.1:${primary.port}", idleTimeout: 1}]}`,
    `  - {origin: ${MULTI}., primaries: [{address: "127.0.0.1:${refusing.port}"}, {address: "127.0.0.1:${primary.port}"}]}`,
    '',
  ].join('\n'));
  server = await startMeshdns({ config: join(dir, 'meshdns.yaml'), dataDir: join(dir, 'data') });
});
after(async () => {
  await server?.stop();
  await primary?.stop();
  await refusing?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ask = (name: string, type: string) => dig(['@127.0.0.1', '-p', String(server.port), name, type, '+short', '+norec']).trim();
const servedVersion = (origin = ZONE) => ask(`ver.${origin}`, 'TXT');
const servedSerial = (origin = ZONE) => Number(ask(origin, 'SOA').split(/\s+/)[2]);

/** Makes meshdns check ZONE now: NOTIFY (IXFR first) or the admin API's retransfer (AXFR). */
async function trigger(how: 'notify' | 'retransfer', origin = ZONE): Promise<string> {
  const t0 = new Date().toISOString();
  if (how === 'notify') {
    assert.match(dig(['@127.0.0.1', '-p', String(server.port), origin, 'SOA', '+opcode=notify', '+norec']), /status: NOERROR/);
  } else {
    const res = await fetch(`${server.admin!.url}/api/v1/zones/${origin}/retransfer`, { method: 'PUT', headers: { 'x-api-key': server.admin!.token! } });
    assert.equal(res.status, 200);
  }
  return t0;
}

/** The first log line after `t0` of the refresh's outcome for `origin` (success or failure of a primary). */
const outcome = (t0: string, origin = ZONE, extra: (e: Record<string, unknown>) => boolean = () => true) =>
  server.waitForLog((e) => String(e['time']) >= t0 && e['zone'] === `${origin}.` && (e['msg'] === FAILED || DONE.has(String(e['msg']))) && extra(e));

/** The primary misbehaves (its SOA announcing version have+1): the old version stays, and why is logged. */
async function expectKept(how: 'notify' | 'retransfer', reason: RegExp, bad: Partial<typeof good>): Promise<Record<string, unknown>> {
  serials.set(ZONE, have + 1);
  behaviour = { ...good, ...bad };
  const before = primary.requests.length;
  const failed = await outcome(await trigger(how));
  assert.equal(failed['msg'], FAILED, `expected a failure, got ${JSON.stringify(failed)}`);
  assert.match(String(failed['reason']), reason);
  assert.ok(primary.requests.length > before, 'the primary was asked for a transfer');
  assert.equal(servedVersion(), `"v${have}"`, 'the old version keeps answering');
  assert.equal(servedSerial(), have);
  assert.equal(ask(`h${have + 1}.${ZONE}`, 'A'), '', 'nothing of the broken transfer is served');
  return failed;
}

/** The primary behaves again: the next refresh brings version have+1. */
async function expectRecovered(how: 'notify' | 'retransfer'): Promise<void> {
  serials.set(ZONE, have + 1);
  behaviour = good;
  const done = await outcome(await trigger(how));
  assert.ok(DONE.has(String(done['msg'])), `expected a transfer, got ${JSON.stringify(done)}`);
  assert.equal(done['serial'], have + 1);
  have++;
  assert.equal(servedVersion(), `"v${have}"`);
  assert.equal(ask(`h${have}.${ZONE}`, 'A'), `192.0.2.${(have % 250) + 1}`);
  assert.equal(ask(`h${have - 1}.${ZONE}`, 'A'), '', 'the previous version is gone');
}

test('the first AXFR, in several messages, fills the zone', async () => {
  await server.waitForLog((e) => e['msg'] === 'incoming transfer (AXFR) done' && e['zone'] === `${ZONE}.`);
  assert.equal(servedVersion(), '"v1"');
  assert.equal(ask(`www.${ZONE}`, 'A'), '192.0.2.80');
});

test('an AXFR cut off midway (connection closed) or stalled (connection kept open) keeps the old version', async () => {
  const cut = (req: XfrRequest): XfrReply => ({ messages: messages(axfr(req.origin, have + 1), 3).slice(0, 2) });
  await expectKept('retransfer', /ended before the closing SOA/, { axfr: cut });
  await expectRecovered('retransfer');
  const started = Date.now();
  const stalled = (req: XfrRequest): XfrReply => ({ ...cut(req), then: 'hang' });
  await expectKept('retransfer', /timed out: nothing received for 1 s/, { axfr: stalled });
  assert.ok(Date.now() - started < 5000, 'the per-primary idleTimeout (1 s) ended the stalled transfer');
  await expectRecovered('retransfer');
});

test('an AXFR with a bad SOA sequence keeps the old version', async () => {
  const records = (req: XfrRequest) => axfr(req.origin, have + 1);
  // the closing SOA has another serial than the first
  await expectKept('retransfer', /closing SOA \(serial \d+\) differs from the first/, {
    axfr: (req) => ({ messages: messages([...records(req).slice(0, -1), soa(req.origin, have + 2)], 3) }),
  });
  // the first record is not the SOA
  await expectKept('retransfer', /does not start with the SOA of brk\.test\./, {
    axfr: (req) => ({ messages: messages(records(req).slice(1), 3) }),
  });
  // no closing SOA before the primary closes
  await expectKept('retransfer', /ended before the closing SOA/, {
    axfr: (req) => ({ messages: messages(records(req).slice(0, -1), 3) }),
  });
  // records after the closing SOA (BIND: DNS_R_EXTRADATA)
  await expectKept('retransfer', /after the closing SOA/, {
    axfr: (req) => ({ messages: [{ answers: [...records(req), content(req.origin, 9)[3]!] }] }),
  });
  await expectRecovered('retransfer');
});

test('a broken IXFR falls back to AXFR; with that refused too, the old version stays', async () => {
  const next = () => have + 1;
  const cases: [RegExp, (req: XfrRequest) => Rr[]][] = [
    // the differences do not start at our serial
    [/IXFR starts at serial \d+, ours is \d+/, (req) => ixfr(req.origin, [have - 1, next()])],
    // RFC 1995 §4: a difference deletes RRs of the old version; one we do not have means the copies
    // diverged (BIND: DNS_R_NOTEXACT, Knot: "cannot remove nonexistent record"): rejected
    [/removes ghost\.brk\.test\. A, which our copy does not have/, (req) =>
      ixfr(req.origin, [have, next()], { extraRemoved: [{ type: 'A', name: `ghost.${req.origin}`, ttl: 300, data: '192.0.2.66' }] })],
    // a step whose serial goes backwards
    [/IXFR step from serial \d+ to \d+: serials must increase/, (req) => ixfr(req.origin, [have, have - 1, next()])],
    // the closing SOA is not the first one: another serial after the last step...
    [/IXFR out of sync: after the step to serial \d+ comes an SOA with serial \d+/, (req) => ixfr(req.origin, [have, next()], { last: next() + 1 })],
    // ...or the steps end before the serial the first SOA announced
    [/the last SOA has serial \d+, the first \d+/, (req) => ixfr(req.origin, [have, next()], { first: next() + 1 })],
    // records outside the zone in a difference
    [/record evil\.other\.test\. A is outside the zone/, (req) =>
      [...ixfr(req.origin, [have, next()]).slice(0, -1), { type: 'A', name: 'evil.other.test', ttl: 300, data: '192.0.2.66' }, soa(req.origin, next())]],
  ];
  for (const [why, answer] of cases) {
    const failed = await expectKept('notify', /REFUSED/, { ixfr: (req) => ({ messages: messages(answer(req), 3) }), axfr: refused });
    assert.match(String(failed['reason']), why, 'the reason names what was wrong with the IXFR');
    const fallback = await server.waitForLog((e) => e['msg'] === 'IXFR from primary failed; falling back to AXFR' && why.test(String(e['reason'])));
    assert.equal(fallback['ours'], have);
  }
  // the same broken IXFR with a working AXFR: the fallback brings the primary's version, complete
  const t0 = new Date().toISOString();
  serials.set(ZONE, have + 1);
  behaviour = { ...good, ixfr: (req) => ({ messages: messages(ixfr(req.origin, [have - 1, have + 1]), 3) }) };
  await trigger('notify');
  await server.waitForLog((e) => String(e['time']) >= t0 && e['msg'] === 'IXFR from primary failed; falling back to AXFR');
  const done = await outcome(t0);
  assert.equal(done['msg'], 'incoming transfer (AXFR) done');
  have++;
  assert.equal(servedVersion(), `"v${have}"`);
  // and a good IXFR works again afterwards
  await expectRecovered('notify');
});

test('a transfer of the wrong zone, records outside the zone, an error rcode or another ID: rejected', async () => {
  await expectKept('retransfer', /does not start with the SOA of brk\.test\. \(first record: other\.test\. SOA\)/, {
    axfr: () => ({ messages: messages(axfr('other.test', have + 1), 3) }),
  });
  // RFC 5936 §6: a secondary never takes data from outside its zone; BIND fails the whole transfer
  await expectKept('retransfer', /record evil\.other\.test\. A is outside the zone/, {
    axfr: (req) => {
      const records = axfr(req.origin, have + 1);
      return { messages: messages([...records.slice(0, 2), { type: 'A', name: 'evil.other.test', ttl: 300, data: '192.0.2.66' }, ...records.slice(2)], 3) };
    },
  });
  await expectKept('retransfer', /rcode 9 \(NOTAUTH\)/, { axfr: () => ({ messages: [{ answers: [], rcode: 9 }] }) });
  await expectKept('retransfer', /rcode 5 \(REFUSED\)/, { axfr: refused });
  await expectKept('retransfer', /transfer message with another ID/, {
    axfr: (req) => {
      const [firstPart, ...rest] = messages(axfr(req.origin, have + 1), 3);
      return { messages: [firstPart!, ...rest.map((m) => ({ ...m, id: (req.id + 1) & 0xffff }))] };
    },
  });
  await expectRecovered('retransfer');
});

test('a primary announcing a lower serial (RFC 1982) is not transferred from, and that is logged', async () => {
  serials.set(ZONE, have - 1);
  behaviour = good;
  const before = primary.requests.length;
  const failed = await outcome(await trigger('notify'));
  assert.equal(failed['msg'], FAILED);
  assert.match(String(failed['reason']), new RegExp(`primary has serial ${have - 1}, not newer than ours \\(${have}\\)`));
  assert.equal(primary.requests.length, before, 'no transfer was asked for');
  assert.equal(servedVersion(), `"v${have}"`);
  await expectRecovered('notify');
});

test('with primaries [refusing, good] the second one is asked and the transfer succeeds', async () => {
  await server.waitForLog((e) => e['msg'] === 'incoming transfer (AXFR) done' && e['zone'] === `${MULTI}.` && e['primary'] === `127.0.0.1:${primary.port}`);
  assert.equal(servedVersion(MULTI), '"v1"');
  serials.set(MULTI, 2);
  const t0 = await trigger('notify', MULTI);
  const failed = await outcome(t0, MULTI);
  assert.equal(failed['msg'], FAILED);
  assert.equal(failed['primary'], `127.0.0.1:${refusing.port}`);
  assert.match(String(failed['reason']), /REFUSED/);
  const done = await outcome(t0, MULTI, (e) => DONE.has(String(e['msg'])));
  assert.equal(done['msg'], 'incoming transfer (IXFR) done');
  assert.equal(done['primary'], `127.0.0.1:${primary.port}`);
  assert.equal(servedVersion(MULTI), '"v2"');
  assert.equal(servedSerial(MULTI), 2);
});
