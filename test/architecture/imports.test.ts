// Architecture test: the import graph of the TypeScript sources (not dist/) checked with
// dependency-cruiser against the rules in .dependency-cruiser.cjs — the same rules `npx depcruise`
// applies. Every violation is printed as `from → to (rule)`; any violation fails the test.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseConfig from 'dependency-cruiser/config-utl/extract-depcruise-config';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The top-level folders of the design card; those that exist are cruised. */
const FOLDERS = ['server', 'zones', 'catalog', 'dnssec', 'k8s', 'bench', 'test'].filter((f) => existsSync(path.join(ROOT, f)));

function describeViolation(v: IViolation): string {
  const types = v.dependencyTypes?.includes('type-only') ? ' [type-only]' : '';
  const cycle = v.cycle && v.cycle.length > 0 ? `  cycle: ${[v.from, ...v.cycle.map((c) => c.name)].join(' → ')}` : '';
  return `${v.from} → ${v.to}${types} (${v.rule.name})${cycle}`;
}

test('import graph follows the architecture rules (.dependency-cruiser.cjs)', { timeout: 60_000 }, async (t) => {
  // dependency-cruiser resolves paths against the working directory: run from the repository root
  const cwd = process.cwd();
  process.chdir(ROOT);
  let result: ICruiseResult;
  try {
    const config = await extractDepcruiseConfig(path.join(ROOT, '.dependency-cruiser.cjs'));
    assert.ok((config.forbidden ?? []).length > 0, 'the config has rules');
    const output = await cruise(
      FOLDERS,
      { ...config.options, baseDir: ROOT, validate: true, ruleSet: { forbidden: config.forbidden ?? [] } },
      undefined,
      { tsConfig: extractTSConfig(path.join(ROOT, 'tsconfig.json')) },
    );
    result = output.output as ICruiseResult;
  } finally {
    process.chdir(cwd);
  }
  const sources = result.modules.map((m) => m.source);
  // the rules must have seen the TypeScript sources, not the compiled copies
  assert.ok(sources.some((s) => s === 'server/router/pipeline.ts'), 'server/router/pipeline.ts was cruised');
  assert.ok(!sources.some((s) => s.startsWith('dist/')), 'nothing under dist/ was cruised');
  const unresolved = result.modules.flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve).map((d) => `${m.source} → ${d.module}`));
  assert.deepEqual(unresolved, [], 'every import resolves (a silent miss would hide violations)');

  const violations = result.summary.violations.filter((v) => v.rule.severity === 'error');
  t.diagnostic(`${result.summary.totalCruised} modules cruised, ${violations.length} violation(s)`);
  if (violations.length > 0) {
    const byRule = new Map<string, number>();
    for (const v of violations) byRule.set(v.rule.name, (byRule.get(v.rule.name) ?? 0) + 1);
    assert.fail(
      `${violations.length} import(s) break the architecture rules (${[...byRule].map(([r, n]) => `${r}: ${n}`).join(', ')}):\n` +
        violations.map((v) => `  ${describeViolation(v)}`).join('\n') +
        '\n(rules and their reasons: .dependency-cruiser.cjs)',
    );
  }
});
