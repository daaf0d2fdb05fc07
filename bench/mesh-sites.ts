// `npm run bench:mesh`: three sites on loopback, each primary of its own zone, producing its catalog
// and consuming the two others' (TSIG on every transfer and NOTIFY) — all knotd, or all meshdns.
// Both meshes are driven the way an operator drives them: a zone is added with a knotc conf
// transaction / the admin API (POST /api/v1/zones), a record through an RFC 2136 UPDATE.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { meshKey, memberZoneText, startKnotdSite, type KnotdSite } from '../test/helpers/catalog-peers.js';
import { startMeshdnsSite, type MeshdnsSite } from '../test/helpers/catalog-meshdns-site.js';
import { findFreePort } from '../test/helpers/knotd.js';
import { probe } from './mesh-probe.js';
import { exchange } from './xfr-client.js';
import { rcodeOf, updateMessage } from './xfr-wire.js';

export const SITES = ['a', 'b', 'c'] as const;
export const catalogOf = (i: number): string => `catalog.site-${SITES[i]}.mesh.`;
export const appOf = (i: number): string => `app.site-${SITES[i]}.mesh.`;

export interface Mesh {
  readonly server: 'knotd' | 'meshdns';
  readonly ports: readonly number[];
  /** Adds a primary zone at site i (a member of its catalog), the way an operator would. */
  addZone(i: number, origin: string, text: string): Promise<void>;
  /** Adds an A record at site i through the server's own interface (knotc zone transaction / PATCH rrsets). */
  addRecord(i: number, origin: string, name: string, address: string): Promise<void>;
  logs(i: number): string;
  stop(): Promise<void>;
}

/** RFC 2136 UPDATE adding one A record, over TCP; throws unless NOERROR. Same message for both servers. */
export async function updateA(port: number, origin: string, name: string, address: string): Promise<void> {
  const answer = await exchange(port, updateMessage(Math.floor(Math.random() * 0xffff), origin, [{ name, ttl: 300, address }]));
  if (rcodeOf(answer) !== 0) throw new Error(`UPDATE ${name} A ${address} at 127.0.0.1:${port}: rcode ${rcodeOf(answer)}`);
}

/** Waits until every site serves every other site's app zone (the mesh converged). */
async function converged(ports: readonly number[], timeoutMs: number): Promise<void> {
  const t0 = performance.now();
  const waits: Promise<number>[] = [];
  for (let at = 0; at < ports.length; at++) {
    for (let of = 0; of < ports.length; of++) if (at !== of) waits.push(probe(ports[at]!, appOf(of), 'SOA', t0, 20, timeoutMs).arrived);
  }
  await Promise.all(waits);
}

export async function startKnotdMesh(convergeTimeoutMs = 60_000): Promise<Mesh> {
  const key = meshKey();
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-bench-mesh-knotd-'));
  const ports = [await findFreePort(), await findFreePort(), await findFreePort()];
  const sites: KnotdSite[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const file = join(dir, `${appOf(i)}zone`);
      writeFileSync(file, memberZoneText(appOf(i)));
      const others = [0, 1, 2].filter((j) => j !== i);
      sites.push(await startKnotdSite({
        name: `site-${SITES[i]}`, port: ports[i]!, key, catalog: catalogOf(i), zones: [{ origin: appOf(i), file }],
        consumes: others.map((j) => ({ catalog: catalogOf(j), port: ports[j]! })),
        notify: others.map((j) => ports[j]!), updateFromLoopback: true, logLevel: 'notice',
      }));
    }
    // The first sites found their peers down and retry later (knotd backs off to ~20 s): refresh now.
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) if (i !== j) await sites[i]!.knotc([`zone-refresh ${catalogOf(j)}`]);
    }
    await converged(ports, convergeTimeoutMs);
  } catch (error) {
    await Promise.all(sites.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    server: 'knotd',
    ports,
    async addZone(i, origin, text) {
      const file = join(dir, `${origin}zone`);
      writeFileSync(file, text);
      await sites[i]!.addMemberZone(origin, file);
    },
    async addRecord(i, origin, name, address) {
      await sites[i]!.knotc([`zone-begin ${origin}`, `zone-set ${origin} ${name} 300 A ${address}`, `zone-commit ${origin}`]);
    },
    logs: (i) => sites[i]!.logs(),
    async stop() {
      await Promise.all(sites.map((s) => s.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startMeshdnsMesh(convergeTimeoutMs = 60_000): Promise<Mesh> {
  const key = meshKey();
  const ports = [await findFreePort(), await findFreePort(), await findFreePort()];
  const sites: MeshdnsSite[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const others = [0, 1, 2].filter((j) => j !== i);
      sites.push(await startMeshdnsSite({
        name: `site-${SITES[i]}`, port: ports[i]!, key, catalog: catalogOf(i), zones: { [appOf(i)]: memberZoneText(appOf(i)) },
        consumes: others.map((j) => ({ catalog: catalogOf(j), port: ports[j]! })),
        notify: others.map((j) => ports[j]!), updateFromLoopback: true, logLevel: 'info',
      }));
    }
    // The sites started one after another: the first ones found their primaries down. Ask every
    // consumed catalog for a transfer now instead of waiting for a retry timer.
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        if (i !== j) await sites[i]!.api('PUT', `/api/v1/zones/${catalogOf(j)}/retransfer`).catch(() => undefined);
      }
    }
    await converged(ports, convergeTimeoutMs);
  } catch (error) {
    const logs = sites.map((s) => `--- meshdns ${s.name}:\n${s.server.logs().slice(-4000)}`).join('\n');
    await Promise.all(sites.map((s) => s.stop()));
    throw new Error(`${(error as Error).message}\n${logs}`);
  }
  return {
    server: 'meshdns',
    ports,
    addZone: (i, origin, text) => sites[i]!.addZone(origin, text),
    async addRecord(i, origin, name, address) {
      await sites[i]!.api('PATCH', `/api/v1/zones/${origin}/rrsets`, {
        rrsets: [{ name, type: 'A', ttl: 300, changetype: 'REPLACE', records: [{ content: address }] }],
      });
    },
    logs: (i) => sites[i]!.server.logs(),
    async stop() {
      await Promise.all(sites.map((s) => s.stop()));
    },
  };
}
