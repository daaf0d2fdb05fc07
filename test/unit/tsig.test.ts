import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Keyring, makeKey, TSIG_ALGORITHMS, type TsigAlgorithm } from '../../server/tsig/keys.js';
import { signMessage, TsigError, verifyMessage } from '../../server/tsig/tsig.js';
import { requireTool } from '../helpers/tools.js';
import { ReplayGuard } from '../../server/tsig/replay.js';

const run = promisify(execFile);
const SECRET = Buffer.from('meshdns tsig interop secret, 32b').toString('base64');

/**
 * A one-shot UDP server: hands the query to `answer` and sends back what it returns; resolves
 * with the query bytes and the peer tool's output.
 */
async function exchange(tool: 'dig' | 'kdig', args: string[], answer: (query: Buffer) => Buffer | undefined): Promise<{ query: Buffer; output: string }> {
  requireTool(tool, tool === 'dig' ? 'bind9-dnsutils' : 'knot-dnsutils');
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let query: Buffer | undefined;
  sock.on('message', (msg, rinfo) => {
    query ??= msg;
    const reply = answer(msg);
    if (reply) sock.send(reply, rinfo.port, rinfo.address);
  });
  const port = String(sock.address().port);
  const timeouts = tool === 'dig' ? ['+time=2', '+tries=1'] : ['+time=2', '+retry=0'];
  try {
    const { stdout } = await run(tool, ['@127.0.0.1', '-p', port, ...timeouts, ...args], { timeout: 10_000 }).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
    assert.ok(query, `${tool} sent nothing`);
    return { query, output: stdout };
  } finally {
    sock.close();
  }
}

/** A minimal NOERROR response to a query: header flipped, question kept, additional dropped. */
function responseTo(query: Buffer, end: number): Buffer {
  const qEnd = questionEnd(query);
  const out = Buffer.from(query.subarray(0, Math.min(qEnd, end)));
  out[2] = 0x84 | (query[2]! & 0x01);
  out[3] = 0;
  out.writeUInt16BE(0, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(0, 10);
  return out;
}

function questionEnd(msg: Buffer): number {
  let p = 12;
  while (msg[p]! !== 0) p += msg[p]! + 1;
  return p + 5;
}

for (const algorithm of Object.keys(TSIG_ALGORITHMS) as TsigAlgorithm[]) {
  test(`${algorithm}: dig's signed query verifies, and dig accepts our signed response`, async () => {
    const key = makeKey('transfer-key.', algorithm, SECRET);
    const keyring = new Keyring([key]);
    let seen: ReturnType<typeof verifyMessage> | undefined;
    const { output } = await exchange('dig', ['-y', `${algorithm}:transfer-key:${SECRET}`, 'example.test', 'SOA'], (q) => {
      seen = verifyMessage(q, keyring);
      if (seen.status !== 'ok') return undefined;
      return signMessage(responseTo(q, seen.tsig.start), key, { priorMac: seen.tsig.mac }).message;
    });
    assert.equal(seen?.status, 'ok', JSON.stringify(seen));
    assert.match(output, /status: NOERROR/);
    assert.match(output, /TSIG PSEUDOSECTION/);
    assert.doesNotMatch(output, /could not be validated|verify failure|TSIG error/i);
  });
}

test('kdig: signed query verifies and our response verifies in kdig', async () => {
  const key = makeKey('k2.example.', 'hmac-sha256', SECRET);
  const keyring = new Keyring([key]);
  let status = '';
  const { output } = await exchange('kdig', ['-y', `hmac-sha256:k2.example.:${SECRET}`, 'example.test', 'SOA'], (q) => {
    const v = verifyMessage(q, keyring);
    status = v.status;
    return v.status === 'ok' ? signMessage(responseTo(q, v.tsig.start), key, { priorMac: v.tsig.mac }).message : undefined;
  });
  assert.equal(status, 'ok');
  assert.match(output, /status: NOERROR/);
  assert.doesNotMatch(output, /WARNING|failed/i);
});

test('a response signed with the wrong MAC makes dig complain (the check can fail)', async () => {
  const key = makeKey('transfer-key.', 'hmac-sha256', SECRET);
  const wrong = makeKey('transfer-key.', 'hmac-sha256', Buffer.from('another secret entirely!').toString('base64'));
  const keyring = new Keyring([key]);
  const { output } = await exchange('dig', ['-y', `hmac-sha256:transfer-key:${SECRET}`, 'example.test', 'SOA'], (q) => {
    const v = verifyMessage(q, keyring);
    return v.status === 'ok' ? signMessage(responseTo(q, v.tsig.start), wrong, { priorMac: v.tsig.mac }).message : undefined;
  });
  assert.match(output, /could not be validated|verify failure|tsig/i);
});

test('errors: unknown key BADKEY, wrong secret BADSIG, clock skew BADTIME, unsigned', async () => {
  const right = makeKey('transfer-key.', 'hmac-sha256', SECRET);
  const { query } = await exchange('dig', ['-y', `hmac-sha256:transfer-key:${SECRET}`, 'example.test', 'SOA'], () => undefined);
  const bad = (k: Keyring, now?: number) => {
    const v = verifyMessage(query, k, now === undefined ? {} : { now });
    return v.status === 'error' ? v.error : v.status;
  };
  assert.equal(bad(new Keyring([right])), 'ok');
  assert.equal(bad(new Keyring([makeKey('other-key.', 'hmac-sha256', SECRET)])), TsigError.BADKEY);
  assert.equal(bad(new Keyring([makeKey('transfer-key.', 'hmac-sha512', SECRET)])), TsigError.BADKEY, 'algorithm mismatch');
  assert.equal(bad(new Keyring([makeKey('transfer-key.', 'hmac-sha256', Buffer.from('x'.repeat(32)).toString('base64'))])), TsigError.BADSIG);
  assert.equal(bad(new Keyring([right]), Date.now() / 1000 + 1000), TsigError.BADTIME);
  const unsigned = Buffer.from(query.subarray(0, questionEnd(query)));
  unsigned.writeUInt16BE(0, 10);
  assert.equal(verifyMessage(unsigned, new Keyring([right])).status, 'unsigned');
});

test('a multi-message stream: each message signed over the prior MAC verifies in order only', () => {
  const key = makeKey('axfr-key.', 'hmac-sha256', SECRET);
  const keyring = new Keyring([key]);
  const m1 = signMessage(Buffer.from('000184000000000000000000', 'hex'), key, { priorMac: Buffer.alloc(32, 1) });
  const m2 = signMessage(Buffer.from('000184000000000000000000', 'hex'), key, { priorMac: m1.mac, timersOnly: true });
  const v1 = verifyMessage(m1.message, keyring, { priorMac: Buffer.alloc(32, 1) });
  assert.equal(v1.status, 'ok');
  assert.equal(verifyMessage(m2.message, keyring, { priorMac: m1.mac, timersOnly: true }).status, 'ok');
  const outOfOrder = verifyMessage(m2.message, keyring, { priorMac: Buffer.alloc(32, 1), timersOnly: true });
  assert.equal(outOfOrder.status === 'error' && outOfOrder.error, TsigError.BADSIG);
});

test('the fudge honoured is capped at 300 s: fudge 65535 and 1000 s off is BADTIME', () => {
  const key = makeKey('update-key.', 'hmac-sha256', SECRET);
  const keyring = new Keyring([key]);
  const now = 1_700_000_000;
  const msg = Buffer.from('4242280000010000000000000000060001', 'hex');
  const off = signMessage(msg, key, { now: now - 1000, fudge: 65535 }).message;
  const v = verifyMessage(off, keyring, { now });
  assert.equal(v.status === 'error' && v.error, TsigError.BADTIME);
  assert.match(v.status === 'error' ? v.reason : '', /capped at 300/);
  assert.equal(verifyMessage(signMessage(msg, key, { now: now - 299, fudge: 65535 }).message, keyring, { now }).status, 'ok');
  // a smaller fudge of their own still counts
  const tight = verifyMessage(signMessage(msg, key, { now: now - 20, fudge: 10 }).message, keyring, { now });
  assert.equal(tight.status === 'error' && tight.error, TsigError.BADTIME);
});

test('the replay guard: a MAC is admitted once per key until its time window ends; the cache is bounded', () => {
  const a = makeKey('a.', 'hmac-sha256', SECRET);
  const b = makeKey('b.', 'hmac-sha256', SECRET);
  const guard = new ReplayGuard(3);
  const mac = Buffer.alloc(32, 7);
  assert.equal(guard.admit(a, mac, 1000, 1000), true);
  assert.equal(guard.admit(a, mac, 1000, 1100), false, 'the same MAC again');
  assert.equal(guard.admit(b, mac, 1000, 1100), true, 'another key has its own MACs');
  assert.equal(guard.admit(a, mac, 1000, 1301), true, 'past time signed + 300 the time check refuses it anyway');
  for (let i = 0; i < 10; i++) guard.admit(a, Buffer.alloc(32, i + 10), 2000, 2000);
  assert.equal(guard.admit(a, Buffer.alloc(32, 19), 2000, 2000), false, 'the newest are kept');
  assert.equal(guard.admit(a, Buffer.alloc(32, 10), 2000, 2000), true, 'the oldest were forgotten');
});
