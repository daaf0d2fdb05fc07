// `meshdns agent` as a process against a real kube-apiserver (test/helpers/kube-apiserver.ts) and a
// STUN server on loopback. The agent reads only `lo` (--interfaces lo): loopback addresses never
// count, so the node has no global interface address on any test machine and STUN decides.
//
// Patches are counted in the API server's own audit log (every get and patch of a Node, one JSON
// line each): what the server received, not what the agent says it sent.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NODE_ADDRESSES_ANNOTATION } from '../../k8s/records/annotations.js';
import { startKubeApiServer, type KubeApiServer } from '../helpers/kube-apiserver.js';
import { CLI } from '../helpers/meshdns.js';
import { TestNamespace } from '../helpers/netns.js';
import { captureOutput, stopGroup } from '../helpers/peer-process.js';
import { startStunServer, type TestStunServer } from '../helpers/stun-server.js';
import { requireTool } from '../helpers/tools.js';

const WAIT_MS = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'meshdns-agent-api-'));
const auditLog = join(dir, 'audit.log');
const auditPolicy = join(dir, 'audit-policy.yaml');
writeFileSync(
  auditPolicy,
  [
    'apiVersion: audit.k8s.io/v1',
    'kind: Policy',
    'omitStages: [RequestReceived, ResponseStarted]',
    'rules:',
    '  - level: Metadata',
    '    resources: [{ group: "", resources: [nodes] }]',
    '    verbs: [get, patch]',
    '  - level: None',
    '',
  ].join('\n'),
);

let kube: KubeApiServer;
/** The agent's own identity (get and patch on nodes, as the DaemonSet's account), so its requests stand apart in the audit log. */
const AGENT_USER = 'meshdns-agent';
let agentKubeconfig: string;
const children: ChildProcess[] = [];
const stunServers: TestStunServer[] = [];

interface AuditEvent {
  verb: string;
  user: { username: string };
  objectRef?: { resource?: string; name?: string };
  responseStatus?: { code?: number };
}

/**
 * The agents' audited requests on one node, once the audit log has caught up: a marker request (a get
 * of another name) is made after everything before it finished, and waited for in the log.
 */
async function auditedRequests(node: string): Promise<AuditEvent[]> {
  const marker = `audit-marker-${Math.random().toString(36).slice(2)}`;
  await kube.request('GET', `/api/v1/nodes/${marker}`);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const events = readFileSync(auditLog, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as AuditEvent);
    // (the marker was asked as the test's admin, whose own reads of the node are left out)
    const admin = events.find((event) => event.objectRef?.name === marker)?.user.username;
    if (admin !== undefined) return events.filter((event) => event.objectRef?.name === node && event.user.username !== admin);
    if (Date.now() > deadline) throw new Error(`the audit log never showed the marker request ${marker}`);
    await sleep(50);
  }
}

const patches = async (node: string) => (await auditedRequests(node)).filter((event) => event.verb === 'patch' && event.responseStatus?.code === 200);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A ClusterRole with these verbs on nodes, bound to one user. */
async function grantNodes(role: string, verbs: string[], user: string): Promise<void> {
  await kube.create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: role },
    rules: [{ apiGroups: [''], resources: ['nodes'], verbs }],
  });
  await kube.create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `${role}-${user}` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: user }],
  });
}

async function createNode(name: string): Promise<void> {
  await kube.create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } });
}

async function annotation(node: string): Promise<string | undefined> {
  const found = await kube.request<{ metadata: { annotations?: Record<string, string> } }>('GET', `/api/v1/nodes/${node}`);
  assert.equal(found.status, 200, JSON.stringify(found.body));
  return found.body.metadata.annotations?.[NODE_ADDRESSES_ANNOTATION];
}

/** Polls the node until its annotation is `value`; a failure shows the agent's log. */
async function annotationBecomes(node: string, value: string, log: () => string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  let seen: string | undefined;
  while ((seen = await annotation(node)) !== value) {
    if (Date.now() > deadline) throw new Error(`node ${node}: annotation ${JSON.stringify(seen)}, never ${value}; agent log:\n${log()}`);
    await sleep(100);
  }
}

/** A STUN server whose reported address the test can change (the helper reads `report` per request). */
async function stunReporting(address: string): Promise<{ server: TestStunServer; report: { address: string; port: number } }> {
  const report = { address, port: 40_000 };
  const server = await startStunServer({ report });
  stunServers.push(server);
  return { server, report };
}

function agentArgs(node: string, kubeconfig: string, stun: TestStunServer, ...more: string[]): string[] {
  return [CLI, 'agent', '--node', node, '--kubeconfig', kubeconfig, '--stun', `${stun.host}:${stun.port}`, '--interfaces', 'lo', ...more];
}

/** `meshdns agent --once`: its exit status and output. */
async function runOnce(args: string[]): Promise<{ status: number | null; output: string }> {
  const child = spawn(process.execPath, [...args, '--once'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = captureOutput(child);
  assert.ok(await closed(child), `agent --once did not exit; output:\n${output.text()}`);
  return { status: child.exitCode, output: output.text() };
}

/** Waits for the child's exit and the end of its output (`exit` may come before the last lines are read). */
function closed(child: ChildProcess): Promise<boolean> {
  if (child.stdout?.readableEnded !== false && child.stderr?.readableEnded !== false && child.exitCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), WAIT_MS);
    child.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function startAgent(args: string[]) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  return { child, output: captureOutput(child) };
}

/** The agent's JSON log lines. */
function logLines(text: string): { level: number; msg: string; [key: string]: unknown }[] {
  return text.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
}

describe('meshdns agent against a real API server', () => {
  before(async () => {
    kube = await startKubeApiServer({ extraArgs: [`--audit-policy-file=${auditPolicy}`, `--audit-log-path=${auditLog}`, '--audit-log-mode=blocking'] });
    await grantNodes('meshdns-agent-test', ['get', 'patch'], AGENT_USER);
    agentKubeconfig = await kube.userKubeconfig(AGENT_USER);
  });

  after(async () => {
    await Promise.all(children.map((child) => stopGroup(child)));
    await Promise.all(stunServers.map((server) => server.close()));
    await kube?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--once writes what STUN reports, exits 0, and a second run reads the node and patches nothing', async () => {
    await createNode('agent-once');
    const { server } = await stunReporting('81.2.69.160');
    const first = await runOnce(agentArgs('agent-once', agentKubeconfig, server));
    assert.equal(first.status, 0, first.output);
    assert.ok(logLines(first.output).some((line) => line.msg === 'node addresses written'), first.output);
    assert.equal(await annotation('agent-once'), '81.2.69.160');

    const again = await runOnce(agentArgs('agent-once', agentKubeconfig, server));
    assert.equal(again.status, 0, again.output);
    assert.ok(logLines(again.output).some((line) => line.msg === 'the node annotation already holds these addresses'), again.output);
    const audited = await auditedRequests('agent-once');
    assert.deepEqual(audited.map((event) => event.verb), ['get', 'patch', 'get'], 'a get before each write, one patch in all');
    const node = await kube.request<{ metadata: { managedFields?: { manager: string; fieldsV1?: object }[] } }>('GET', '/api/v1/nodes/agent-once');
    const managed = node.body.metadata.managedFields?.find((entry) => entry.manager === 'meshdns-agent');
    assert.match(JSON.stringify(managed?.fieldsV1 ?? {}), /"f:meshdns\.io\/addresses"/, 'the API server records meshdns-agent as the manager of the annotation');
  });

  it('running: a new STUN answer is written, nothing is patched while it stays, a lost annotation comes back, SIGTERM stops it', async () => {
    await createNode('agent-run');
    const { server, report } = await stunReporting('81.2.69.160');
    const { child, output } = startAgent(agentArgs('agent-run', agentKubeconfig, server, '--refresh', '300ms', '--poll', '100ms'));
    await annotationBecomes('agent-run', '81.2.69.160', output.text);

    report.address = '81.2.69.170';
    await annotationBecomes('agent-run', '81.2.69.170', output.text);

    // three more decisions with the same answer (each asks STUN once): none may patch
    const asked = server.requests();
    const deadline = Date.now() + WAIT_MS;
    while (server.requests() < asked + 3) {
      if (Date.now() > deadline) throw new Error(`no further STUN requests; agent log:\n${output.text()}`);
      await sleep(50);
    }
    assert.deepEqual(
      (await patches('agent-run')).map((event) => event.verb),
      ['patch', 'patch'],
      'one patch per change of the answer',
    );

    // the annotation removed by hand (or lost with a re-registered Node): the next refresh restores it
    await kube.patch({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'agent-run' } }, { metadata: { annotations: { [NODE_ADDRESSES_ANNOTATION]: null } } });
    await annotationBecomes('agent-run', '81.2.69.170', output.text);
    // (the agent logs after its patch returned: the line may arrive after the test saw the annotation)
    await output.waitFor(/"msg":"node addresses written again: the annotation had changed"/, WAIT_MS, 'the rewrite logged');

    process.kill(-child.pid!, 'SIGTERM');
    assert.ok(await closed(child), 'the agent stops on SIGTERM');
    assert.equal(child.exitCode, 0, output.text());
    const lines = logLines(output.text());
    assert.equal(lines.at(-1)?.msg, 'agent stopped');
    assert.deepEqual(lines.at(-1)?.['published'], ['81.2.69.170']);
  });

  it('a node that does not exist yet: a clear log line, retries, and the write once it is registered', async () => {
    const { server } = await stunReporting('81.2.69.180');
    const { output } = startAgent(agentArgs('agent-late', agentKubeconfig, server));
    await output.waitFor(/^(?=.*"attempt":2,)(?=.*node \\"agent-late\\" not found \(404\))/, WAIT_MS, 'a second attempt after the 404');
    const failure = logLines(output.text()).find((line) => line['attempt'] === 1);
    assert.equal(failure?.level, 40, 'a warning');
    assert.match(failure?.msg ?? '', /^writing the node annotation failed: node "agent-late" not found \(404\): is --node the Node's name \(kubectl get nodes\)\?; retrying in 1 s$/);
    await createNode('agent-late');
    await annotationBecomes('agent-late', '81.2.69.180', output.text);
  });

  it('RBAC: get and patch on nodes suffice; without patch, a 403 naming what is missing', async () => {
    await createNode('agent-rbac');
    await grantNodes('meshdns-agent-test-read-only', ['get'], 'reader-user');
    const { server } = await stunReporting('81.2.69.190');

    const reader = await runOnce(agentArgs('agent-rbac', await kube.userKubeconfig('reader-user'), server));
    assert.equal(reader.status, 1, reader.output);
    const refusal = logLines(reader.output).find((line) => line.level === 40);
    assert.match(
      refusal?.msg ?? '',
      /^writing the node addresses failed: nodes "agent-rbac" is forbidden: User "reader-user" cannot patch resource "nodes" .*\(403 Forbidden: the agent's account needs get and patch on nodes\)$/,
      reader.output,
    );
    assert.match(reader.output, /^meshdns agent: the node annotation could not be written$/m);
    assert.equal(await annotation('agent-rbac'), undefined);

    const agent = await runOnce(agentArgs('agent-rbac', agentKubeconfig, server));
    assert.equal(agent.status, 0, agent.output);
    assert.equal(await annotation('agent-rbac'), '81.2.69.190');
    const byUser = (await patches('agent-rbac')).map((event) => event.user.username);
    assert.deepEqual(byUser, [AGENT_USER], 'the patch of the reader was refused');
  });

  it('the API server away: the reason is logged, and the change is written once it is back', async () => {
    await createNode('agent-outage');
    const { server, report } = await stunReporting('81.2.69.200');
    const { output } = startAgent(agentArgs('agent-outage', agentKubeconfig, server, '--refresh', '300ms', '--poll', '100ms'));
    await annotationBecomes('agent-outage', '81.2.69.200', output.text);
    await kube.kill();
    report.address = '81.2.69.210';
    await output.waitFor(/^(?=.*"attempt":2,)(?=.*is unreachable: )/, WAIT_MS, 'retries while the API server is away');
    assert.match(logLines(output.text()).find((line) => line['attempt'] === 1)?.msg ?? '', /^writing the node annotation failed: the API server at https:\/\/127\.0\.0\.1:\d+ is unreachable: .+; retrying in 1 s$/);
    await kube.restart();
    await annotationBecomes('agent-outage', '81.2.69.210', output.text);
  });

  it('in a network namespace: the global interface addresses are written, and an address change within a poll', async () => {
    requireTool('ip', 'iproute2');
    await createNode('agent-netns');
    const namespace = new TestNamespace(`meshdns-agent-api-${process.pid}`);
    try {
      namespace.addInterface('a0');
      // global, private, CGNAT, documentation, ULA: only the first counts
      for (const cidr of ['185.1.2.3/24', '10.1.2.3/8', '100.64.1.1/10', '192.0.2.10/24', 'fd00::1/64']) namespace.address('add', cidr, 'a0');
      await namespace.bridgeLoopbackPort(Number(new URL(kube.url).port), join(dir, 'apiserver.sock'));
      // no --stun, no --interfaces: what the namespace's interfaces hold decides alone
      const child = namespace.spawn(process.execPath, [CLI, 'agent', '--node', 'agent-netns', '--kubeconfig', agentKubeconfig, '--refresh', '1h', '--poll', '100ms', '--log-level', 'debug']);
      children.push(child);
      const output = captureOutput(child);
      await annotationBecomes('agent-netns', '185.1.2.3', output.text);

      namespace.address('add', '2a01:4f8::1/64', 'a0');
      await annotationBecomes('agent-netns', '185.1.2.3,2a01:4f8::1', output.text);
      namespace.address('del', '185.1.2.3/24', 'a0');
      await annotationBecomes('agent-netns', '2a01:4f8::1', output.text);
      // a private address more: the poll notices the change, the decision finds the same global set
      namespace.address('add', '192.168.7.7/24', 'a0');
      await output.waitFor(/"msg":"node addresses unchanged"/, WAIT_MS, 'a decision after the private address came');
      assert.equal((await patches('agent-netns')).length, 3, 'one patch per change of the global set');
      await stopGroup(child);
    } finally {
      await namespace.delete();
    }
  });
});
