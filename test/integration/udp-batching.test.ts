import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { dig, records, requireTool } from '../helpers/tools.js';
import { buildQuery } from '../helpers/dns-client.js';
import { udpBatchAddon } from '../../server/listeners/udp-batch.js';

// UDP is served two ways: batched (recvmmsg/sendmmsg through server/listeners/native/udp-batch.c,
// the default) and node:dgram (`udp: {batching: false}`, or when the addon could not be built).
// Both must give the same answers, answer every datagram of a burst to its own sender and ID, and
// know the sender's address for ACLs.

test('the batched UDP addon is built (npm run build compiles it with cc)', () => {
  const native = udpBatchAddon();
  assert.ok('addon' in native, `the addon did not load (${'reason' in native ? native.reason : ''}); ` +
    'install a C compiler (Debian package gcc) and run npm run build');
  assert.equal(native.addon.BATCH, 64);
});

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-udp-batch-'));
  mkdirSync(join(dir, 'zones'));
  writeFileSync(join(dir, 'zones', 'batch.test.zone'), [
    '$TTL 300',
    '@ SOA ns hostmaster 1 3600 600 86400 60',
    '@ NS ns',
    'ns A 192.0.2.1',
    'www A 192.0.2.10',
    '*.wild TXT "wildcard"',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'zones', 'closed.test.zone'), '$TTL 300\n@ SOA ns hm 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.1\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Sends `count` queries at once from one socket and gathers the answers by ID. */
async function burst(port: number, count: number): Promise<{ sent: Map<number, string>; answers: Map<number, Buffer> }> {
  const socket = dgram.createSocket('udp4');
  const sent = new Map<number, string>();
  const answers = new Map<number, Buffer>();
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  // the server answers a burst in a few batches; with the default ~208 KiB buffer this socket can
  // drop answers while the test's event loop is busy elsewhere (the kernel caps this at rmem_max)
  socket.setRecvBufferSize(4 * 1024 * 1024);
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 5000);
    socket.on('message', (msg) => {
      answers.set(msg.readUInt16BE(0), msg);
      if (answers.size === count) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  for (let id = 1; id <= count; id++) {
    // each question in its own letter case: the answer must echo that query's, not a batch neighbour's
    const name = `n${id}.wild.batch.test`.replace(/[a-z]/g, (c, at: number) => ((id >> (at % 8)) & 1 ? c.toUpperCase() : c));
    sent.set(id, name);
    socket.send(buildQuery({ id, qname: name, qtype: 'TXT', edns: { payload: 1232 } }), port, '127.0.0.1');
  }
  await done;
  socket.close();
  return { sent, answers };
}

/** The question name of a response, as sent (letter case kept). */
function questionName(msg: Buffer): string {
  const labels: string[] = [];
  for (let p = 12; msg[p]! !== 0; p += 1 + msg[p]!) labels.push(msg.subarray(p + 1, p + 1 + msg[p]!).toString('latin1'));
  return labels.join('.');
}

for (const io of ['batched', 'dgram'] as const) {
  describe(`UDP through ${io === 'batched' ? 'recvmmsg/sendmmsg batches' : 'node:dgram'}`, () => {
    let server: RunningMeshdns;
    before(async () => {
      const config = join(dir, `${io}.yaml`);
      writeFileSync(config, [
        `udp: {batching: ${io === 'batched'}}`,
        'acls:',
        '  - {name: local-updates, address: [127.0.0.1], action: [update]}',
        '  - {name: far-updates, address: [192.0.2.0/24], action: [update]}',
        'zones:',
        '  - {origin: batch.test., acl: [local-updates]}',
        '  - {origin: closed.test., acl: [far-updates]}',
        '',
      ].join('\n'));
      server = await startMeshdns({ zoneDir: join(dir, 'zones'), config, dataDir: join(dir, `data-${io}`), extraArgs: ['--listen', '[::1]:0'] });
    });
    after(async () => server?.stop());

    test(`the listener says it serves UDP as ${io}`, async () => {
      const line = await server.waitForLog((e) => e['msg'] === 'listening' && e['proto'] === 'udp');
      assert.equal(line['io'], io);
    });

    test('dig gets an authoritative answer', () => {
      const out = dig(['@127.0.0.1', '-p', String(server.port), '+norec', 'www.batch.test', 'A']);
      assert.match(out, /flags: qr aa;/);
      assert.deepEqual(records(out).filter((r) => r[3] === 'A'), [['www.batch.test.', '300', 'IN', 'A', '192.0.2.10']]);
    });

    test('IPv6: dig over ::1 gets the same answer, and the query is counted as IPv6', async () => {
      const v6 = await server.waitForLog((e) => e['msg'] === 'listening' && e['proto'] === 'udp' && e['address'] === '::1');
      assert.equal(v6['io'], io);
      const out = dig(['@::1', '-p', String(v6['port']), '+norec', 'www.batch.test', 'A']);
      assert.match(out, /flags: qr aa;/);
      assert.deepEqual(records(out).filter((r) => r[3] === 'A'), [['www.batch.test.', '300', 'IN', 'A', '192.0.2.10']]);
      const metrics = await (await fetch(`${server.admin!.url}/metrics`)).text();
      assert.match(metrics, /meshdns_dns_requests_total\{server="dns:\/\/\[::1\]:\d+",zone="batch\.test\.",proto="udp",family="2",type="A"\} [1-9]/);
      assert.match(metrics, /meshdns_udp_answers_dropped_total 0/);
      assert.match(metrics, /meshdns_udp_receive_errors_total 0/);
    });

    test('a burst of 500 queries from one socket is answered in full, each to its own ID and question', async () => {
      const { sent, answers } = await burst(server.port, 500);
      assert.equal(answers.size, 500, `${500 - answers.size} of 500 queries went unanswered`);
      for (const [id, name] of sent) {
        const answer = answers.get(id)!;
        assert.equal(questionName(answer), name, `ID ${id}`);
        assert.equal(answer[3]! & 0x0f, 0, `ID ${id}: RCODE`);
        assert.equal(answer.readUInt16BE(6), 1, `ID ${id}: one answer record`);
      }
    });

    test("UPDATE over UDP is judged by the sender's address (allowed from 127.0.0.1, refused where only 192.0.2.0/24 may)", async () => {
      requireTool('nsupdate', 'bind9-dnsutils');
      const update = (zone: string, line: string) => spawnSync('nsupdate', [], {
        input: `server 127.0.0.1 ${server.port}\nzone ${zone}\n${line}\nsend\n`, encoding: 'utf8', timeout: 20_000,
      });
      const allowed = update('batch.test.', `update add ${io}.batch.test. 300 A 192.0.2.50`);
      assert.equal(allowed.status, 0, `${allowed.stdout}${allowed.stderr}`);
      const applied = await server.waitForLog((e) => e['msg'] === 'update: NOERROR' && e['zone'] === 'batch.test.');
      assert.equal(applied['client'], '127.0.0.1');
      assert.equal(dig(['@127.0.0.1', '-p', String(server.port), '+short', `${io}.batch.test`, 'A']).trim(), '192.0.2.50');
      const refused = update('closed.test.', `update add x.closed.test. 300 A 192.0.2.51`);
      assert.notEqual(refused.status, 0);
      assert.match(`${refused.stdout}${refused.stderr}`, /REFUSED/);
      const denied = await server.waitForLog((e) => e['msg'] === 'update: REFUSED' && e['zone'] === 'closed.test.');
      assert.equal(denied['client'], '127.0.0.1');
    });
  });
}
