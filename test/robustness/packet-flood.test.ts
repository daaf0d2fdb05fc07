// Robustness: property tests and a bounded flood of random, malformed and hostile traffic against a
// running meshdns. Afterwards the server must still run and answer correctly. Throughout:
// - no packet with QR=1 is ever answered;
// - every response to a packet with a readable header (12 octets) carries that packet's ID;
// - every response has QR=1.
//
// MESHDNS_ROBUSTNESS_SUBJECT=knotd runs the same checks against knotd (a self-check of the harness).
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { buildQuery, queryTcp, queryUdp } from '../helpers/dns-client.js';
import { startKnotd } from '../helpers/knotd.js';

const SUBJECT = process.env['MESHDNS_ROBUSTNESS_SUBJECT'] ?? 'meshdns';
const ORIGIN = 'flood.test';
const ZONE = `$ORIGIN flood.test.
$TTL 300
@       IN SOA   ns.flood.test. hostmaster.flood.test. 1 3600 600 86400 60
@       IN NS    ns.flood.test.
@       IN MX    10 mail.flood.test.
ns      IN A     192.0.2.1
www     IN A     192.0.2.80
www     IN AAAA  2001:db8::80
www     IN TXT   "hello" "world"
mail    IN A     192.0.2.25
alias   IN CNAME www.flood.test.
*.wild  IN A     192.0.2.99
sub     IN NS    ns.sub.flood.test.
ns.sub  IN A     192.0.2.53
x.y.ent IN TXT   "empty non-terminals above"
`;
const NAMES = ['flood.test', 'ns.flood.test', 'www.flood.test', 'mail.flood.test', 'alias.flood.test', 'a.wild.flood.test',
  'b.c.wild.flood.test', 'sub.flood.test', 'x.sub.flood.test', 'ns.sub.flood.test', 'ent.flood.test', 'y.ent.flood.test',
  'x.y.ent.flood.test', 'nothere.flood.test', 'deep.nothere.flood.test'];
const TYPES = ['A', 'AAAA', 'NS', 'SOA', 'MX', 'TXT', 'CNAME', 'DS', 'SRV', 'PTR', 'CAA', 'ANY'] as const;

interface Subject {
  port: number;
  alive(): boolean;
  logs(): string;
  stop(): Promise<void>;
}

let subject: Subject;
let workDir: string;

before(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'meshdns-flood-'));
  const zoneDir = path.join(workDir, 'zones');
  await mkdir(zoneDir);
  const zoneFile = path.join(zoneDir, `${ORIGIN}.zone`);
  await writeFile(zoneFile, ZONE);
  if (SUBJECT === 'knotd') {
    const knotd = await startKnotd({ zones: [{ origin: ORIGIN, file: zoneFile }], serverConf: 'identity: ""\nversion: ""' });
    subject = { port: knotd.port, alive: knotd.alive, logs: knotd.logs, stop: knotd.stop };
  } else {
    const { startMeshdns } = await import('../helpers/meshdns.js');
    const meshdns = await startMeshdns({ zoneDir, dataDir: path.join(workDir, 'data'), extraArgs: ['--log-level', 'info'] });
    subject = { port: meshdns.port, alive: () => meshdns.proc.exitCode === null && meshdns.proc.signalCode === null, logs: meshdns.logs, stop: meshdns.stop };
  }
});

after(async () => {
  // Errors logged while serving garbage point at exceptions caught at the pipeline boundary: not a
  // failure by themselves (the server survived), but worth reading.
  const errors = (subject?.logs() ?? '').split('\n').filter((line) => /"level":(5|6)\d/.test(line));
  console.log(`server log lines at error level or above: ${errors.length}`);
  for (const line of errors.slice(0, 5)) console.log(`  ${line.slice(0, 400)}`);
  await subject?.stop();
  await rm(workDir, { recursive: true, force: true });
});

/** The server still runs and answers www.flood.test A correctly over UDP and TCP. */
async function assertHealthy(context: string): Promise<void> {
  assert.ok(subject.alive(), `${context}: server process exited\n${subject.logs().slice(-4000)}`);
  for (const transport of ['udp', 'tcp'] as const) {
    const id = 0x4242;
    const packet = buildQuery({ qname: 'www.flood.test', qtype: 'A', id, edns: { payload: 1232 } });
    let response: Buffer | null = null;
    for (let attempt = 0; attempt < 3 && response === null; attempt++) {
      response = transport === 'udp' ? await queryUdp(subject.port, packet, 1000) : await queryTcp(subject.port, packet, 2000);
    }
    assert.ok(response !== null, `${context}: no ${transport} answer to www.flood.test A`);
    const decoded = decode(response);
    assert.equal(decoded.id, id);
    assert.equal(decoded.rcode, 'NOERROR', `${context}: rcode over ${transport}`);
    const addresses = (decoded.answers ?? []).filter((rr) => rr.type === 'A').map((rr) => (rr as { data?: unknown }).data);
    assert.deepEqual(addresses, ['192.0.2.80'], `${context}: answer over ${transport}`);
  }
}

/** dns-packet's decoder also returns opcode and rcode, which its typings leave out. */
function decode(response: Buffer): dnsPacket.DecodedPacket & { opcode: string; rcode: string } {
  return dnsPacket.decode(response) as dnsPacket.DecodedPacket & { opcode: string; rcode: string };
}

// ---------------------------------------------------------------------------------------------
// Property: any valid query for names of the zone gets a decodable response echoing the question.

const nameArb = fc.tuple(fc.constantFrom(...NAMES), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 })).map(([name, upper]) =>
  [...name].map((ch, i) => (upper[i] === true ? ch.toUpperCase() : ch)).join(''),
);
const validQueryArb = fc.record({
  id: fc.integer({ min: 0, max: 0xffff }),
  name: nameArb,
  type: fc.constantFrom(...TYPES),
  rd: fc.boolean(),
  cd: fc.boolean(),
  edns: fc.option(fc.record({ payload: fc.constantFrom(512, 1232, 4096, 65535), do: fc.boolean(), nsid: fc.boolean() }), { nil: undefined }),
  tcp: fc.boolean(),
});

test('property: valid queries get a decodable response that echoes the question', { timeout: 60_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(validQueryArb, async (q) => {
      let flags = 0;
      if (q.rd) flags |= dnsPacket.RECURSION_DESIRED;
      if (q.cd) flags |= dnsPacket.CHECKING_DISABLED;
      const packet = dnsPacket.encode({
        type: 'query',
        id: q.id,
        flags,
        questions: [{ name: q.name, type: q.type as dnsPacket.RecordType, class: 'IN' }],
        additionals: q.edns === undefined ? [] : [{
          type: 'OPT', name: '.', udpPayloadSize: q.edns.payload, extendedRcode: 0, ednsVersion: 0,
          flags: q.edns.do ? dnsPacket.DNSSEC_OK : 0, flag_do: q.edns.do,
          options: q.edns.nsid ? [{ code: 3, data: Buffer.alloc(0) } as unknown as dnsPacket.PacketOpt] : [],
        }],
      });
      const response = q.tcp ? await queryTcp(subject.port, packet, 2000) : await queryUdp(subject.port, packet, 1000);
      assert.ok(response !== null, 'no response');
      const decoded = decode(response);
      assert.equal(decoded.id, q.id);
      assert.equal(decoded.flag_qr, true);
      assert.equal(decoded.opcode, 'QUERY');
      const questions = decoded.questions ?? [];
      assert.equal(questions.length, 1);
      assert.equal(questions[0]!.name, q.name, 'qname echoed with its case');
      assert.equal(questions[0]!.type, q.type);
      assert.equal(questions[0]!.class, 'IN');
      assert.equal(decoded.flag_rd, q.rd, 'RD echoed');
      // RFC 4035 §3.1.6: the CD bit is copied into the response (knotd 3.2 clears it; not checked there).
      if (SUBJECT !== 'knotd') assert.equal(decoded.flag_cd, q.cd, 'CD echoed');
      const opt = (decoded.additionals ?? []).filter((rr) => rr.type === 'OPT');
      assert.equal(opt.length, q.edns === undefined ? 0 : 1, 'one OPT iff the query had one');
      if (!q.tcp) assert.ok(response.length <= (q.edns === undefined ? 512 : Math.max(512, q.edns.payload)), 'fits the UDP limit');
    }),
    { numRuns: 400 },
  );
  await assertHealthy('after the valid-query property');
});

// ---------------------------------------------------------------------------------------------
// Random and mutated packets, one at a time: check the ID and QR rules on every response.

const validPacketArb = validQueryArb.map((q) => buildQuery({ qname: q.name, qtype: q.type, id: q.id, rd: q.rd, ...(q.edns === undefined ? {} : { edns: { payload: q.edns.payload, do: q.edns.do } }) }));
const mutatedArb = fc.tuple(validPacketArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.option(fc.nat(), { nil: undefined }), fc.uint8Array({ maxLength: 16 })).map(
  ([packet, edits, cut, tail]) => {
    const out = Buffer.from(packet);
    for (const [pos, value] of edits) out[pos % out.length] = value;
    const trimmed = cut === undefined ? out : out.subarray(0, cut % (out.length + 1));
    return Buffer.concat([trimmed, tail]);
  },
);
const packetArb = fc.oneof(
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)) },
  { weight: 5, arbitrary: mutatedArb },
  { weight: 1, arbitrary: validPacketArb.map((p) => ((p[2]! |= 0x80), p)) }, // QR=1
);

function checkResponse(packet: Buffer, response: Buffer | null): void {
  if (response === null) return;
  assert.ok(response.length >= 12 || packet.length < 12, `short response (${response.length} octets) to a packet with a header`);
  if (packet.length >= 3) assert.equal(packet[2]! & 0x80, 0, `answered a packet with QR=1: ${packet.toString('hex')}`);
  if (response.length >= 3) assert.equal(response[2]! & 0x80, 0x80, 'response without QR=1');
  if (packet.length >= 12) assert.equal(response.readUInt16BE(0), packet.readUInt16BE(0), `response ID differs for ${packet.toString('hex')}`);
}

test('property: random and mutated packets never get a wrong-ID answer, QR=1 never answered', { timeout: 90_000 }, async () => {
  // Batches of packets sent concurrently: most get no answer, and waiting out each silence one by
  // one would dominate the run time.
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(packetArb, fc.boolean()), { minLength: 1, maxLength: 12 }), async (batch) => {
      const responses = await Promise.all(batch.map(([packet, tcp]) => (tcp ? queryTcp(subject.port, packet, 400) : queryUdp(subject.port, packet, 250))));
      batch.forEach(([packet], i) => checkResponse(packet, responses[i] ?? null));
    }),
    { numRuns: 80 },
  );
  await assertHealthy('after the random-packet property');
});

// ---------------------------------------------------------------------------------------------
// UDP flood: 20,000 packets from several sockets; responses matched to packets by a unique ID.

interface Sent {
  qr: boolean;
  answered: number;
}

test('flood: 20,000 random/malformed UDP packets', { timeout: 90_000 }, async () => {
  const TOTAL = 20_000;
  const SOCKETS = 8;
  const BURST = 100;
  let state = 4242;
  const next = (): number => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0), state / 0x100000000);
  const samples = fc.sample(mutatedArb, { numRuns: 2000, seed: 7 });
  const valid = fc.sample(validPacketArb, { numRuns: 500, seed: 8 });

  const problems: string[] = [];
  let responses = 0;
  const sockets = await Promise.all(Array.from({ length: SOCKETS }, async (_, s) => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const sent = new Map<number, Sent>();
    socket.on('message', (message) => {
      responses++;
      if (message.length < 12) {
        problems.push(`socket ${s}: ${message.length}-octet response`);
        return;
      }
      if ((message[2]! & 0x80) === 0) problems.push(`socket ${s}: response without QR=1`);
      const entry = sent.get(message.readUInt16BE(0));
      if (entry === undefined) problems.push(`socket ${s}: response with ID ${message.readUInt16BE(0)} that no packet carried`);
      else if (entry.qr) problems.push(`socket ${s}: answered a QR=1 packet (ID ${message.readUInt16BE(0)})`);
      else if (++entry.answered > 1) problems.push(`socket ${s}: two responses to ID ${message.readUInt16BE(0)}`);
    });
    return { socket, sent };
  }));

  const started = Date.now();
  for (let i = 0; i < TOTAL; i++) {
    const { socket, sent } = sockets[i % SOCKETS]!;
    const id = Math.floor(i / SOCKETS); // unique per socket (< 65536)
    const roll = next();
    let packet: Buffer;
    if (roll < 0.35) packet = Buffer.from(Array.from({ length: Math.floor(next() * 520) }, () => Math.floor(next() * 256)));
    else if (roll < 0.7) packet = Buffer.from(samples[i % samples.length]!);
    else if (roll < 0.85) packet = Buffer.from(valid[i % valid.length]!);
    else {
      packet = Buffer.from(valid[i % valid.length]!);
      packet[2]! |= 0x80; // QR=1: must be ignored
    }
    // Every packet of 2 octets or more carries a unique ID, so each response maps to one packet;
    // shorter ones cannot be answered with a matching ID and any reply to them is reported.
    if (packet.length >= 2) {
      packet.writeUInt16BE(id, 0);
      sent.set(id, { qr: packet.length >= 3 && (packet[2]! & 0x80) !== 0, answered: 0 });
    }
    socket.send(packet, subject.port, '127.0.0.1');
    if (i % BURST === BURST - 1) await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await new Promise((resolve) => setTimeout(resolve, 1500));
  for (const { socket } of sockets) socket.close();
  const ms = Date.now() - started;
  console.log(`flood: ${TOTAL} UDP packets, ${responses} responses, ${(ms / 1000).toFixed(1)} s`);
  assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);
  assert.ok(responses > 0, 'the server answered some of the valid queries');
  await assertHealthy('after the UDP flood');
});

// ---------------------------------------------------------------------------------------------
// TCP abuse: garbage, half frames, oversize length prefixes, slow and abandoned connections.

interface TcpResult {
  responses: Buffer[];
  closedByServer: boolean;
}

/** Write chunks (with optional pauses), collect framed responses until close or timeout. */
function tcpSession(chunks: (Buffer | number)[], lingerMs: number): Promise<TcpResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ port: subject.port, host: '127.0.0.1' });
    let buffered: Buffer = Buffer.alloc(0);
    const responses: Buffer[] = [];
    let closedByServer = false;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ responses, closedByServer });
    };
    const timer = setTimeout(finish, lingerMs);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        responses.push(Buffer.from(buffered.subarray(2, 2 + buffered.readUInt16BE(0))));
        buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
      }
    });
    socket.on('error', () => finish());
    socket.on('close', () => {
      closedByServer = true;
      finish();
    });
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (done) return;
        if (typeof chunk === 'number') await new Promise((r) => setTimeout(r, chunk));
        else socket.write(chunk);
      }
    });
  });
}

function frame(packet: Buffer, length = packet.length): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(length, 0);
  return Buffer.concat([prefix, packet]);
}

test('TCP: garbage, half frames, oversize prefixes, pipelining, slow and abandoned connections', { timeout: 90_000 }, async () => {
  const problems: string[] = [];
  const valid = fc.sample(validPacketArb, { numRuns: 200, seed: 11 });
  const mutated = fc.sample(mutatedArb, { numRuns: 200, seed: 12 });
  const random = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 300 }), { numRuns: 200, seed: 13 }).map((a) => Buffer.from(a));

  // What the server sees: the byte stream cut into length-prefixed frames (complete ones only).
  const framesOf = (stream: Buffer): Buffer[] => {
    const frames: Buffer[] = [];
    let pos = 0;
    while (pos + 2 <= stream.length && pos + 2 + stream.readUInt16BE(pos) <= stream.length) {
      frames.push(stream.subarray(pos + 2, pos + 2 + stream.readUInt16BE(pos)));
      pos += 2 + stream.readUInt16BE(pos);
    }
    return frames;
  };
  const check = (name: string, stream: Buffer, result: TcpResult): void => {
    const frames = framesOf(stream);
    const ids = new Map<number, boolean>();
    for (const f of frames) if (f.length >= 2) ids.set(f.readUInt16BE(0), f.length >= 3 && (f[2]! & 0x80) !== 0);
    if (result.responses.length > frames.length) problems.push(`${name}: ${result.responses.length} responses to ${frames.length} frames`);
    for (const r of result.responses) {
      if (r.length < 12) {
        problems.push(`${name}: ${r.length}-octet response`);
        continue;
      }
      if ((r[2]! & 0x80) === 0) problems.push(`${name}: response without QR=1`);
      const qr = ids.get(r.readUInt16BE(0));
      if (qr === undefined) problems.push(`${name}: response ID ${r.readUInt16BE(0)} matches no frame sent`);
      if (qr === true) problems.push(`${name}: answered a QR=1 packet`);
    }
  };

  // Abandoned connections stay open for the whole test; the server must keep serving others.
  const abandoned: net.Socket[] = [];
  for (let i = 0; i < 60; i++) {
    const socket = net.connect({ port: subject.port, host: '127.0.0.1' });
    socket.on('error', () => undefined);
    if (i % 2 === 0) socket.on('connect', () => socket.write(Buffer.from([0x00, 0x40, 0x12]))); // a half frame, then silence
    abandoned.push(socket);
  }

  const sessions: Promise<void>[] = [];
  const run = (name: string, chunks: (Buffer | number)[], lingerMs = 700): void => {
    const stream = Buffer.concat(chunks.filter((c): c is Buffer => typeof c !== 'number'));
    sessions.push(tcpSession(chunks, lingerMs).then((r) => check(name, stream, r)));
  };
  for (let i = 0; i < 60; i++) run(`garbage#${i}`, [random[i]!]);
  for (let i = 0; i < 40; i++) run(`framed-random#${i}`, [frame(random[i + 60]!)]);
  for (let i = 0; i < 40; i++) run(`framed-mutated#${i}`, [frame(mutated[i]!)]);
  for (let i = 0; i < 30; i++) run(`half-frame#${i}`, [frame(valid[i]!).subarray(0, 2 + (i % valid[i]!.length))]);
  for (let i = 0; i < 20; i++) run(`oversize-prefix#${i}`, [frame(valid[i]!, 0xffff - i)]);
  for (let i = 0; i < 10; i++) run(`zero-length#${i}`, [frame(Buffer.alloc(0)), frame(valid[i]!)]);
  for (let i = 0; i < 10; i++) run(`one-octet#${i}`, [Buffer.from([0x00])]);
  for (let i = 0; i < 20; i++) {
    // Distinct IDs within the connection, so each response maps to exactly one frame.
    const batch = valid.slice(20 + i * 5, 25 + i * 5).map((p, k) => {
      const copy = Buffer.from(p);
      copy.writeUInt16BE(0x1000 + k, 0);
      return copy;
    });
    const withQr = Buffer.from(batch[0]!);
    withQr.writeUInt16BE(0x2000, 0);
    withQr[2]! |= 0x80;
    const garbage = Buffer.from(mutated[100 + i]!);
    if (garbage.length >= 2) garbage.writeUInt16BE(0x3000, 0);
    run(`pipelined#${i}`, [Buffer.concat([...batch.map((p) => frame(p)), frame(withQr), frame(garbage)])], 1500);
  }
  // Slow: a valid query one octet at a time.
  for (let i = 0; i < 10; i++) {
    const framed = frame(valid[150 + i]!);
    const chunks: (Buffer | number)[] = [];
    for (const byte of framed) chunks.push(Buffer.from([byte]), 20);
    run(`slow#${i}`, chunks, 4000);
  }
  // Several waves, so a few hundred connections in total without opening them all at once.
  await Promise.all(sessions.splice(0));
  for (let wave = 0; wave < 2; wave++) {
    for (let i = 0; i < 50; i++) run(`wave${wave}-garbage#${i}`, [random[100 + i]!], 300);
    await Promise.all(sessions.splice(0));
  }
  await assertHealthy('with 60 abandoned TCP connections open');
  for (const socket of abandoned) socket.destroy();
  assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);
  await assertHealthy('after the TCP abuse');
});
