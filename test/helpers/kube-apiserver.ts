// A real Kubernetes API server for the tests: kube-apiserver (built from Debian's `kubernetes` source
// by .ci/kube-apiserver.sh) over Debian's etcd, both on loopback, with a fresh etcd data folder,
// CA and keys per start. No controllers run: tests create EndpointSlices and patch LoadBalancer
// status themselves. README.md ("Kubernetes tests: a real API server") says what that leaves out.
//
// Credentials: the admin is a static bearer token (group system:masters); users made by
// userKubeconfig() are client certificates signed by the test CA (CN = user, O = groups), so a new
// user needs no API server restart and has no rights until a test binds some.
//
// 410 Gone (measured on 1.20): kube-apiserver answers watches from its watch cache, so compacting
// etcd alone does not expire a resourceVersion the cache still holds. A restart() does, compaction
// or not: the new cache starts at the resource's newest version, and a watch from an older one gets
// an ERROR event with code 410 ("too old resource version"). With extraArgs ['--watch-cache=false']
// watches go to etcd, and compactEtcd() alone makes older versions 410.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { findFreePort } from './knotd.js';
import { startEtcd, type TestEtcd } from './kube-etcd.js';
import { createClientCertificate, createKubePki, type KubePki } from './kube-pki.js';
import { forgetFolder, pollUntil, removeFolderOnExit, startHarnessChild, type HarnessChild } from './kube-process.js';
import { collectionPath, objectPath, writeKubeconfig, type ObjectReference } from './kube-resources.js';

type NamedObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

export interface KubeApiServer {
  readonly url: string;          // https://127.0.0.1:<port>
  readonly kubeconfig: string;   // path of an admin kubeconfig file (CA + bearer token), usable by kubectl and @kubernetes/client-node
  readonly token: string;        // the admin bearer token
  readonly caFile: string;
  /** A kubeconfig for a user with no rights beyond what RBAC objects you create grant (user name, groups). */
  userKubeconfig(user: string, groups?: string[]): Promise<string>;
  /** JSON request as admin; body is JSON-encoded; contentType defaults to application/json (use
   *  'application/merge-patch+json' for PATCH). Never throws on HTTP status. */
  request<T = any>(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: T }>;
  /** Create an object (path from apiVersion/kind/metadata.namespace); throws with the API's message unless 201. */
  create<T = any>(object: object): Promise<T>;
  /** Merge-patch an object (or its status subresource with subresource 'status'); throws unless 200. */
  patch<T = any>(object: NamedObject, patch: object, subresource?: 'status'): Promise<T>;
  /** Delete an object; throws unless 200/202 (404 allowed with ignoreMissing). */
  remove(object: NamedObject, ignoreMissing?: boolean): Promise<void>;
  /** SIGKILL the kube-apiserver only (etcd and its data stay). */
  kill(): Promise<void>;
  /** Start kube-apiserver again on the same port and etcd; resolves when /readyz is 200 and the CRDs answer. */
  restart(): Promise<void>;
  /** Compact etcd to its current revision (old resourceVersions then get 410 Gone once the watch cache no longer holds them). */
  compactEtcd(): Promise<void>;
  /** SIGKILL both processes and remove the data folder. */
  stop(): Promise<void>;
  /** The folder holding etcd's data, the keys and both logs (removed by stop()). */
  readonly dir: string;
  /** The last lines of kube-apiserver's log, for failure messages. */
  logTail(lines?: number): string;
}

export interface KubeApiServerOptions {
  /** More kube-apiserver flags, after the harness's own (a later flag wins), e.g. '--watch-cache=false'. */
  extraArgs?: string[];
}

/** Where .ci/kube-apiserver.sh caches the binary; env MESHDNS_KUBE_APISERVER overrides it. */
export function kubeApiServerBinary(): string {
  return process.env['MESHDNS_KUBE_APISERVER'] ?? '/var/cache/meshdns-ci/kube-apiserver-1.20.2/kube-apiserver';
}

const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
if (!existsSync(path.join(REPOSITORY, 'package.json'))) throw new Error(`kube-apiserver harness: repository root not found at ${REPOSITORY}`);
const CRD_FILES = [
  path.join(REPOSITORY, 'test', 'fixtures', 'k8s', 'endpointslice-v1.crd.yaml'),
  path.join(REPOSITORY, 'k8s', 'deploy', 'crds', 'dnsendpoint.yaml'),
];
/** What must answer before start() and restart() resolve: each CRD's discovery entry and list. */
const SERVED = [
  { groupVersion: 'discovery.k8s.io/v1', plural: 'endpointslices' },
  { groupVersion: 'externaldns.k8s.io/v1alpha1', plural: 'dnsendpoints' },
];
const READY_TIMEOUT_MS = 90_000;

function requireKubeApiServer(): string {
  const binary = kubeApiServerBinary();
  if (!existsSync(binary)) {
    throw new Error(
      `kube-apiserver not found at ${binary}: build it with .ci/kube-apiserver.sh (needs the Debian packages ` +
        'dpkg-dev rsync make golang-1.19-go golang-github-modern-go-reflect2-dev; .ci/run installs them and runs it), ' +
        'or set MESHDNS_KUBE_APISERVER to a kube-apiserver binary',
    );
  }
  return binary;
}

function apiserverArgs(port: number, etcd: TestEtcd, pki: KubePki, tokenFile: string, dir: string, extraArgs: readonly string[]): string[] {
  return [
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
    '--insecure-port=0',
    '--advertise-address=127.0.0.1',
    `--etcd-servers=${etcd.clientUrl}`,
    `--cert-dir=${path.join(dir, 'certs')}`,
    `--tls-cert-file=${pki.servingCertFile}`,
    `--tls-private-key-file=${pki.servingKeyFile}`,
    `--client-ca-file=${pki.caFile}`,
    `--token-auth-file=${tokenFile}`,
    '--authorization-mode=Node,RBAC',
    `--service-account-issuer=https://kubernetes.default.svc`,
    `--service-account-key-file=${pki.serviceAccountPublicKeyFile}`,
    `--service-account-signing-key-file=${pki.serviceAccountKeyFile}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    // No controller manager runs, so no endpoints of the `kubernetes` Service are kept either.
    '--endpoint-reconciler-type=none',
    // EndpointSlices are served as discovery.k8s.io/v1 by a CRD (test/fixtures/k8s/endpointslice-v1.crd.yaml).
    '--runtime-config=discovery.k8s.io/v1beta1=false',
    '--profiling=false',
    ...extraArgs,
  ];
}

export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const binary = requireKubeApiServer();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'meshdns-kube-'));
  removeFolderOnExit(dir);
  // etcd starts while the keys are made; kept apart so a failure of either still stops etcd
  const etcdStarting = startEtcd(dir);
  etcdStarting.catch(() => undefined);
  let apiserver: HarnessChild | undefined;
  try {
    const token = randomBytes(24).toString('hex');
    const tokenFile = path.join(dir, 'tokens.csv');
    const [pki, port] = await Promise.all([
      createKubePki(dir),
      findFreePort(),
      writeFile(tokenFile, `${token},admin,admin,"system:masters"\n`, { mode: 0o600 }),
    ]);
    const etcd = await etcdStarting;
    const url = `https://127.0.0.1:${port}`;
    const kubeconfig = path.join(dir, 'admin.kubeconfig');
    await Promise.all([etcd.ready(), writeKubeconfig(kubeconfig, url, pki.caFile, 'admin', { token })]);

    const agent = new https.Agent({ ca: readFileSync(pki.caFile), keepAlive: true });
    const args = apiserverArgs(port, etcd, pki, tokenFile, dir, options.extraArgs ?? []);
    const logFile = path.join(dir, 'kube-apiserver.log');
    const launch = () => {
      apiserver = startHarnessChild(binary, args, logFile);
    };
    const logTail = (lines?: number) => apiserver?.logTail(lines) ?? '';

    const request = <T>(method: string, requestPath: string, body?: unknown, contentType = 'application/json') =>
      new Promise<{ status: number; body: T }>((resolve, reject) => {
        const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
        if (payload !== undefined) {
          headers['content-type'] = contentType;
          headers['content-length'] = String(payload.length);
        }
        const req = https.request(`${url}${requestPath}`, { method, headers, agent, timeout: 60_000 }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              // not JSON (e.g. /readyz): the text itself
            }
            resolve({ status: response.statusCode ?? 0, body: parsed as T });
          });
        });
        req.on('timeout', () => req.destroy(new Error(`${method} ${requestPath}: no answer within 60 s`)));
        req.on('error', reject);
        req.end(payload);
      });

    const expectStatus = async <T>(what: string, method: string, requestPath: string, allowed: number[], body?: unknown, contentType?: string): Promise<{ status: number; body: T }> => {
      const response = await request<T>(method, requestPath, body, contentType);
      if (!allowed.includes(response.status)) {
        const message = (response.body as { message?: string } | undefined)?.message ?? JSON.stringify(response.body);
        throw new Error(`${what}: ${method} ${requestPath}: HTTP ${response.status}: ${message}`);
      }
      return response;
    };

    const answers = async (requestPath: string, check: (body: any) => boolean = () => true): Promise<boolean> => {
      if (apiserver === undefined || !apiserver.alive()) {
        throw new Error(`kube-apiserver exited while starting: ${logTail()}`);
      }
      try {
        const response = await request<any>('GET', requestPath);
        return response.status === 200 && check(response.body);
      } catch {
        return false; // not listening yet
      }
    };

    /** /readyz, the `default` namespace, and each CRD in discovery and listable (right after a restart CRD paths may answer 503). */
    const awaitServing = async (): Promise<void> => {
      const timeout = () => `kube-apiserver at ${url} not ready within ${READY_TIMEOUT_MS / 1000} s; log:\n${logTail()}`;
      await pollUntil(() => answers('/readyz'), READY_TIMEOUT_MS, timeout);
      await pollUntil(() => answers('/api/v1/namespaces/default'), READY_TIMEOUT_MS, timeout);
      await Promise.all(
        SERVED.map(({ groupVersion, plural }) =>
          pollUntil(
            async () =>
              (await answers(`/apis/${groupVersion}`, (body) => body?.resources?.some((r: { name: string }) => r.name === plural) === true)) &&
              (await answers(`/apis/${groupVersion}/${plural}?limit=1`)),
            READY_TIMEOUT_MS,
            () => `${plural}.${groupVersion} not served within ${READY_TIMEOUT_MS / 1000} s; log:\n${logTail()}`,
          ),
        ),
      );
    };

    launch();
    await pollUntil(() => answers('/readyz'), READY_TIMEOUT_MS, () => `kube-apiserver at ${url} not ready within ${READY_TIMEOUT_MS / 1000} s; log:\n${logTail()}`);
    await Promise.all(
      CRD_FILES.map((file) => expectStatus('installing a CRD', 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', [201], parse(readFileSync(file, 'utf8')))),
    );
    await awaitServing();

    let users = 0;
    const server: KubeApiServer = {
      url,
      kubeconfig,
      token,
      caFile: pki.caFile,
      dir,
      logTail,
      async userKubeconfig(user, groups = []) {
        const stem = `user-${++users}`;
        const credentials = await createClientCertificate(dir, pki, stem, user, groups);
        const file = path.join(dir, `${stem}.kubeconfig`);
        await writeKubeconfig(file, url, pki.caFile, user, credentials);
        return file;
      },
      request,
      async create(object) {
        const created = await expectStatus<any>('create', 'POST', collectionPath(object as ObjectReference), [201], object);
        return created.body;
      },
      async patch(object, patch, subresource) {
        const target = subresource === undefined ? objectPath(object) : `${objectPath(object)}/${subresource}`;
        return (await expectStatus<any>('patch', 'PATCH', target, [200], patch, 'application/merge-patch+json')).body;
      },
      async remove(object, ignoreMissing = false) {
        await expectStatus('remove', 'DELETE', objectPath(object), ignoreMissing ? [200, 202, 404] : [200, 202]);
      },
      async kill() {
        agent.destroy();
        await apiserver?.kill();
      },
      async restart() {
        await server.kill();
        launch();
        await awaitServing();
      },
      async compactEtcd() {
        await etcd.compact();
      },
      async stop() {
        agent.destroy();
        await Promise.all([apiserver?.kill(), etcd.child.kill()]);
        await rm(dir, { recursive: true, force: true, maxRetries: 3 });
        forgetFolder(dir);
      },
    };
    return server;
  } catch (error) {
    const etcd = await etcdStarting.catch(() => undefined);
    await Promise.all([apiserver?.kill(), etcd?.child.kill()]);
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    forgetFolder(dir);
    throw error;
  }
}
