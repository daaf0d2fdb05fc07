import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, describe, it } from 'node:test';
import { StunClient, type StunServerAddress } from '../../k8s/agent/stun.js';
import { startStunServer, type StunServerOptions, type TestStunServer } from '../helpers/stun-server.js';

// Short retransmission schedule for tests: requests at 0, 20 and 60 ms, then 40 ms more.
const FAST = { rtoMs: 20, maxTransmissions: 3, lastWaitFactor: 2 };
// For servers that answer: an RTO long enough that a slow machine never retransmits, so one request is seen.
const PATIENT = { rtoMs: 5_000 };

const servers: TestStunServer[] = [];
async function server(options: StunServerOptions): Promise<TestStunServer> {
  const started = await startStunServer(options);
  servers.push(started);
  return started;
}
const at = (s: TestStunServer): StunServerAddress => ({ host: s.host, port: s.port });

/** Lets the server read datagrams still in its socket buffer before its count is checked. */
async function requestsSeen(s: TestStunServer): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  return s.requests();
}

async function closedPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

describe('k8s agent: STUN Binding client against a loopback STUN server', () => {
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('learns the mapped IPv4 address from XOR-MAPPED-ADDRESS', async () => {
    const ok = await server({ mode: 'ok' });
    const outcome = await new StunClient([at(ok)], PATIENT).discover();
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.equal(outcome.mapped.address, '127.0.0.1');
    assert.equal(outcome.mapped.family, 4);
    assert.ok(outcome.mapped.port > 0);
    assert.equal(outcome.server, `127.0.0.1:${ok.port}`);
    assert.equal(await requestsSeen(ok), 1);
  });

  it('learns an IPv6 address over IPv6 (::1), XORed with the transaction id', async () => {
    const seen = await server({ host: '::1', mode: 'ok' });
    const outcome = await new StunClient([at(seen)], FAST).discover();
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.deepEqual([outcome.mapped.address, outcome.mapped.family], ['::1', 6]);
    assert.equal(outcome.server, `[::1]:${seen.port}`);

    const reported = await server({ host: '::1', mode: 'ok', report: { address: '2a01:4f8:1:2:3:4:5:6', port: 40000 } });
    const full = await new StunClient([at(reported)], FAST).discover();
    assert.deepEqual(full.ok && full.mapped, { family: 6, address: '2a01:4f8:1:2:3:4:5:6', port: 40000 });
  });

  it('falls back to MAPPED-ADDRESS from a server that sends only that', async () => {
    const old = await server({ mode: 'mapped-only', report: { address: '198.51.100.7', port: 5000 } });
    const outcome = await new StunClient([at(old)], FAST).discover();
    assert.deepEqual(outcome.ok && outcome.mapped, { family: 4, address: '198.51.100.7', port: 5000 });
  });

  it('an error response fails that server at once, with its code and reason', async () => {
    const refusing = await server({ mode: 'error' });
    const outcome = await new StunClient([at(refusing)], PATIENT).discover();
    assert.ok(!outcome.ok);
    assert.match(outcome.failures[0]?.reason ?? '', /error response 400 "Bad Request"/);
    assert.equal(await requestsSeen(refusing), 1);
  });

  it('discards garbage and keeps retransmitting (RFC 8489 §6.2.1), then gives up', async () => {
    const noisy = await server({ mode: 'garbage' });
    const outcome = await new StunClient([at(noisy)], FAST).discover();
    assert.ok(!outcome.ok);
    assert.match(outcome.failures[0]?.reason ?? '', /no response to 3 requests; last datagram discarded: /);
    assert.equal(await requestsSeen(noisy), 3);
  });

  it('discards a response for another transaction', async () => {
    const confused = await server({ mode: 'wrong-id' });
    const outcome = await new StunClient([at(confused)], FAST).discover();
    assert.ok(!outcome.ok);
    assert.match(outcome.failures[0]?.reason ?? '', /a response for another transaction/);
    assert.equal(await requestsSeen(confused), 3);
  });

  it('a silent server gets Rc requests, then the client gives up', async () => {
    const silent = await server({ mode: 'silent' });
    const outcome = await new StunClient([at(silent)], FAST).discover();
    assert.ok(!outcome.ok);
    assert.equal(outcome.failures[0]?.reason, 'no response to 3 requests');
    assert.equal(await requestsSeen(silent), 3);
  });

  it('the deadline caps a long schedule', async () => {
    const silent = await server({ mode: 'silent' });
    const outcome = await new StunClient([at(silent)], { rtoMs: 500, deadlineMs: 50 }).discover();
    assert.ok(!outcome.ok);
    assert.equal(outcome.failures[0]?.reason, 'no response within 50 ms');
    assert.ok((await requestsSeen(silent)) < 7);
  });

  it('tries the servers in order: the first answer wins, failures are all reported otherwise', async () => {
    const silent = await server({ mode: 'silent' });
    const noisy = await server({ mode: 'garbage' });
    const ok = await server({ mode: 'ok' });
    const outcome = await new StunClient([at(silent), at(noisy), at(ok)], FAST).discover();
    assert.equal(outcome.ok && outcome.server, `127.0.0.1:${ok.port}`);
    assert.equal(await requestsSeen(silent), 3);

    const failed = await new StunClient([at(silent), at(noisy)], FAST).discover();
    assert.deepEqual(!failed.ok && failed.failures.map((f) => f.server), [`127.0.0.1:${silent.port}`, `127.0.0.1:${noisy.port}`]);
  });

  it('a closed port or no server at all is a failure, not a crash', async () => {
    const port = await closedPort();
    const outcome = await new StunClient([{ host: '127.0.0.1', port }], FAST).discover();
    assert.ok(!outcome.ok);
    assert.equal(outcome.failures.length, 1);
    const none = await new StunClient([], FAST).discover();
    assert.deepEqual(!none.ok && none.failures, [{ server: '-', reason: 'no STUN servers configured' }]);
  });

  it('refuses a nonsensical schedule', () => {
    assert.throws(() => new StunClient([], { rtoMs: 0 }), /rtoMs must be a positive number/);
  });
});
