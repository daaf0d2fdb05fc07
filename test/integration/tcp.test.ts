import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { buildQuery, queryUdp, queryTcp } from '../helpers/dns-client.js';

let dir: string;
let server: RunningMeshdns;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-tcp-'));
  const zones = join(dir, 'zones');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(zones);
  const txt = Array.from({ length: 40 }, (_, i) => `big TXT "${'x'.repeat(60)}${i}"`).join('\n');
  writeFileSync(join(zones, 'tcp.test.zone'), `$TTL 60\n@ SOA ns hm 1 1 1 1 1\n@ NS ns\nns A 192.0.2.1\n${txt}\n`);
  writeFileSync(
    join(dir, 'meshdns.yaml'),
    'tcp: {idleTimeout: 1, maxConnections: 3}\nnsid: test-nsid\n' +
      'acls:\n  - {name: local, address: [127.0.0.1], action: [transfer]}\ndefaults:\n  acl: [local]\n',
  );
  server = await startMeshdns({ zoneDir: zones, config: join(dir, 'meshdns.yaml') });
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function frame(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
}

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(server.port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Reads `count` framed messages (or fewer if the connection closes). */
function readFrames(socket: net.Socket, count: number, timeoutMs = 3000): Promise<Buffer[]> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const out: Buffer[] = [];
    const done = () => { clearTimeout(timer); socket.removeAllListeners('data'); resolve(out); };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (out.length >= count) done();
    });
    socket.once('close', done);
  });
}

test('pipelined queries on one connection are all answered, in order', async () => {
  const s = await connect();
  const ids = [11, 12, 13, 14, 15];
  s.write(Buffer.concat(ids.map((id) => frame(buildQuery({ id, qname: 'ns.tcp.test', qtype: 'A' })))));
  const answers = await readFrames(s, ids.length);
  s.destroy();
  assert.deepEqual(answers.map((a) => a.readUInt16BE(0)), ids);
});

test('a client that sends its queries and closes its side at once still gets every answer', async () => {
  const s = await connect();
  // more than one 64 KiB read, so the server can see the end of the stream in the read that takes the last queries
  const ids = Array.from({ length: 3000 }, (_, i) => 5000 + i);
  s.end(Buffer.concat(ids.map((id) => frame(buildQuery({ id, qname: 'ns.tcp.test', qtype: 'A' })))));
  const answers = await readFrames(s, ids.length, 10_000);
  s.destroy();
  assert.deepEqual(answers.map((a) => a.readUInt16BE(0)), ids);
});

test('a zone transfer pipelined between queries: the answer before it, the whole transfer, then the answer after it', async () => {
  const s = await connect();
  s.write(Buffer.concat([
    frame(buildQuery({ id: 21, qname: 'ns.tcp.test', qtype: 'A' })),
    frame(buildQuery({ id: 22, qname: 'tcp.test', qtype: 'AXFR' })),
    frame(buildQuery({ id: 23, qname: 'ns.tcp.test', qtype: 'A' })),
  ]));
  const answers = await readFrames(s, 3);
  s.destroy();
  assert.deepEqual(answers.map((a) => a.readUInt16BE(0)), [21, 22, 23]);
  const transfer = dnsPacket.decode(answers[1]!);
  assert.deepEqual(transfer.answers!.map((rr) => rr.type).filter((t) => t !== 'TXT'), ['SOA', 'NS', 'A', 'SOA']);
  assert.equal(transfer.answers!.length, 44, 'SOA, NS, A, 40 TXT, SOA in one message');
});

test('answers to one chunk of pipelined queries larger than 256 KiB in all arrive whole and in order', async () => {
  const s = await connect();
  const ids = Array.from({ length: 120 }, (_, i) => 1000 + i); // ~3 KB each: ~360 KB of answers
  s.write(Buffer.concat(ids.map((id) => frame(buildQuery({ id, qname: 'big.tcp.test', qtype: 'TXT' })))));
  const answers = await readFrames(s, ids.length, 10_000);
  s.destroy();
  assert.deepEqual(answers.map((a) => a.readUInt16BE(0)), ids);
  for (const a of answers) assert.equal(dnsPacket.decode(a).answers!.length, 40);
});

test('a query split across segments is reassembled', async () => {
  const s = await connect();
  const f = frame(buildQuery({ id: 77, qname: 'ns.tcp.test', qtype: 'A' }));
  s.write(f.subarray(0, 1));
  await new Promise((r) => setTimeout(r, 50));
  s.write(f.subarray(1, 9));
  await new Promise((r) => setTimeout(r, 50));
  s.write(f.subarray(9));
  const [answer] = await readFrames(s, 1);
  s.destroy();
  assert.equal(answer?.readUInt16BE(0), 77);
});

test('an idle connection is closed after tcp.idleTimeout', async () => {
  const s = await connect();
  const started = Date.now();
  await new Promise<void>((resolve) => s.once('close', () => resolve()));
  assert.ok(Date.now() - started >= 900, 'closed after about a second, not at once');
});

test('connections beyond tcp.maxConnections are not served', async () => {
  const held = await Promise.all([connect(), connect(), connect()]);
  const extra = await connect();
  extra.write(frame(buildQuery({ id: 5, qname: 'ns.tcp.test', qtype: 'A' })));
  const answers = await readFrames(extra, 1, 1500);
  assert.equal(answers.length, 0);
  for (const s of [...held, extra]) s.destroy();
});

test('UDP truncates a large RRset with TC; TCP carries it whole', async () => {
  const q = buildQuery({ id: 9, qname: 'big.tcp.test', qtype: 'TXT' });
  const udp = dnsPacket.decode((await queryUdp(server.port, q, 3000))!);
  assert.ok(udp.flags! & dnsPacket.TRUNCATED_RESPONSE, 'TC set over UDP');
  const tcp = dnsPacket.decode((await queryTcp(server.port, q, 3000))!);
  assert.equal(tcp.answers!.length, 40);
  assert.equal(tcp.flags! & dnsPacket.TRUNCATED_RESPONSE, 0);
});

test('NSID from the config is returned when asked (RFC 5001)', async () => {
  const q = buildQuery({ id: 3, qname: 'ns.tcp.test', qtype: 'A', edns: { payload: 1232, options: [{ code: 3, data: Buffer.alloc(0) }] } });
  const r = dnsPacket.decode((await queryUdp(server.port, q, 3000))!);
  const opt = r.additionals!.find((a) => a.type === 'OPT') as unknown as { options: { code: number; data: Buffer }[] };
  assert.equal(opt.options.find((o) => o.code === 3)?.data.toString(), 'test-nsid');
});
