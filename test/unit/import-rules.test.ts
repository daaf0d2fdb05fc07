// The import rules of server/ (dependency-cruiser over the TypeScript sources, type-only imports
// included): no cycles; the wire vocabulary depends on nothing of the server; the handlers of
// transfers and updates never reach back into the answer engine or the router; listeners know
// only the transport table's MessageHandler.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const layer = (name: string, from: string, to: string, comment: string): IForbiddenRuleType =>
  ({ name, comment, severity: 'error', from: { path: from }, to: { path: to } });

const RULES: IForbiddenRuleType[] = [
  { name: 'no-circular', comment: 'no import cycles in server/', severity: 'error', from: { path: '^server/' }, to: { circular: true } },
  layer('message-is-vocabulary', '^server/message/', '^server/(?!message/)', 'the wire vocabulary imports only zones/ and itself'),
  layer('shared-pieces-stay-low', '^server/(transports|holder|zone-table)[.]ts$', '^server/(router|query|xfr|update|listeners|tsig|metrics)/',
    'the transport table, the holder and the zone table are below every module'),
  layer('query-is-the-answer-engine', '^server/query/', '^server/(router|xfr|update|listeners|tsig|admin)/',
    'the answer engine knows nothing of transfers, updates, TSIG or transports'),
  layer('xfr-update-not-query', '^server/(xfr|update)/', '^server/(query|router|listeners)/',
    'transfers, NOTIFY and UPDATE do not reach into the answer engine or the router'),
  layer('tsig-below-handlers', '^server/tsig/', '^server/(query|router|xfr|update|listeners)/', 'TSIG wraps handlers without knowing them'),
  layer('listeners-know-the-table', '^server/listeners/', '^server/(router|query|xfr|update)/', 'listeners hand messages to a MessageHandler'),
  layer('metrics-read-counters', '^server/metrics/', '^server/(router|query|xfr|update)/', 'metrics read counters, not the modules that count'),
  layer('router-composed-from-outside', '^server/(?!start[.]ts|router/)', '^server/router/', 'only the composition root builds the pipeline'),
];

test('server/ keeps its import rules', async () => {
  const result = await cruise(['server'], {
    baseDir: ROOT,
    ruleSet: { forbidden: RULES },
    validate: true,
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
  }, {}, { tsConfig: { compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' } } });
  const output = result.output as ICruiseResult;
  const violations = output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (cycle ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`);
  assert.ok(output.summary.totalCruised > 50, `cruised ${output.summary.totalCruised} modules: is the source tree there?`);
  assert.deepEqual(violations, []);
});
