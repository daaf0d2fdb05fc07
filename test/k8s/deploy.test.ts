// The Kubernetes deployment kit (k8s/deploy/): every overlay renders with a modern kubectl and with
// Debian's kubectl 1.20 (kustomize v2.0.3) to the same objects, and holds what an operator relies
// on — non-root containers, probes where they make sense, least-privilege RBAC with the agent alone
// able to patch nodes, pinned images, a config meshdns accepts, Services and policies that select
// the right pods, the repository's alert rules.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { CLI } from '../helpers/meshdns.js';
import {
  allows, comparable, configVolume, find, grants, objectsOf, OVERLAY_NAMES, podSpec, podSpecLabels, render, requireKubectl120, ROOT,
  selects, serverConfig, WORKLOAD_KINDS, type Overlay,
} from './deploy-manifests.js';

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);
const SERVER_RULES = [
  '/events:create',
  '/nodes:list', '/nodes:watch',
  '/services:list', '/services:watch',
  'discovery.k8s.io/endpointslices:list', 'discovery.k8s.io/endpointslices:watch',
  'externaldns.k8s.io/dnsendpoints:list', 'externaldns.k8s.io/dnsendpoints:watch',
  'networking.k8s.io/ingresses:list', 'networking.k8s.io/ingresses:watch',
];
const AGENT_RULES = ['/nodes:get', '/nodes:patch'];

describe('k8s/deploy renders', () => {
  for (const overlay of OVERLAY_NAMES) {
    test(`${overlay}: kustomize v2.0.3 (kubectl 1.20) makes the same objects as kustomize v5`, () => {
      const old = comparable(render(overlay, requireKubectl120()).objects);
      const current = comparable(objectsOf(overlay));
      assert.deepEqual(Object.keys(old).sort(), Object.keys(current).sort());
      for (const id of Object.keys(current)) assert.equal(old[id], current[id], id);
    });

    test(`${overlay}: everything in namespace meshdns, nothing twice`, () => {
      const seen = new Set<string>();
      for (const o of objectsOf(overlay)) {
        const id = `${o.kind}/${o.metadata.name}`;
        assert.ok(!seen.has(id), `${id} twice`);
        seen.add(id);
        assert.equal(o.metadata.namespace, CLUSTER_SCOPED.has(o.kind) ? undefined : 'meshdns', id);
      }
      assert.ok(seen.has('CustomResourceDefinition/dnsendpoints.externaldns.k8s.io'), 'the DNSEndpoint CRD ships with the kit');
    });
  }
});

describe('k8s/deploy: containers', () => {
  for (const overlay of OVERLAY_NAMES) {
    test(`${overlay}: every container runs as uid 10053, read-only, without privileges, with pinned images and resources`, () => {
      const workloads = objectsOf(overlay).filter((o) => WORKLOAD_KINDS.has(o.kind));
      assert.deepEqual(workloads.map((w) => `${w.kind}/${w.metadata.name}`).sort(), ['DaemonSet/meshdns-agent', 'StatefulSet/meshdns']);
      for (const w of workloads) {
        const spec = podSpec(w);
        assert.equal(spec.securityContext?.seccompProfile?.type, 'RuntimeDefault', `${w.kind}: seccomp`);
        assert.ok(spec.hostPID !== true && spec.hostIPC !== true, `${w.kind}: no host PID/IPC namespace`);
        for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
          const id = `${w.kind}/${c.name}`;
          const sc = c.securityContext ?? {};
          assert.equal(sc.runAsNonRoot ?? spec.securityContext?.runAsNonRoot, true, `${id}: runAsNonRoot`);
          assert.equal(sc.runAsUser ?? spec.securityContext?.runAsUser, 10053, `${id}: the image's meshdns user`);
          assert.equal(sc.privileged ?? false, false, `${id}: not privileged`);
          assert.equal(sc.allowPrivilegeEscalation, false, `${id}: no privilege escalation`);
          assert.equal(sc.readOnlyRootFilesystem, true, `${id}: read-only root`);
          assert.deepEqual(sc.capabilities?.drop, ['ALL'], `${id}: drops every capability`);
          const added: string[] = sc.capabilities?.add ?? [];
          assert.ok(added.every((cap) => cap === 'NET_BIND_SERVICE'), `${id}: adds only NET_BIND_SERVICE, not ${added}`);
          assert.match(c.image, /^[^:@]+(:[A-Za-z0-9_.-]+)?(@sha256:[0-9a-f]{64})?$/, `${id}: image reference`);
          assert.ok(/@sha256:|:(?!latest$)[A-Za-z0-9_.-]+$/.test(c.image), `${id}: image ${c.image} pinned (a tag other than latest, or a digest)`);
          assert.ok(c.resources?.requests?.cpu && c.resources?.requests?.memory && c.resources?.limits?.memory, `${id}: requests and a memory limit`);
        }
      }
    });

    test(`${overlay}: the server probes /healthz and /readyz on the listener without a token; the agent serves nothing`, () => {
      const objects = objectsOf(overlay);
      const server = podSpec(find(objects, 'StatefulSet', 'meshdns')).containers[0];
      const config = serverConfig(objects);
      const metricsPort = Number(/:(\d+)$/.exec(config.metrics.listen)![1]);
      const portNamed = (name: string) => server.ports.find((p: { name: string }) => p.name === name)?.containerPort;
      for (const [probe, path] of [['startupProbe', '/healthz'], ['livenessProbe', '/healthz'], ['readinessProbe', '/readyz']] as const) {
        assert.equal(server[probe]?.httpGet?.path, path, probe);
        // /metrics, /healthz and /readyz are the token-free routes of the metrics listener (server/admin/routes-system.ts)
        assert.equal(portNamed(server[probe].httpGet.port), metricsPort, `${probe} reaches metrics.listen`);
      }
      assert.match(config.metrics.listen, /^0\.0\.0\.0:/, 'the kubelet reaches the metrics listener from outside the pod');
      const agent = podSpec(find(objects, 'DaemonSet', 'meshdns-agent'));
      assert.equal(agent.containers[0].ports, undefined);
      assert.equal(agent.hostNetwork, true, 'the agent reads the node\'s own interfaces');
      assert.deepEqual(agent.tolerations, [{ operator: 'Exists' }], 'on every node, whatever its taints');
      assert.deepEqual(agent.containers[0].env, [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }]);
      assert.equal(agent.containers[0].args[0], 'agent');
    });
  }
});

describe('k8s/deploy: RBAC', () => {
  for (const overlay of OVERLAY_NAMES) {
    test(`${overlay}: the server reads the sources and writes Events; the agent alone may patch nodes`, () => {
      const objects = objectsOf(overlay);
      const roles = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');
      assert.deepEqual(roles.map((r) => r.metadata.name).sort(), ['meshdns', 'meshdns-agent']);
      assert.deepEqual(grants(find(objects, 'ClusterRole', 'meshdns')), SERVER_RULES);
      assert.deepEqual(grants(find(objects, 'ClusterRole', 'meshdns-agent')), AGENT_RULES);

      const bindings = objects.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding');
      const subjectsOf = (roleName: string) => bindings.filter((b) => b['roleRef'].name === roleName)
        .flatMap((b) => b['subjects'].map((s: { kind: string; name: string; namespace: string }) => `${s.kind}/${s.namespace}/${s.name}`));
      assert.deepEqual(subjectsOf('meshdns'), ['ServiceAccount/meshdns/meshdns']);
      assert.deepEqual(subjectsOf('meshdns-agent'), ['ServiceAccount/meshdns/meshdns-agent']);

      // who may patch nodes, followed to the pods that hold the identity
      const patchers = roles.filter((r) => allows(r, '', 'nodes', 'patch') || allows(r, '', 'nodes', 'update')).map((r) => r.metadata.name);
      const accounts = patchers.flatMap(subjectsOf).map((s) => s.split('/')[2]);
      const workloads = objects.filter((o) => WORKLOAD_KINDS.has(o.kind) && accounts.includes(podSpec(o).serviceAccountName));
      assert.deepEqual(workloads.map((w) => `${w.kind}/${w.metadata.name}`), ['DaemonSet/meshdns-agent']);
      assert.equal(podSpec(find(objects, 'StatefulSet', 'meshdns')).serviceAccountName, 'meshdns');
    });
  }
});

describe('k8s/deploy: the server config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-deploy-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const overlay of OVERLAY_NAMES) {
    test(`${overlay}: the ConfigMap's meshdns.yaml passes \`meshdns config check\` with the files the pod mounts`, () => {
      const objects = objectsOf(overlay);
      const config = serverConfig(objects);
      const pod = podSpec(find(objects, 'StatefulSet', 'meshdns'));
      const mounts = pod.containers[0].volumeMounts as { name: string; mountPath: string }[];
      const mountOf = (volume: string) => mounts.find((m) => m.name === volume)!.mountPath;
      // the paths the config names are where the pod mounts the volume claim and the token
      assert.equal(config.data, mountOf('data'));
      const tokenItem = configVolume(pod).projected.sources.find((s: any) => s.secret).secret.items[0];
      assert.equal(config.admin.tokenFile, `${mountOf('config')}/${tokenItem.path}`);
      assert.ok(pod.containers[0].args.join(' ').endsWith(`--config ${mountOf('config')}/meshdns.yaml`));
      // no kubeconfig: the pod's service account
      assert.equal(config.kubernetes.kubeconfig, undefined);
      assert.deepEqual(Object.keys(config.kubernetes).filter((k) => !KUBERNETES_KEYS.includes(k)), [], 'the issue\'s keys only');

      // the same config with the pod's files at temporary paths
      const local = structuredClone(config);
      local.data = join(dir, `${overlay}-data`);
      local.admin.tokenFile = join(dir, 'admin.token');
      writeFileSync(local.admin.tokenFile, 'f'.repeat(48));
      const file = join(dir, `${overlay}.yaml`);
      writeFileSync(file, stringifyYaml(local));
      const out = execFileSync(process.execPath, [CLI, 'config', 'check', '--json', file], { encoding: 'utf8' });
      assert.equal(JSON.parse(out).ok, true);
      assert.ok(config.kubernetes.zones.length > 0, 'the kubernetes: section is part of what was checked');
    });
  }

  test('overlays: dev logs at debug level, prod serves the site\'s zones from two servers', () => {
    assert.equal(serverConfig(objectsOf('dev')).logLevel, 'debug');
    assert.deepEqual(serverConfig(objectsOf('prod')).kubernetes.zones, ['k8s.site-a.mesh.']);
    assert.equal(find(objectsOf('prod'), 'StatefulSet', 'meshdns')['spec'].replicas, 2);
    assert.equal(find(objectsOf('base'), 'StatefulSet', 'meshdns')['spec'].replicas, 1);
    const args: string[] = podSpec(find(objectsOf('prod'), 'DaemonSet', 'meshdns-agent')).containers[0].args;
    assert.equal(args.filter((a) => a === '--stun').length, 2, 'two STUN servers');
  });
});

describe('k8s/deploy: Services, policies, monitoring', () => {
  const serviceTypes: Record<Overlay, string> = { base: 'ClusterIP', dev: 'NodePort', prod: 'LoadBalancer' };
  for (const overlay of OVERLAY_NAMES) {
    test(`${overlay}: DNS on 53/UDP and 53/TCP (${serviceTypes[overlay]}), the headless and metrics Services reach the server`, () => {
      const objects = objectsOf(overlay);
      const set = find(objects, 'StatefulSet', 'meshdns');
      const podLabels = set['spec'].template.metadata.labels;
      const ports = podSpec(set).containers[0].ports as { name: string; containerPort: number; protocol: string }[];
      const dns = find(objects, 'Service', 'meshdns');
      assert.equal(dns['spec'].type ?? 'ClusterIP', serviceTypes[overlay]);
      if (overlay === 'prod') assert.equal(dns['spec'].externalTrafficPolicy, 'Local', 'client addresses kept for ACLs and RRL');
      assert.deepEqual(dns['spec'].ports.map((p: { port: number; protocol: string }) => `${p.port}/${p.protocol}`), ['53/UDP', '53/TCP']);
      assert.equal(find(objects, 'Service', set['spec'].serviceName)['spec'].clusterIP, 'None');
      for (const name of ['meshdns', 'meshdns-headless', 'meshdns-metrics']) {
        const service = find(objects, 'Service', name);
        assert.ok(selects(service['spec'].selector, podLabels), `${name} selects the server's pods`);
        assert.ok(!selects(service['spec'].selector, podSpecLabels(find(objects, 'DaemonSet', 'meshdns-agent'))), `${name} leaves the agent out`);
        for (const p of service['spec'].ports) {
          const target = ports.find((c) => c.name === p.targetPort);
          assert.equal(target?.protocol, p.protocol, `${name} ${p.name}: targetPort ${p.targetPort} is a ${p.protocol} port of the container`);
        }
      }
      assert.equal(find(objects, 'Service', 'meshdns-metrics').metadata['annotations']['prometheus.io/port'], String(ports.find((p) => p.name === 'metrics')?.containerPort));
      // prometheus-operator's kinds only where the overlay takes ../../monitoring (its CRDs must exist)
      const monitors = objects.filter((o) => o.kind === 'ServiceMonitor');
      assert.deepEqual(monitors.map((o) => o.metadata.name), overlay === 'prod' ? ['meshdns'] : []);
      for (const monitor of monitors) {
        assert.ok(selects(monitor['spec'].selector.matchLabels, find(objects, 'Service', 'meshdns-metrics').metadata.labels));
        assert.ok(!selects(monitor['spec'].selector.matchLabels, dns.metadata.labels), 'only the metrics Service is scraped');
        assert.equal(monitor['spec'].endpoints[0].port, 'metrics');
      }
      assert.ok(selects(find(objects, 'PodDisruptionBudget', 'meshdns')['spec'].selector.matchLabels, podLabels));
      assert.equal(find(objects, 'PodDisruptionBudget', 'meshdns')['spec'].maxUnavailable, 1);
    });

    test(`${overlay}: NetworkPolicy lets DNS in from anywhere, admin and metrics only from the monitoring namespace`, () => {
      const objects = objectsOf(overlay);
      const podLabels = find(objects, 'StatefulSet', 'meshdns')['spec'].template.metadata.labels;
      const policy = find(objects, 'NetworkPolicy', 'meshdns');
      assert.ok(selects(policy['spec'].podSelector.matchLabels, podLabels));
      assert.deepEqual(policy['spec'].policyTypes, ['Ingress', 'Egress']);
      const open = policy['spec'].ingress.filter((r: { from?: unknown }) => r.from === undefined);
      assert.deepEqual(open.flatMap((r: any) => r.ports.map((p: any) => `${p.port}/${p.protocol}`)), ['53/UDP', '53/TCP']);
      const restricted = policy['spec'].ingress.filter((r: { from?: unknown }) => r.from !== undefined);
      assert.deepEqual(restricted.flatMap((r: any) => r.ports.map((p: any) => p.port)).sort(), [8053, 9153]);
      assert.deepEqual(restricted.flatMap((r: any) => r.from), [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
      assert.deepEqual(policy['spec'].egress.flatMap((r: any) => r.ports.map((p: any) => p.port)), [443, 6443], 'out: the API server only');
    });
  }

  test('the PrometheusRule holds the alert rules of deploy/prometheus/meshdns-rules.yaml', () => {
    const shipped = parseYaml(readFileSync(join(ROOT, 'deploy', 'prometheus', 'meshdns-rules.yaml'), 'utf8'));
    assert.deepEqual(find(objectsOf('prod'), 'PrometheusRule', 'meshdns')['spec'], shipped.spec);
    assert.deepEqual(objectsOf('dev').filter((o) => o.kind === 'PrometheusRule'), []);
  });
});

const KUBERNETES_KEYS = ['kubeconfig', 'zones', 'nameservers', 'sources', 'namespaces', 'labelSelector', 'annotationFilter', 'defaultTtl', 'publishInternal', 'nodes', 'debounce'];
