// The Grafana dashboard and the Prometheus rules kept in deploy/ use only metrics a running server
// exports: meshdns is started with a primary zone from a folder and a secondary zone transferred
// from a scripted primary, queried over UDP and TCP, and every metric name in the dashboard's and
// the rules' expressions must have a sample in its /metrics.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { buildQuery, query } from '../helpers/dns-client.js';
import { messages, startFakePrimary, type FakePrimary, type Rr } from '../helpers/fake-primary.js';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DASHBOARDS = join(ROOT, 'deploy', 'grafana');
const RULES = join(ROOT, 'deploy', 'prometheus');
/** Our metrics and prom-client's process metrics; recording-rule names (meshdns:...) are not metrics. */
const METRIC_NAME = /\b((?:meshdns|process|nodejs)_[a-z0-9_]+)\b/g;

interface Panel { title?: string; type: string; targets?: { expr?: string }[]; panels?: Panel[] }

const dashboardFiles = () => readdirSync(DASHBOARDS).filter((f) => f.endsWith('.json')).map((f) => join(DASHBOARDS, f));
const ruleFiles = () => readdirSync(RULES).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(RULES, f));

/** Every PromQL expression of a dashboard: panel targets and template variable queries. */
function dashboardExpressions(file: string): string[] {
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { panels: Panel[]; templating: { list: { query?: unknown }[] } };
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  const targets = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
  const variables = dashboard.templating.list.map((v) => (typeof v.query === 'object' && v.query !== null ? String((v.query as { query?: string }).query ?? '') : ''));
  return [...targets, ...variables].filter((e) => e !== '');
}

interface Rule { alert?: string; record?: string; expr: string }

function rules(file: string): Rule[] {
  const doc = parseYaml(readFileSync(file, 'utf8')) as { kind?: string; spec?: { groups: { rules: Rule[] }[] }; groups?: { rules: Rule[] }[] };
  return (doc.spec?.groups ?? doc.groups ?? []).flatMap((g) => g.rules);
}

const namesIn = (exprs: string[]): Set<string> => new Set(exprs.flatMap((e) => [...e.matchAll(METRIC_NAME)].map((m) => m[1]!)));

test('the dashboard and rule files are there and well formed', () => {
  assert.ok(dashboardFiles().length >= 1, 'a Grafana dashboard in deploy/grafana/');
  assert.ok(ruleFiles().length >= 1, 'a rule file in deploy/prometheus/');
  for (const file of dashboardFiles()) {
    const exprs = dashboardExpressions(file);
    assert.ok(exprs.length >= 10, `${file}: ${exprs.length} expressions`);
    const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { uid: string; panels: (Panel & { gridPos?: unknown; id?: number })[] };
    assert.ok(dashboard.uid, `${file}: a uid, so links and provisioning keep pointing at it`);
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, `${file}: panel ids are unique`);
    for (const p of dashboard.panels) assert.ok(p.gridPos, `${file}: panel "${p.title}" has a position`);
  }
  for (const file of ruleFiles()) {
    const all = rules(file);
    for (const r of all) {
      assert.ok((r.alert ?? r.record) && r.expr, `${file}: every rule has a name and an expression: ${JSON.stringify(r)}`);
      assert.equal((r.expr.match(/\(/g) ?? []).length, (r.expr.match(/\)/g) ?? []).length, `${file}: ${r.alert ?? r.record}: balanced parentheses`);
    }
    const used = [...namesIn(all.filter((r) => r.alert).map((r) => r.expr))];
    // what issue 17 asks the alerts to cover
    for (const needed of ['meshdns_secondary_expired', 'meshdns_zonefile_load_failed', 'meshdns_xfr_in_failed_total', 'meshdns_dns_responses_total', 'meshdns_dns_request_duration_seconds_bucket']) {
      assert.ok(used.includes(needed), `${file}: an alert on ${needed}`);
    }
  }
});

describe('every metric the dashboard and the rules use exists in a running server\'s /metrics', () => {
  const ZONE = 'replica.test';
  let dir: string;
  let primary: FakePrimary;
  let server: RunningMeshdns;

  const soa = (origin: string, serial: number): Rr => ({
    type: 'SOA', name: origin, ttl: 300,
    data: { mname: `ns.${origin}`, rname: `hostmaster.${origin}`, serial, refresh: 3600, retry: 600, expire: 86400, minimum: 60 },
  });

  before(async () => {
    primary = await startFakePrimary({
      serial: (origin) => (origin === ZONE ? 7 : undefined),
      soa,
      transfer: (req) => ({ messages: messages([soa(req.origin, 7), { type: 'A', name: `www.${req.origin}`, ttl: 300, data: '192.0.2.80' }, soa(req.origin, 7)]) }),
    });
    dir = mkdtempSync(join(tmpdir(), 'meshdns-observability-assets-'));
    const zoneDir = join(dir, 'zones');
    mkdirSync(zoneDir);
    writeFileSync(join(dir, 'meshdns.yaml'), [
      `zoneDir: ${JSON.stringify(zoneDir)}`,
      'zones:',
      `  - {origin: ${ZONE}., primaries: [{address: "127.0.0.1:${primary.port}"}]}`,
      'metrics: {zoneLabels: 5}',
      '',
    ].join('\n'));
    writeFileSync(join(zoneDir, 'primary.test.zone'), '$ORIGIN primary.test.\n@ 300 IN SOA ns hostmaster 1 3600 600 86400 300\n@ 300 IN NS ns\nns 300 IN A 192.0.2.1\nwww 300 IN A 192.0.2.2\n');
    server = await startMeshdns({ config: join(dir, 'meshdns.yaml'), dataDir: join(dir, 'data') });
  });

  after(async () => {
    await server?.stop();
    await primary?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const scrape = async () => (await fetch(`${server.admin!.url}/metrics`)).text();

  test('after traffic and a transfer, each name has a sample', async () => {
    // the secondary's first transfer (the expiry gauge needs its SOA)
    for (let i = 0; i < 100 && !/^meshdns_secondary_expiry_seconds\{/m.test(await scrape()); i++) await new Promise((r) => setTimeout(r, 100));
    // more than 64 queries, so at least one is timed; over both transports
    for (let i = 0; i < 70; i++) assert.ok(await query('udp', server.port, buildQuery({ qname: i % 2 ? 'www.primary.test' : `www.${ZONE}`, qtype: 'A', id: i }), 2000));
    assert.ok(await query('tcp', server.port, buildQuery({ qname: 'nope.invalid', qtype: 'AAAA' }), 2000));
    const text = await scrape();
    const exported = new Set([...text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/gm)].map((m) => m[1]!));
    const used = namesIn([...dashboardFiles().flatMap(dashboardExpressions), ...ruleFiles().flatMap((f) => rules(f).map((r) => r.expr))]);
    assert.ok(used.size >= 20, `names found: ${[...used].join(', ')}`);
    const missing = [...used].filter((name) => !exported.has(name));
    assert.deepEqual(missing, [], `used in deploy/ but without a sample in /metrics:\n${missing.join('\n')}`);
    // the labels the dashboard's variables and panels group by
    assert.match(text, new RegExp(`^meshdns_dns_requests_total\\{server="dns://127\\.0\\.0\\.1:${server.port}",zone="${ZONE.replace('.', '\\.')}\\.",proto="udp",family="1",type="A"\\} 35$`, 'm'));
    assert.match(text, new RegExp(`^meshdns_dns_responses_total\\{server="dns://127\\.0\\.0\\.1:${server.port}",zone="other",rcode="REFUSED"\\} 1$`, 'm'));
    assert.match(text, /^meshdns_build_info\{version="\d+\.\d+\.\d+[^"]*",node="\d+\.\d+\.\d+"\} 1$/m);
    const expiry = Number(new RegExp(`^meshdns_secondary_expiry_seconds\\{zone="${ZONE}\\."\\} (\\S+)$`, 'm').exec(text)?.[1]);
    assert.ok(expiry > 86_000 && expiry <= 86_400, `expiry in ${expiry} s (SOA expire 86400, just transferred)`);
    const refresh = Number(new RegExp(`^meshdns_secondary_refresh_seconds\\{zone="${ZONE}\\."\\} (\\S+)$`, 'm').exec(text)?.[1]);
    assert.ok(refresh > 3000 && refresh <= 3600, `next refresh in ${refresh} s (SOA refresh 3600)`);
  });
});
