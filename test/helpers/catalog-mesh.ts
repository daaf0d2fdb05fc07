// The three-site catalog mesh of examples/mesh/ (docs/catalog-mesh.md), run by tests: the example
// configs are read and only what must differ in a test is rewritten (ports chosen free at runtime,
// temp data and zone folders), so the tests exercise the configs a newcomer copies.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import dgram from 'node:dgram';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { startMeshdns, type RunningMeshdns } from './meshdns.js';
import { records, requireTool } from './tools.js';

const run = promisify(execFile);

/** examples/mesh/, seen from dist/test/helpers/ (the YAML and zone files are not compiled). */
export const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'mesh');

export const SITES = ['a', 'b', 'c'] as const;
export type Site = (typeof SITES)[number];

/** The DNS port each example config gives its site. */
const EXAMPLE_PORTS: Record<Site, number> = { a: 5301, b: 5302, c: 5303 };

/** A site's config as parsed YAML (the shape of meshdns.yaml; tests edit it in place). */
export type SiteConfig = Record<string, unknown> & {
  keys: { name: string; algorithm?: string; secret?: string }[];
  acls: { name: string; address?: string[]; key?: string[]; action: string[] }[];
  zones?: Record<string, unknown>[];
  consumers: ConsumerConfig[];
  catalogs: Record<string, unknown>[];
};
export interface ConsumerConfig {
  zone: string;
  primaries: { address: string; key?: string }[];
  template?: { primaries?: { address: string; key?: string }[]; acl?: string[] };
  groups?: Record<string, Record<string, unknown>>;
}

export interface CatalogMemberJson { zone: string; id: string; group?: string; coo?: string }
export interface CatalogsJson {
  produced: { zone: string; serial: number; members: CatalogMemberJson[] }[];
  consumed: {
    zone: string; serial: number; lastTransfer: string | null; lastError: string | null;
    members: CatalogMemberJson[]; conflicts: { zone: string; reason: string; at: string }[];
  }[];
}

export interface Answer { status: string; aa: boolean; rdata: string[]; text: string }

/** A loopback port free for both UDP and TCP right now. */
export async function freeDnsPort(): Promise<number> {
  for (;;) {
    const tcp = createServer();
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const port = (tcp.address() as { port: number }).port;
    const udp = dgram.createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    await new Promise((resolve) => tcp.close(resolve));
    if (udpFree) return port;
  }
}

/** Polls `check` every 100 ms until it returns true; fails naming what was awaited (and the mesh's logs). */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000, logs?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}${logs ? `\n${logs()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A small zone as the example's zone files are written (refresh 300, retry 60). */
export function zoneText(origin: string, serial: number, body: string): string {
  return `$ORIGIN ${origin}\n$TTL 300\n@ SOA ns.${origin} hostmaster.${origin} ${serial} 300 60 1209600 60\n@ NS ns\nns A 127.0.0.1\n${body}\n`;
}

/**
 * SipHash-2-4 (zero key) over the member's lowercase wire name and 64 zero bits (Knot's
 * catalog_member_owner with member_time 0), printed as its eight octets in little-endian order:
 * the id RFC 9432 §4.1 lets a producer choose, written here independently of catalog/member-id.ts.
 */
export function memberId(zone: string): string {
  const labels = zone.toLowerCase().replace(/\.$/, '').split('.');
  const wire = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])), Buffer.alloc(1), Buffer.alloc(8)]);
  return siphash24(wire).toString('hex');
}

export function siphash24(data: Uint8Array, key: Uint8Array = new Uint8Array(16)): Buffer {
  const mask = (1n << 64n) - 1n;
  const rotl = (x: bigint, b: bigint) => ((x << b) | (x >> (64n - b))) & mask;
  const k = Buffer.from(key);
  const k0 = k.readBigUInt64LE(0);
  const k1 = k.readBigUInt64LE(8);
  let v0 = 0x736f6d6570736575n ^ k0;
  let v1 = 0x646f72616e646f6dn ^ k1;
  let v2 = 0x6c7967656e657261n ^ k0;
  let v3 = 0x7465646279746573n ^ k1;
  const sipRound = () => {
    v0 = (v0 + v1) & mask; v1 = rotl(v1, 13n) ^ v0; v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & mask; v3 = rotl(v3, 16n) ^ v2;
    v0 = (v0 + v3) & mask; v3 = rotl(v3, 21n) ^ v0;
    v2 = (v2 + v1) & mask; v1 = rotl(v1, 17n) ^ v2; v2 = rotl(v2, 32n);
  };
  const padded = Buffer.alloc((Math.floor(data.length / 8) + 1) * 8);
  padded.set(data);
  padded[padded.length - 1] = data.length & 0xff;
  for (let i = 0; i < padded.length; i += 8) {
    const m = padded.readBigUInt64LE(i);
    v3 ^= m;
    sipRound();
    sipRound();
    v0 ^= m;
  }
  v2 ^= 0xffn;
  for (let i = 0; i < 4; i++) sipRound();
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE((v0 ^ v1 ^ v2 ^ v3) & mask);
  return out;
}

/** One site: its ports and folders, and the server while it runs. */
export class MeshSite {
  server: RunningMeshdns | undefined;
  /** Output of every run of this site so far (a restart keeps what the earlier runs said). */
  private earlierLogs = '';

  constructor(
    readonly name: Site,
    readonly port: number,
    readonly configPath: string,
    readonly dataDir: string,
    readonly zoneDir: string,
  ) {}

  get running(): RunningMeshdns {
    if (this.server === undefined) throw new Error(`site ${this.name} is not running`);
    return this.server;
  }

  async start(): Promise<void> {
    this.server = await startMeshdns({ config: this.configPath, dataDir: this.dataDir, listenFromConfig: true });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    await server.stop();
    this.earlierLogs += server.logs();
  }

  logs(): string {
    return `${this.earlierLogs}${this.server?.logs() ?? ''}`;
  }

  config(): SiteConfig {
    return parse(readFileSync(this.configPath, 'utf8')) as SiteConfig;
  }

  writeConfig(config: SiteConfig): void {
    writeFileSync(this.configPath, stringify(config));
  }

  /** Writes `<origin>.zone` into the zone folder as the docs ask: a temp file renamed into place. */
  writeZone(origin: string, text: string): void {
    const temp = join(dirname(this.zoneDir), `.${this.name}-${origin}zone.tmp`);
    writeFileSync(temp, text);
    renameSync(temp, join(this.zoneDir, `${origin}zone`));
  }

  removeZoneFile(origin: string): void {
    unlinkSync(join(this.zoneDir, `${origin}zone`));
  }

  async api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const admin = this.running.admin!;
    const response = await fetch(`${admin.url}${path}`, {
      method,
      headers: { 'X-API-Key': admin.token!, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (an empty 204): the text stands
    }
    return { status: response.status, body: parsed as T };
  }

  async catalogs(): Promise<CatalogsJson> {
    const { status, body } = await this.api<CatalogsJson>('GET', '/api/v1/catalogs');
    if (status !== 200) throw new Error(`GET /api/v1/catalogs at site ${this.name}: ${status} ${JSON.stringify(body)}`);
    return body;
  }

  /** The value of one sample of the Prometheus text, 0 when it is absent. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await (await fetch(`${this.running.admin!.url}/metrics`)).text();
    const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      const labelText = /\{(.*)\}/.exec(line)?.[1] ?? '';
      if (wanted.every((w) => labelText.split(',').includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return 0;
  }

  /** A non-recursive query over UDP through dig: rcode, AA and the answer's rdata. */
  async ask(qname: string, type = 'A', extra: string[] = []): Promise<Answer> {
    requireTool('dig', 'bind9-dnsutils');
    const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(this.port), '+norec', '+time=1', '+tries=2', '+noall', '+comments', '+answer', ...extra, qname, type], { encoding: 'utf8' });
    const status = /status: ([A-Z]+)/.exec(stdout)?.[1] ?? 'NO ANSWER';
    const flags = /flags:([^;]*);/.exec(stdout)?.[1] ?? '';
    const rdata = records(stdout).filter((r) => r[3] === type.toUpperCase()).map((r) => r[4]!);
    return { status, aa: / aa\b/.test(flags), rdata, text: stdout };
  }

  /** True when this site answers the name authoritatively with exactly this rdata. */
  async serves(qname: string, type: string, rdata: string): Promise<boolean> {
    const answer = await this.ask(qname, type);
    return answer.status === 'NOERROR' && answer.aa && answer.rdata.length === 1 && answer.rdata[0] === rdata;
  }

  /** True when this site no longer has the zone at all (REFUSED, as for any zone not served). */
  async lacks(origin: string): Promise<boolean> {
    const answer = await this.ask(origin, 'SOA');
    return answer.status === 'REFUSED' && !answer.aa;
  }

  /** A TSIG-signed AXFR (the way the other sites transfer): [name, ttl, class, type, rdata] rows. */
  async axfr(zone: string, key: { name: string; secret: string }): Promise<string[][]> {
    requireTool('dig', 'bind9-dnsutils');
    const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(this.port), '-y', `hmac-sha256:${key.name}:${key.secret}`, '+noall', '+answer', '+time=2', '+tries=1', zone, 'AXFR'], { encoding: 'utf8' });
    return records(stdout);
  }
}

/** The three sites of examples/mesh/ on ports free right now, each with its own temp folders. */
export class Mesh {
  private constructor(readonly dir: string, readonly sites: Record<Site, MeshSite>, readonly key: { name: string; secret: string }) {}

  /**
   * Copies the example configs and zone folders into a temp folder, moving every site to a free
   * port; `edit` may change a site's config before the first start.
   */
  static async prepare(edit?: (site: Site, config: SiteConfig, ports: Record<Site, number>) => void): Promise<Mesh> {
    const dir = mkdtempSync(join(tmpdir(), 'meshdns-catalog-mesh-'));
    const ports = { a: await freeDnsPort(), b: await freeDnsPort(), c: await freeDnsPort() };
    const portOf = new Map(SITES.map((s) => [`127.0.0.1:${EXAMPLE_PORTS[s]}`, `127.0.0.1:${ports[s]}`]));
    const relocate = (value: unknown): unknown => {
      if (typeof value === 'string') return portOf.get(value) ?? value;
      if (Array.isArray(value)) return value.map(relocate);
      if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, relocate(v)]));
      return value;
    };
    const sites = {} as Record<Site, MeshSite>;
    let key: { name: string; secret: string } | undefined;
    for (const s of SITES) {
      const zoneDir = join(dir, `site-${s}.zones`);
      cpSync(join(EXAMPLES, `site-${s}.zones`), zoneDir, { recursive: true });
      const dataDir = join(dir, `data-${s}`);
      mkdirSync(dataDir);
      const config = relocate(parse(readFileSync(join(EXAMPLES, `site-${s}.yaml`), 'utf8'))) as SiteConfig;
      config['zoneDir'] = zoneDir;
      config['data'] = dataDir;
      // startMeshdns gives the admin API an ephemeral port; the example's fixed one could be taken
      delete config['admin'];
      const mesh = config.keys[0]!;
      key = { name: mesh.name, secret: mesh.secret! };
      edit?.(s, config, ports);
      const configPath = join(dir, `site-${s}.yaml`);
      writeFileSync(configPath, stringify(config));
      sites[s] = new MeshSite(s, ports[s], configPath, dataDir, zoneDir);
    }
    return new Mesh(dir, sites, key!);
  }

  /** Starts the three sites at once (any order converges: see docs/catalog-mesh.md). */
  async start(): Promise<void> {
    await Promise.all(SITES.map((s) => this.sites[s].start()));
  }

  async stop(): Promise<void> {
    for (const s of SITES) await this.sites[s].stop();
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  logs(): string {
    return SITES.map((s) => `--- site ${s} ---\n${this.sites[s].logs()}`).join('\n');
  }

  /** Waits until every running site answers `qname` with exactly `rdata`. */
  async everywhere(qname: string, type: string, rdata: string, sites: readonly Site[] = SITES, timeoutMs = 30_000): Promise<void> {
    for (const s of sites) {
      await until(`site ${s} serving ${qname} ${type} ${rdata}`, () => this.sites[s].serves(qname, type, rdata), timeoutMs, () => this.logs());
    }
  }

  /** Waits until none of these sites has the zone any more. */
  async nowhere(origin: string, sites: readonly Site[], timeoutMs = 30_000): Promise<void> {
    for (const s of sites) {
      await until(`site ${s} no longer serving ${origin}`, () => this.sites[s].lacks(origin), timeoutMs, () => this.logs());
    }
  }
}
