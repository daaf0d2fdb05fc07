import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeAddressAgent, type AgentClock } from '../../k8s/agent/agent.js';
import type { InterfaceAddress } from '../../k8s/agent/interfaces.js';
import type { StunOutcome } from '../../k8s/agent/stun.js';

/** Intervals that fire only when the test advances time. */
class ManualClock implements AgentClock {
  private now = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { run: () => void; every: number; due: number }>();
  setInterval(run: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { run, every: ms, due: this.now + ms });
    return id;
  }
  clearInterval(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  get active(): number {
    return this.timers.size;
  }
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const next = [...this.timers.values()].filter((t) => t.due <= end).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.now = next.due;
      next.due += next.every;
      next.run();
    }
    this.now = end;
  }
}

const on = (name: string, ...addresses: string[]): InterfaceAddress[] =>
  addresses.map((address) => ({ interface: name, address, family: address.includes(':') ? 6 : 4 }));
const stunOk = (address: string): StunOutcome => ({ ok: true, mapped: { address, port: 40000, family: address.includes(':') ? 6 : 4 }, server: '127.0.0.1:3478' });
const stunFailed: StunOutcome = { ok: false, failures: [{ server: '127.0.0.1:3478', reason: 'no response to 7 requests' }] };

function harness(initial: InterfaceAddress[]) {
  const state = {
    interfaces: initial as InterfaceAddress[] | Error,
    stunAnswers: [] as (StunOutcome | Error)[],
    stunCalls: 0,
    reads: 0,
    /** What the node's annotation holds (the fake writer reads it before writing, as the real one does). */
    annotation: undefined as string | undefined,
    writerCalls: 0,
    writes: [] as string[][],
    writeFailures: 0,
    warnings: [] as string[],
  };
  const clock = new ManualClock();
  const agent = new NodeAddressAgent({
    clock,
    refreshMs: 60_000,
    pollMs: 1_000,
    readInterfaces: () => {
      state.reads++;
      if (state.interfaces instanceof Error) throw state.interfaces;
      return state.interfaces;
    },
    stun: {
      discover: async () => {
        state.stunCalls++;
        const answer = state.stunAnswers.shift() ?? stunFailed;
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
    writer: {
      write: async (addresses) => {
        state.writerCalls++;
        if (state.writeFailures > 0) {
          state.writeFailures--;
          throw new Error('apiserver unavailable');
        }
        if (state.annotation === addresses.join(',')) return 'unchanged' as const;
        state.annotation = addresses.join(',');
        state.writes.push(addresses);
        return 'written' as const;
      },
    },
    log: { debug: () => {}, info: () => {}, warn: (_fields, message) => void state.warnings.push(message) },
  });
  return { state, clock, agent };
}

describe('k8s agent: the decision loop', () => {
  it('writes the sorted global interface addresses, and only when the set changes', async () => {
    const { state, agent } = harness([...on('eth0', '2a01:4f8::1', '10.0.0.5', 'fe80::1'), ...on('eth1', '185.1.2.3', '100.64.0.9')]);
    await agent.refresh();
    assert.deepEqual(state.writes, [['185.1.2.3', '2a01:4f8::1']]);
    await agent.refresh();
    assert.equal(state.writes.length, 1, 'same set: no write');
    state.interfaces = [...state.interfaces as InterfaceAddress[], ...on('eth2', '192.168.1.1')];
    await agent.refresh();
    assert.equal(state.writes.length, 1, 'a private address more: same global set, no write');
    state.interfaces = on('eth0', '2a01:4f8::1', '185.1.2.3', '8.8.4.4');
    await agent.refresh();
    assert.deepEqual(state.writes.at(-1), ['8.8.4.4', '185.1.2.3', '2a01:4f8::1']);
    assert.equal(state.stunCalls, 0, 'STUN is not asked while the interfaces have global addresses');
    assert.deepEqual(agent.published, ['8.8.4.4', '185.1.2.3', '2a01:4f8::1']);
  });

  it('behind NAT it publishes what STUN sees, and asks again on each refresh', async () => {
    const { state, agent } = harness(on('eth0', '192.168.1.20', 'fd00::20'));
    state.stunAnswers = [stunOk('198.51.100.1'), stunOk('198.51.100.1'), stunOk('203.0.113.9')];
    await agent.refresh();
    await agent.refresh();
    assert.deepEqual(state.writes, [], 'documentation addresses are not global: nothing published');
    state.stunAnswers = [stunOk('81.2.69.160'), stunOk('81.2.69.160'), stunOk('81.2.69.161')];
    await agent.refresh();
    await agent.refresh();
    await agent.refresh();
    assert.deepEqual(state.writes, [['81.2.69.160'], ['81.2.69.161']]);
    assert.equal(state.stunCalls, 5);
  });

  it('never writes an empty set because STUN failed: the last value stays', async () => {
    const { state, agent } = harness(on('eth0', '192.168.1.20'));
    state.stunAnswers = [stunFailed, new Error('socket exploded')];
    await agent.refresh();
    await agent.refresh();
    assert.deepEqual(state.writes, []);
    assert.equal(agent.published, undefined);
    state.stunAnswers = [stunOk('81.2.69.160'), stunFailed, stunOk('100.64.7.7')];
    await agent.refresh();
    await agent.refresh();
    await agent.refresh();
    assert.deepEqual(state.writes, [['81.2.69.160']], 'a failure or a CGNAT answer writes nothing');
    assert.deepEqual(agent.published, ['81.2.69.160']);
    assert.ok(state.warnings.some((w) => /no STUN answer; keeping the last addresses/.test(w)));
    assert.ok(state.warnings.some((w) => /STUN failed/.test(w)));
    assert.ok(state.warnings.some((w) => /not globally reachable/.test(w)));
  });

  it('an interface read error is never taken for "no addresses"', async () => {
    const { state, agent } = harness(on('eth0', '185.1.2.3'));
    await agent.refresh();
    state.interfaces = new Error('EMFILE');
    await agent.refresh();
    agent.poll();
    await agent.settled();
    assert.deepEqual(state.writes, [['185.1.2.3']]);
    assert.equal(state.stunCalls, 0);
    assert.equal(state.warnings.filter((w) => /reading the network interfaces failed/.test(w)).length, 2);
  });

  it('a failed write is retried at the next refresh', async () => {
    const { state, agent } = harness(on('eth0', '185.1.2.3'));
    state.writeFailures = 1;
    await agent.refresh();
    assert.equal(agent.published, undefined);
    await agent.refresh();
    assert.deepEqual(state.writes, [['185.1.2.3']]);
    assert.ok(state.warnings.includes('writing the node addresses failed: apiserver unavailable'));
  });

  it('on the clock: a first decision at start, interface changes caught by polling, a refresh on the interval', async () => {
    const { state, clock, agent } = harness(on('eth0', '185.1.2.3'));
    agent.start();
    await agent.settled();
    assert.deepEqual(state.writes, [['185.1.2.3']]);
    const readsBefore = state.reads;
    clock.advance(5_000);
    await agent.settled();
    assert.equal(state.reads, readsBefore + 5, 'one read per poll, no decision while nothing changed');
    state.interfaces = on('eth0', '185.1.2.3', '2a01:4f8::7');
    clock.advance(1_000);
    await agent.settled();
    assert.deepEqual(state.writes.at(-1), ['185.1.2.3', '2a01:4f8::7']);
    state.interfaces = on('eth0', '10.0.0.1');
    state.stunAnswers = [stunOk('81.2.69.160')];
    clock.advance(1_000);
    await agent.settled();
    assert.deepEqual(state.writes.at(-1), ['81.2.69.160']);
    state.stunAnswers = [stunOk('81.2.69.162')];
    clock.advance(60_000);
    await agent.settled();
    assert.deepEqual(state.writes.at(-1), ['81.2.69.162'], 'the interval asks STUN again');
    await agent.stop();
    assert.equal(clock.active, 0);
    const readsAtStop = state.reads;
    clock.advance(120_000);
    assert.equal(state.reads, readsAtStop);
  });

  it('decisions asked for while one runs are folded into one more', async () => {
    const { state, agent } = harness(on('eth0', '10.0.0.1'));
    state.stunAnswers = [stunOk('81.2.69.160'), stunOk('81.2.69.161'), stunOk('81.2.69.162')];
    const first = agent.refresh();
    void agent.refresh();
    void agent.refresh();
    await first;
    await agent.settled();
    assert.equal(state.stunCalls, 2);
    assert.deepEqual(state.writes, [['81.2.69.160'], ['81.2.69.161']]);
  });

  it('decideOnce (--once) says what one decision did', async () => {
    const { state, agent } = harness(on('eth0', '10.0.0.1'));
    state.stunAnswers = [stunFailed, stunOk('81.2.69.160'), stunOk('81.2.69.160')];
    assert.equal(await agent.decideOnce(), 'unknown');
    assert.equal(await agent.decideOnce(), 'written');
    assert.equal(await agent.decideOnce(), 'unchanged', 'the node was read: it holds the addresses');
    state.interfaces = on('eth0', '185.1.2.3');
    state.writeFailures = 1;
    assert.equal(await agent.decideOnce(), 'failed');
    assert.deepEqual(state.writes, [['81.2.69.160']]);
  });

  it('an interface change with the same global set is not sent to the writer; a refresh checks the node and restores a lost annotation', async () => {
    const { state, clock, agent } = harness(on('eth0', '185.1.2.3'));
    agent.start();
    await agent.settled();
    assert.equal(state.writerCalls, 1);
    state.interfaces = on('eth0', '185.1.2.3', '192.168.1.9');
    clock.advance(1_000);
    await agent.settled();
    assert.equal(state.writerCalls, 1, 'the poll decided, found the same set, and left the API alone');
    state.annotation = undefined; // the Node object re-registered, or the annotation removed by hand
    clock.advance(59_000);
    await agent.settled();
    assert.equal(state.writerCalls, 2);
    assert.equal(state.annotation, '185.1.2.3');
    assert.deepEqual(state.writes, [['185.1.2.3'], ['185.1.2.3']]);
    await agent.stop();
  });

  it('refuses intervals that are not positive', () => {
    assert.throws(
      () => new NodeAddressAgent({ writer: { write: async () => 'written' as const }, stun: { discover: async () => stunFailed }, log: console, pollMs: 0 }),
      /intervals must be positive/,
    );
  });
});
