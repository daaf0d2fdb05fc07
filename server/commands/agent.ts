import type { Command } from 'commander';
import { AGENT_DEFAULTS, agentSettings, type AgentFlags, type AgentSettings } from './agent-options.js';
import { CommandError, type Io } from './program.js';

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** How long a stop waits for a decision in flight (a STUN exchange, a request) before exiting anyway. */
const STOP_GRACE_MS = 3_000;

/**
 * `meshdns agent`: the node-address agent (k8s/agent/), run by a DaemonSet with hostNetwork. It
 * publishes the node's globally reachable addresses, or behind NAT what a STUN server sees, in an
 * annotation of its Node object, which the server's Kubernetes watcher turns into records.
 */
export function registerAgent(program: Command, io: Io): void {
  program.command('agent').summary('publish this node\'s public addresses in its Kubernetes Node annotation')
    .description(
      'Publish the node\'s globally reachable interface addresses (or, when it has none, the address STUN servers see) ' +
      'in an annotation of its Node object, written only when the set changes. Needs get and patch on nodes. ' +
      'Logs JSON lines; SIGTERM and SIGINT stop it.',
    )
    .option('--node <NAME>', 'the Node to annotate (default: $NODE_NAME)')
    .option('--kubeconfig <FILE>', 'credentials of a kubeconfig file (default: the in-cluster service account)')
    .option('--stun <HOST:PORT>', 'a STUN server asked when no interface address is global (repeatable, asked in order; port 3478 when omitted)', collect)
    .option('--interfaces <NAMES>', 'only these interfaces count (comma-separated or repeated, * matches any characters: "eth0,en*"; default: all but loopback)', collect)
    .option('--refresh <DURATION>', `decide again and ask STUN again this often (default: ${AGENT_DEFAULTS.refresh})`)
    .option('--poll <DURATION>', `read the interfaces this often; a change is published at once (default: ${AGENT_DEFAULTS.poll})`)
    .option('--annotation <KEY>', 'the annotation written (default: meshdns.io/addresses)')
    .option('--once', 'decide and write once, then exit: 0 when the annotation holds the addresses, 1 otherwise')
    .option('--log-level <LEVEL>', `trace, debug, info, warn, error, fatal (default: ${AGENT_DEFAULTS.logLevel})`)
    .action((flags: AgentFlags) => runAgent(agentSettings(flags, io.env), io.env));
}

async function runAgent(settings: AgentSettings, env: NodeJS.ProcessEnv): Promise<void> {
  const [{ createLogger }, { NodeAddressAgent }, { interfaceAddresses, onlyInterfaces }, { StunClient }, { NodeAnnotationWriter }, { kubeNodeApi }] =
    await Promise.all([
      import('../log.js'),
      import('../../k8s/agent/agent.js'),
      import('../../k8s/agent/interfaces.js'),
      import('../../k8s/agent/stun.js'),
      import('../../k8s/agent/node-annotation.js'),
      import('../../k8s/agent/kube-node-api.js'),
    ]);
  const log = createLogger(settings.logLevel).child({ module: 'agent', node: settings.node });
  let api: Awaited<ReturnType<typeof kubeNodeApi>>;
  try {
    api = await kubeNodeApi(settings.kubeconfig === undefined ? { env } : { kubeconfig: settings.kubeconfig });
  } catch (error) {
    throw new CommandError((error as Error).message);
  }
  const writer = new NodeAnnotationWriter({
    api,
    node: settings.node,
    annotation: settings.annotation,
    log,
    // --once reports a failure at once (its exit status) instead of waiting for the API to recover
    ...(settings.once ? { retry: { initialMs: 1, maxMs: 1, attempts: 1 } } : {}),
  });
  const read = settings.interfaces.length > 0 ? onlyInterfaces(settings.interfaces) : undefined;
  const agent = new NodeAddressAgent({
    writer,
    stun: new StunClient(settings.stun),
    log,
    readInterfaces: () => interfaceAddresses(read),
    refreshMs: settings.refreshMs,
    pollMs: settings.pollMs,
  });
  log.info(
    {
      apiServer: api.server,
      annotation: settings.annotation,
      stun: settings.stun.map((s) => `${s.host}:${s.port}`),
      interfaces: settings.interfaces.length > 0 ? settings.interfaces : 'all',
      refreshMs: settings.refreshMs,
      pollMs: settings.pollMs,
      once: settings.once,
    },
    'agent starting',
  );
  if (settings.stun.length === 0) log.warn({}, 'no --stun server: a node without a globally reachable interface address publishes nothing');

  if (settings.once) {
    const outcome = await agent.decideOnce();
    if (outcome === 'written' || outcome === 'unchanged') return;
    // (the reason was logged by the agent)
    throw new CommandError(outcome === 'unknown' ? 'the node\'s addresses could not be learnt' : 'the node annotation could not be written');
  }

  agent.start();
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info({ signal }, 'agent stopping');
  writer.close();
  await Promise.race([agent.stop(), new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref())]);
  log.info({ published: agent.published ?? null }, 'agent stopped');
}
