import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfig } from '../../server/config.js';

const check = (kubernetes: unknown, more: Record<string, unknown> = {}) => validateConfig({ kubernetes, ...more }, {}, 'meshdns.yaml', {});

test('kubernetes: the issue\'s shape is accepted and resolved (names absolute and lowercase, selectors parsed, debounce in ms)', () => {
  const k = check({
    kubeconfig: '~/.kube/config', zones: ['K8s.Site-A.mesh'], sources: ['service', 'node'], namespaces: [], labelSelector: 'app in (web)',
    annotationFilter: 'dns=yes', defaultTtl: 30, publishInternal: false,
    nodes: { labelSelector: 'serve-public=true', names: ['www.k8s.site-a.mesh.'], perNode: '{name}.nodes.k8s.site-a.mesh.', addressTypes: ['ExternalIP', 'annotation'] },
    debounce: '20ms',
  }).kubernetes!;
  assert.deepEqual(k.zones, ['k8s.site-a.mesh.']);
  assert.deepEqual(k.sources, ['service', 'node']);
  assert.equal(k.debounceMs, 20);
  assert.deepEqual(k.filter.labelSelector, [{ key: 'app', operator: 'in', values: ['web'] }]);
  assert.deepEqual(k.nodes.names, ['www.k8s.site-a.mesh.']);
  assert.equal(check({ zones: ['a.test.'], debounce: '0.5s' }).kubernetes!.debounceMs, 500);
  assert.equal(check({ zones: ['a.test.'], debounce: 75 }).kubernetes!.debounceMs, 75);
  const defaults = check({ zones: ['a.test.'] }).kubernetes!;
  assert.deepEqual(defaults.sources, ['service', 'ingress', 'node', 'endpointslice', 'dnsendpoint']);
  assert.equal(defaults.kubeconfig, undefined);
  assert.equal(defaults.defaultTtl, 30);
  assert.equal(check({ zones: ['a.test.'] }, {}).kubernetes !== undefined, true);
  assert.equal(validateConfig({}, {}, 'x', {}).kubernetes, undefined);
});

test('kubernetes: bad values name the key, the value and why', () => {
  const cases: [unknown, Record<string, unknown>, RegExp][] = [
    [{}, {}, /kubernetes\.zones: is required/],
    [{ zones: [] }, {}, /kubernetes\.zones/],
    [{ zones: ['a.test.'], sources: ['services'] }, {}, /kubernetes\.sources\[0\]: "services"/],
    [{ zones: ['a.test.'], debounce: '20 minutes' }, {}, /kubernetes\.debounce: "20 minutes" must be a duration/],
    [{ zones: ['a.test.'], labelSelector: 'app in (web' }, {}, /kubernetes\.labelSelector: "app in \(web" is not a selector/],
    [{ zones: ['a.test.'], nodes: { names: ['www.b.test.'] } }, {}, /kubernetes\.nodes\.names\[0\]: "www\.b\.test\." is outside kubernetes\.zones \(a\.test\.\)/],
    [{ zones: ['a.test.'], nodes: { perNode: '{name}.elsewhere.' } }, {}, /kubernetes\.nodes\.perNode: .* is outside kubernetes\.zones/],
    [{ zones: ['a.test.', 'A.test'] }, {}, /kubernetes\.zones\[1\]: "A\.test" is listed twice/],
    [{ zones: ['a.test.'] }, { zones: [{ origin: 'a.test.', primaries: [{ address: '127.0.0.1:53' }] }] }, /kubernetes\.zones\[0\]: "a\.test\." is zones\[0\], a secondary zone here/],
    [{ zones: ["a.test."], unknown: 1 }, {}, /kubernetes\.unknown: .*is not a known key/],
  ];
  for (const [kubernetes, more, expected] of cases) {
    assert.throws(() => check(kubernetes, more), (err: Error) => {
      assert.match(err.message, expected);
      return true;
    }, JSON.stringify(kubernetes));
  }
});
