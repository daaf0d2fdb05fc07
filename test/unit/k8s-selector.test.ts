import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesSelector, parseSelector } from '../../k8s/records/selector.js';
import { filterObject, parseObjectFilter } from '../../k8s/records/filter.js';

const labels = { app: 'web', tier: 'frontend', 'kubernetes.io/ingress.class': 'nginx', replicas: '3', empty: '' };

// [selector, matches `labels`]
const matching: [string, boolean][] = [
  ['', true],
  ['app=web', true],
  ['app==web', true],
  ['app = web , tier = frontend', true],
  ['app=db', false],
  ['app!=db', true],
  ['app!=web', false],
  ['missing!=x', true], // != holds when the key is absent
  ['app in (web, db)', true],
  ['app in (db)', false],
  ['app notin (db,cache)', true],
  ['app notin (web)', false],
  ['missing notin (web)', true],
  ['app', true],
  ['missing', false],
  ['!missing', true],
  ['!app', false],
  ['kubernetes.io/ingress.class=nginx', true],
  ['kubernetes.io/ingress.class in (nginx-internal)', false],
  ['replicas>2', true],
  ['replicas>3', false],
  ['replicas<4', true],
  ['app>1', false], // not an integer value
  ['empty=', true],
  ['empty in ()', true],
  ['app=web,missing', false],
];
for (const [selector, expected] of matching) {
  test(`selector "${selector}" → ${expected}`, () => {
    const parsed = parseSelector(selector);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    assert.equal(matchesSelector(parsed.requirements, labels), expected);
  });
}

// [selector, a word of the error]
const invalid: [string, string][] = [
  ['app=', ''], // valid: the empty value (checked below to stay valid)
  ['=web', 'expected a key'],
  ['app=web,', 'ends with ","'],
  ['app in web', 'expected "("'],
  ['app in (web', 'expected "," or ")"'],
  ['app web', 'expected an operator'],
  ['app=we b', 'expected ","'],
  ['app>x', 'needs an integer'],
  ['app=-web', 'not a label value'],
  ['Bad_Prefix/app=web', 'not a DNS-1123 subdomain'],
  ['-app=web', 'not a qualified name'],
  [`app=${'a'.repeat(64)}`, 'not a label value'],
];
for (const [selector, error] of invalid) {
  test(`selector "${selector.slice(0, 30)}" errors: ${error || 'none'}`, () => {
    const parsed = parseSelector(selector);
    if (error === '') return assert.ok(parsed.ok);
    assert.equal(parsed.ok, false);
    assert.ok(!parsed.ok && parsed.error.includes(error), parsed.ok ? '' : parsed.error);
  });
}

test('object filter: labelSelector on labels, annotationFilter on annotations', () => {
  const parsed = parseObjectFilter('team=dns', 'kubernetes.io/ingress.class in (nginx)');
  assert.ok(parsed.ok);
  const meta = { name: 'web', namespace: 'default', uid: 'u1', labels: { team: 'dns' }, annotations: { 'kubernetes.io/ingress.class': 'nginx' } };
  assert.equal(filterObject(meta, parsed.filter), undefined);
  assert.equal(filterObject({ ...meta, labels: { team: 'web' } }, parsed.filter)?.reason, 'does not match kubernetes.labelSelector');
  assert.equal(filterObject({ ...meta, annotations: {} }, parsed.filter)?.reason, 'does not match kubernetes.annotationFilter');
  const bad = parseObjectFilter('', 'a in (');
  assert.ok(!bad.ok && bad.error.startsWith('kubernetes.annotationFilter: '));
  const badLabels = parseObjectFilter('=x', '');
  assert.ok(!badLabels.ok && badLabels.error.startsWith('kubernetes.labelSelector: '));
});
