/**
 * The real meshdns process with a `kubernetes:` section (the shape of issue 16) pointed at the test
 * API server, plus optional zone files, started like an operator would and awaited until its log
 * says `kubernetes: synced`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshdns, type RunningMeshdns } from './meshdns.js';

export interface KubernetesSection {
  zones: string[];
  sources: ('service' | 'ingress' | 'node' | 'endpointslice' | 'dnsendpoint')[];
  namespaces?: string[];
  labelSelector?: string;
  annotationFilter?: string;
  defaultTtl?: number;
  publishInternal?: boolean;
  nodes?: { labelSelector?: string; names?: string[]; perNode?: string; addressTypes?: string[] };
  debounce?: string;
}

export interface K8sMeshdns extends RunningMeshdns {
  /** GET on the admin API with the server's token; the parsed JSON body and the status. */
  adminGet<T = unknown>(path: string): Promise<{ status: number; body: T }>;
}

/** YAML for the section; values in JSON, which YAML reads as flow style. */
export function kubernetesYaml(kubeconfig: string, section: KubernetesSection): string {
  const lines = ['kubernetes:', `  kubeconfig: ${JSON.stringify(kubeconfig)}`];
  for (const [key, value] of Object.entries({ defaultTtl: 30, debounce: '20ms', ...section })) {
    if (key === 'nodes' && typeof value === 'object' && value !== null) {
      lines.push('  nodes:');
      for (const [nodeKey, nodeValue] of Object.entries(value)) lines.push(`    ${nodeKey}: ${JSON.stringify(nodeValue)}`);
    } else {
      lines.push(`  ${key}: ${JSON.stringify(value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Starts meshdns with the section and `zoneFiles` (file name → text, e.g. `static.test.zone`);
 * resolves once `kubernetes: synced` is logged. stop() removes the folder it made.
 */
export async function startK8sMeshdns(kubeconfig: string, section: KubernetesSection, zoneFiles: Record<string, string> = {}): Promise<K8sMeshdns> {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-k8s-e2e-'));
  const zoneDir = join(dir, 'zones');
  mkdirSync(zoneDir);
  for (const [file, text] of Object.entries(zoneFiles)) writeFileSync(join(zoneDir, file), text);
  const config = join(dir, 'meshdns.yaml');
  writeFileSync(config, kubernetesYaml(kubeconfig, section));
  let server: RunningMeshdns;
  try {
    server = await startMeshdns({ zoneDir, config, dataDir: join(dir, 'data') });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  try {
    await server.waitForLog((entry) => entry['msg'] === 'kubernetes: synced', 60_000);
  } catch (error) {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    ...server,
    async adminGet<T>(path: string) {
      if (server.admin === undefined) throw new Error('meshdns runs without an admin API');
      const response = await fetch(`${server.admin.url}${path}`, {
        headers: server.admin.token === undefined ? {} : { authorization: `Bearer ${server.admin.token}` },
      });
      return { status: response.status, body: (await response.json()) as T };
    },
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A zone file for a zone meshdns serves from a file (not one of kubernetes.zones). */
export function staticZone(origin: string, extra = ''): string {
  return `$TTL 300\n$ORIGIN ${origin}\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.53\n${extra}`;
}
