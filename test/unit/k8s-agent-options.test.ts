import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, it } from 'node:test';
import { interfaceAddresses, onlyInterfaces, type InterfaceTable } from '../../k8s/agent/interfaces.js';
import { agentSettings, parseDurationMs } from '../../server/commands/agent-options.js';
import { runCli } from '../../server/commands/cli-program.js';
import { UsageError } from '../../server/commands/program.js';

const v4 = (address: string): NetworkInterfaceInfo => ({ address, netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: `${address}/24` });

describe('meshdns agent: flags', () => {
  it('defaults: NODE_NAME, the meshdns.io/addresses annotation, 5m refresh, 5s poll, every interface', () => {
    const settings = agentSettings({}, { NODE_NAME: 'worker-1.example' });
    assert.deepEqual(settings, {
      node: 'worker-1.example',
      kubeconfig: undefined,
      stun: [],
      interfaces: [],
      refreshMs: 300_000,
      pollMs: 5_000,
      annotation: 'meshdns.io/addresses',
      once: false,
      logLevel: 'info',
    });
  });

  it('flags win over NODE_NAME; STUN servers, interfaces and durations are parsed', () => {
    const settings = agentSettings(
      { node: 'n2', stun: ['stun.example.net:3478', '[2001:db8::1]:19302', 'stun.example.org'], interfaces: ['eth0,en*', 'wg0'], refresh: '1m30s', poll: '250ms', once: true, annotation: 'example.com/ips' },
      { NODE_NAME: 'n1' },
    );
    assert.equal(settings.node, 'n2');
    assert.deepEqual(settings.stun, [{ host: 'stun.example.net', port: 3478 }, { host: '2001:db8::1', port: 19302 }, { host: 'stun.example.org', port: 3478 }]);
    assert.deepEqual(settings.interfaces, ['eth0', 'en*', 'wg0']);
    assert.deepEqual([settings.refreshMs, settings.pollMs, settings.once, settings.annotation], [90_000, 250, true, 'example.com/ips']);
  });

  it('mistakes are usage errors naming the flag and the value', () => {
    const mistakes: [Parameters<typeof agentSettings>[0], NodeJS.ProcessEnv, RegExp][] = [
      [{}, {}, /^no node name: give --node NAME or set NODE_NAME/],
      [{}, { NODE_NAME: '' }, /^no node name/],
      [{ node: 'Worker_1' }, {}, /^--node "Worker_1" is not a Kubernetes node name/],
      [{ node: 'n', refresh: '5' }, {}, /^--refresh "5" is not a duration/],
      [{ node: 'n', poll: '0s' }, {}, /^--poll "0s" is not a duration/],
      [{ node: 'n', poll: '-5s' }, {}, /^--poll "-5s" is not a duration/],
      [{ node: 'n', stun: ['stun.example.net:port'] }, {}, /^--stun: not a STUN server address: "stun.example.net:port"/],
      [{ node: 'n', stun: ['127.0.0.1:70000'] }, {}, /^--stun: not a STUN server address: "127.0.0.1:70000"/],
      [{ node: 'n', interfaces: ['eth0,'] }, {}, /^--interfaces "eth0," has an empty interface name/],
      [{ node: 'n', annotation: 'not a key' }, {}, /^--annotation "not a key" is not an annotation key/],
      [{ node: 'n', logLevel: 'loud' }, {}, /^--log-level "loud" is not one of fatal, error/],
    ];
    for (const [flags, env, message] of mistakes) {
      assert.throws(() => agentSettings(flags, env), (error: unknown) => error instanceof UsageError && message.test(error.message), JSON.stringify(flags));
    }
  });

  it('durations: ms, s, m, h, combined and fractional', () => {
    assert.deepEqual(['500ms', '5s', '1m30s', '2h', '1.5s'].map(parseDurationMs), [500, 5_000, 90_000, 7_200_000, 1_500]);
    assert.deepEqual(['', '5', 's', '5 s', '5d', '0ms'].map(parseDurationMs), [undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('--interfaces: only the interfaces named or matched count', () => {
    const table: InterfaceTable = { eth0: [v4('185.1.2.3')], enp3s0: [v4('185.1.2.4')], wg0: [v4('185.1.2.5')], 'eth0.100': [v4('185.1.2.6')] };
    const names = (patterns: string[]) => interfaceAddresses(onlyInterfaces(patterns, () => table)).map((entry) => entry.interface);
    assert.deepEqual(names(['eth0']), ['eth0'], 'a plain name matches itself only (the dot is not a wildcard)');
    assert.deepEqual(names(['en*', 'wg0']), ['enp3s0', 'wg0']);
    assert.deepEqual(names(['eth0*']), ['eth0', 'eth0.100']);
    assert.deepEqual(names(['lo']), []);
  });

  it('through the command line: a usage mistake exits 2, missing credentials exit 1, each one line', async () => {
    const run = async (argv: string[], env: NodeJS.ProcessEnv) => {
      let err = '';
      const status = await runCli(argv, { out: () => {}, err: (text) => (err += text), env });
      return { status, err };
    };
    assert.deepEqual(await run(['agent', '--poll', '5x'], { NODE_NAME: 'n1' }), { status: 2, err: 'meshdns agent: --poll "5x" is not a duration (a number with ms, s, m or h: "500ms", "5s", "1m30s")\n' });
    assert.equal((await run(['agent'], {})).status, 2);
    assert.deepEqual(await run(['agent', '--node', 'n1'], {}), {
      status: 1,
      err: 'meshdns agent: no --kubeconfig given and not inside a cluster (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set)\n',
    });
    const missing = await run(['agent', '--node', 'n1', '--kubeconfig', '/nonexistent/kubeconfig'], {});
    assert.equal(missing.status, 1);
    assert.match(missing.err, /^meshdns agent: cannot read kubeconfig \/nonexistent\/kubeconfig: ENOENT/);
  });
});
