import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshdnsSite, type MeshdnsSite } from '../helpers/catalog-meshdns-site.js';
import { answers, digKeyArg, meshKey, memberZoneText, startKnotdSite, type KnotdSite, waitUntil } from '../helpers/catalog-peers.js';
import { findFreePort } from '../helpers/knotd.js';
import { soaAnswered } from '../helpers/peer-process.js';
import { dig, requireTool } from '../helpers/tools.js';

// Catalog zones between meshdns and knotd 3.2 (issue 14): a three-site mesh where sites A and B are
// meshdns and site K is knotd. Every site produces the catalog of its primary zones and consumes the
// two others' catalogs; catalogs, member transfers and NOTIFYs all go under one TSIG key. Checked:
// members of each side are served by the other, zones added and removed at either side follow, a
// record change travels by NOTIFY + IXFR both ways, a group knotd gives a member (`catalog-group`)
// selects the consumer's group template, and a TSIG mismatch on knotd's catalog leaves
// meshdns serving its last good member list while GET /api/v1/catalogs names the error.

const CAT = { a: 'catalog.site-a.mesh.', b: 'catalog.site-b.mesh.', k: 'catalog.site-k.mesh.' };
const APP = { a: 'app.site-a.mesh.', b: 'app.site-b.mesh.', k: 'app.site-k.mesh.' };
const key = meshKey();
// a member knotd tags with the RFC 9432 group "internal"; A's consumer maps the group to an ACL of its own
const INTERNAL = 'internal.site-k.mesh.';
const internalKey = meshKey('internal-key.');
const K_MEMBERS = [APP.k, INTERNAL].sort();
// and the other way: a member meshdns tags "internal"; knotd's template of that id has its own ACL
const A_INTERNAL = 'internal.site-a.mesh.';
let dir: string;
let a: MeshdnsSite;
let b: MeshdnsSite;
let k: KnotdSite;

const logs = () => `--- knotd:\n${k.logs().slice(-6000)}\n--- meshdns A:\n${a.server.logs().slice(-6000)}`;
const served = (port: number, origin: string) => soaAnswered(port, origin);
const gone = async (port: number, origin: string) => !(await soaAnswered(port, origin));

before(async () => {
  requireTool('dig', 'bind9-dnsutils');
  requireTool('knotc', 'knot');
  dir = mkdtempSync(join(tmpdir(), 'meshdns-catalog-knotd-'));
  const [pa, pb, pk] = [await findFreePort(), await findFreePort(), await findFreePort()];
  writeFileSync(join(dir, 'k.zone'), memberZoneText(APP.k));
  writeFileSync(join(dir, 'internal-k.zone'), memberZoneText(INTERNAL));
  k = await startKnotdSite({
    name: 'k', port: pk, key, catalog: CAT.k,
    zones: [{ origin: APP.k, file: join(dir, 'k.zone') }, { origin: INTERNAL, file: join(dir, 'internal-k.zone'), group: 'internal' }],
    consumes: [{ catalog: CAT.a, port: pa, groups: { internal: ['internal-xfr'] } }, { catalog: CAT.b, port: pb }], notify: [pa, pb],
    extraAcls: [{ id: 'internal-xfr', key: internalKey, action: ['transfer'] }],
  });
  a = await startMeshdnsSite({
    name: 'a', port: pa, key, catalog: CAT.a, zones: { [APP.a]: memberZoneText(APP.a), [A_INTERNAL]: memberZoneText(A_INTERNAL) },
    groups: { [A_INTERNAL]: 'internal' },
    consumes: [{ catalog: CAT.b, port: pb }, { catalog: CAT.k, port: pk, groups: { internal: { acl: ['internal-only'] } } }], notify: [pb, pk],
    extraAcls: [{ name: 'internal-only', key: internalKey, action: ['transfer'] }],
  });
  b = await startMeshdnsSite({
    name: 'b', port: pb, key, catalog: CAT.b, zones: { [APP.b]: memberZoneText(APP.b) },
    consumes: [{ catalog: CAT.a, port: pa }, { catalog: CAT.k, port: pk }], notify: [pa, pk],
  });
  // The sites came up one after another, so the first ones found their primaries down: ask for the
  // catalogs now rather than wait for retry timers (knotd backs off to ~20 s).
  await a.api('PUT', `/api/v1/zones/${CAT.b}/retransfer`).catch(() => undefined);
  await k.knotc([`zone-refresh ${CAT.a}`, `zone-refresh ${CAT.b}`]);
});

after(async () => {
  await Promise.all([a?.stop(), b?.stop(), k?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// What meshdns's consumer must cope with (its SOA check falls back to TCP with the key): knotd 3.2
// answers a catalog's SOA only over TCP, and only to a client its ACL lets transfer the catalog.
test('knotd answers its catalog\'s SOA only over TCP to a client allowed to transfer it', () => {
  const status = (args: string[]) => /status: (\w+)/.exec(dig(['@127.0.0.1', '-p', String(k.port), '+norec', ...args, CAT.k, 'SOA']))?.[1];
  assert.equal(status([]), 'REFUSED');
  assert.equal(status(['-y', digKeyArg(key)]), 'REFUSED');
  assert.equal(status(['+tcp']), 'REFUSED');
  assert.equal(status(['+tcp', '-y', digKeyArg(key)]), 'NOERROR');
});

test('each side serves the zones of the other side\'s catalog', async () => {
  await waitUntil(`knotd serves ${APP.a}`, () => served(k.port, APP.a), 20_000, logs);
  await waitUntil(`knotd serves ${APP.b}`, () => served(k.port, APP.b), 20_000, logs);
  await waitUntil(`meshdns A serves ${APP.k}`, () => served(a.port, APP.k), 20_000, logs);
  await waitUntil(`meshdns B serves ${APP.k}`, () => served(b.port, APP.k), 20_000, logs);
  await waitUntil(`meshdns A serves ${APP.b}`, () => served(a.port, APP.b), 20_000, logs);
  assert.deepEqual(answers(k.port, `www.${APP.a}`, 'A'), ['192.0.2.10']);
  assert.deepEqual(answers(a.port, `www.${APP.k}`, 'A'), ['192.0.2.10']);

  const catalogs = await a.catalogs();
  assert.deepEqual(catalogs.produced.find((c) => c.zone === CAT.a)?.members.map((m) => m.zone).sort(), [APP.a, A_INTERNAL].sort());
  const fromK = catalogs.consumed.find((c) => c.zone === CAT.k);
  assert.ok(fromK, `GET /api/v1/catalogs at A lists ${CAT.k}: ${JSON.stringify(catalogs)}`);
  assert.deepEqual(fromK.members.map((m) => m.zone).sort(), K_MEMBERS);
  for (const m of fromK.members) assert.match(m.id, /^[0-9a-f]{16}$/);
  assert.equal(fromK.lastError, null);
});

test('the group knotd gives a member picks the consumer\'s group template', async () => {
  await waitUntil(`meshdns A serves ${INTERNAL}`, () => served(a.port, INTERNAL), 20_000, logs);
  const member = (await a.catalogs()).consumed.find((c) => c.zone === CAT.k)?.members.find((m) => m.zone === INTERNAL);
  assert.equal(member?.group, 'internal');
  // the group's ACL (internal-only) replaces the template's (mesh) for that member alone
  const axfr = (zone: string, k: typeof key) => dig(['@127.0.0.1', '-p', String(a.port), '-y', digKeyArg(k), '+noall', '+answer', zone, 'AXFR']);
  assert.match(axfr(INTERNAL, internalKey), /\bSOA\b/);
  assert.doesNotMatch(axfr(INTERNAL, key), /\bSOA\b/, `${INTERNAL} is not transferred under the mesh key`);
  assert.match(axfr(APP.k, key), /\bSOA\b/);
  assert.doesNotMatch(axfr(APP.k, internalKey), /\bSOA\b/, `${APP.k} is not transferred under the group's key`);
});

test('the group meshdns gives a member picks knotd\'s catalog template of that name', async () => {
  await waitUntil(`knotd serves ${A_INTERNAL}`, () => served(k.port, A_INTERNAL), 20_000, logs);
  const produced = (await a.catalogs()).produced.find((c) => c.zone === CAT.a)?.members.find((m) => m.zone === A_INTERNAL);
  assert.equal(produced?.group, 'internal');
  const axfr = (zone: string, k2: typeof key) => dig(['@127.0.0.1', '-p', String(k.port), '-y', digKeyArg(k2), '+noall', '+answer', zone, 'AXFR']);
  assert.match(axfr(A_INTERNAL, internalKey), /\bSOA\b/);
  assert.doesNotMatch(axfr(A_INTERNAL, key), /\bSOA\b/, `knotd does not transfer ${A_INTERNAL} under the mesh key`);
  assert.match(axfr(APP.a, key), /\bSOA\b/);
});

test('a zone added at knotd is served by the meshdns sites, and gone when knotd removes it', async () => {
  const origin = 'added.site-k.mesh.';
  writeFileSync(join(dir, 'added-k.zone'), memberZoneText(origin, 1, '192.0.2.44'));
  await k.addMemberZone(origin, join(dir, 'added-k.zone'));
  await waitUntil(`meshdns A serves ${origin}`, () => served(a.port, origin), 20_000, logs);
  await waitUntil(`meshdns B serves ${origin}`, () => served(b.port, origin), 20_000, logs);
  assert.deepEqual(answers(a.port, `www.${origin}`, 'A'), ['192.0.2.44']);
  const listed = (await a.catalogs()).consumed.find((c) => c.zone === CAT.k)?.members.map((m) => m.zone).sort();
  assert.deepEqual(listed, [origin, ...K_MEMBERS].sort());

  await k.removeZone(origin);
  await waitUntil(`meshdns A no longer serves ${origin}`, () => gone(a.port, origin), 20_000, logs);
  await waitUntil(`meshdns B no longer serves ${origin}`, () => gone(b.port, origin), 20_000, logs);
  assert.ok(await served(a.port, APP.k), `${APP.k} stays at A`);
  const after = (await a.catalogs()).consumed.find((c) => c.zone === CAT.k)?.members.map((m) => m.zone).sort();
  assert.deepEqual(after, K_MEMBERS);
});

test('a zone added at meshdns is served by knotd and the other meshdns, and gone when deleted', async () => {
  const origin = 'added.site-a.mesh.';
  await a.addZone(origin, memberZoneText(origin, 1, '192.0.2.45'));
  await waitUntil(`knotd serves ${origin}`, () => served(k.port, origin), 20_000, logs);
  await waitUntil(`meshdns B serves ${origin}`, () => served(b.port, origin), 20_000, logs);
  assert.deepEqual(answers(k.port, `www.${origin}`, 'A'), ['192.0.2.45']);
  await k.waitForLog(new RegExp(`\\[${origin.replace(/\./g, '\\.')}\\] zone added from catalog`), 5_000);

  await a.deleteZone(origin);
  await waitUntil(`knotd no longer serves ${origin}`, () => gone(k.port, origin), 20_000, logs);
  await waitUntil(`meshdns B no longer serves ${origin}`, () => gone(b.port, origin), 20_000, logs);
  assert.ok(await served(k.port, APP.a), `${APP.a} stays at knotd`);
});

test('a record changed at one side reaches the other by NOTIFY and IXFR', async () => {
  // knotd → meshdns: a zone transaction at knotd (journalled), NOTIFY, IXFR out to A and B
  const before = k.logs().length;
  await k.setRecord(APP.k, 'www', 300, 'A', '192.0.2.77');
  await waitUntil('meshdns A answers the new www', () => answers(a.port, `www.${APP.k}`, 'A').join() === '192.0.2.77', 20_000, logs);
  await waitUntil('meshdns B answers the new www', () => answers(b.port, `www.${APP.k}`, 'A').join() === '192.0.2.77', 20_000, logs);
  const since = () => k.logs().slice(before);
  await waitUntil('knotd logged two IXFR out of app.site-k', () => (since().match(/\[app\.site-k\.mesh\.\] IXFR, outgoing, remote [^,]+, finished/g) ?? []).length >= 2);
  assert.doesNotMatch(since(), /\[app\.site-k\.mesh\.\] AXFR, outgoing/, 'no AXFR fallback for one changed record');

  // meshdns → knotd: PATCH at A, NOTIFY to knotd, knotd's IXFR in
  const mark = k.logs().length;
  await a.api('PATCH', `/api/v1/zones/${APP.a}/rrsets`, {
    rrsets: [{ name: `www.${APP.a}`, type: 'A', ttl: 300, changetype: 'REPLACE', records: [{ content: '192.0.2.78' }] }],
  });
  await waitUntil('knotd answers the new www', () => answers(k.port, `www.${APP.a}`, 'A').join() === '192.0.2.78', 20_000, logs);
  // knotd's log reaches us through a pipe, maybe after its answer did
  const inbound = () => k.logs().slice(mark);
  await waitUntil('knotd logged the NOTIFY from A', () => /\[app\.site-a\.mesh\.\] notify, incoming/.test(inbound()), 5_000, () => inbound());
  await waitUntil('knotd logged its IXFR from A', () => /\[app\.site-a\.mesh\.\] IXFR, incoming, remote [^,]+, finished/.test(inbound()), 5_000, () => inbound());
  await a.server.waitForLog((e) => e['msg'] === 'outgoing transfer' && e['zone'] === APP.a && e['type'] === 'IXFR', 5_000);
  // and A took knotd's change above by IXFR too
  await a.server.waitForLog((e) => e['msg'] === 'incoming transfer (IXFR) done' && e['zone'] === APP.k, 5_000);
});

// Last: it breaks the key between knotd and meshdns for good.
test('a TSIG mismatch on knotd\'s catalog keeps the last good members at meshdns and shows the error', async () => {
  const wrong = meshKey(key.name);
  await k.knotc(['conf-begin', `conf-set key[${key.name}].secret ${wrong.secret}`, 'conf-commit']);
  const late = 'late.site-k.mesh.';
  writeFileSync(join(dir, 'late-k.zone'), memberZoneText(late));
  await k.addMemberZone(late, join(dir, 'late-k.zone'));
  await a.api('PUT', `/api/v1/zones/${CAT.k}/retransfer`).catch(() => undefined);

  await waitUntil('GET /api/v1/catalogs at A reports an error for knotd\'s catalog', async () => {
    const consumed = (await a.catalogs()).consumed.find((c) => c.zone === CAT.k);
    return consumed !== undefined && typeof consumed.lastError === 'string' && consumed.lastError !== '';
  }, 20_000, logs);
  const consumed = (await a.catalogs()).consumed.find((c) => c.zone === CAT.k)!;
  assert.match(consumed.lastError!, /TSIG|BADSIG|BADKEY|NOTAUTH/, 'the error names the TSIG failure');
  assert.deepEqual(consumed.members.map((m) => m.zone).sort(), K_MEMBERS, 'the last good member list is kept');
  assert.ok(await served(a.port, APP.k), `${APP.k} is still served at A`);
  assert.ok(await gone(a.port, late), `${late} (only in the catalog A cannot verify) is not served at A`);
  assert.doesNotMatch(a.server.logs(), new RegExp(wrong.secret.replace(/[+/=]/g, '.')), 'no key material in the log');
});
