import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAddresses, NodeAnnotationWriter, type NodeApi, type RetryPolicy } from '../../k8s/agent/node-annotation.js';
import { commaList, NODE_ADDRESSES_ANNOTATION } from '../../k8s/records/annotations.js';
import { nodeRecords } from '../../k8s/records/node.js';
import { lines, node, options } from './k8s-fixtures.js';

/** A node store with the two calls, failing on demand; every call is recorded. */
class NodeStore implements NodeApi {
  readonly annotations = new Map<string, Record<string, string>>();
  readonly calls: string[] = [];
  failures: Error[] = [];

  async readAnnotation(name: string, key: string): Promise<string | undefined> {
    this.calls.push(`get ${name}`);
    const failure = this.failures.shift();
    if (failure) throw failure;
    const annotations = this.annotations.get(name);
    if (!annotations) throw new Error(`node "${name}" not found (404)`);
    return annotations[key];
  }

  async patchAnnotation(name: string, key: string, value: string): Promise<void> {
    this.calls.push(`patch ${name} ${key}=${value}`);
    const annotations = this.annotations.get(name);
    if (!annotations) throw new Error(`node "${name}" not found (404)`);
    annotations[key] = value;
  }
}

const FAST: RetryPolicy = { initialMs: 1, maxMs: 4, attempts: Infinity };

function writer(store: NodeStore, retry: RetryPolicy = FAST) {
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  const log = { debug: () => {}, info: () => {}, warn: (fields: object, message: string) => void warnings.push({ fields: fields as Record<string, unknown>, message }) };
  return { warnings, writer: new NodeAnnotationWriter({ api: store, node: 'node-a', log, retry }) };
}

describe('k8s agent: the node annotation', () => {
  it('is comma-separated, IPv4 first, numerically ordered, once each', () => {
    assert.equal(formatAddresses(['2a01:4f8::10', '185.1.2.3', '2a01:4f8::9', '9.9.9.9', '185.1.2.3']), '9.9.9.9,185.1.2.3,2a01:4f8::9,2a01:4f8::10');
    assert.equal(formatAddresses(['81.2.69.160']), '81.2.69.160');
  });

  it('round-trips through the watcher: commaList gives the set back, node records publish it', () => {
    const addresses = ['81.2.69.160', '2a01:4f8:1:2::5', '185.1.2.3'];
    const value = formatAddresses(addresses);
    assert.deepEqual(new Set(commaList(value)), new Set(addresses));
    const published = nodeRecords(
      node('node-a', [{ type: 'InternalIP', address: '10.0.0.4' }], { annotations: { [NODE_ADDRESSES_ANNOTATION]: value } }),
      { labelSelector: [], names: [], perNode: '{name}.nodes.k8s.site-a.mesh.', addressTypes: ['annotation'] },
      options,
    );
    assert.deepEqual(lines(published.records), [
      'node-a.nodes.k8s.site-a.mesh. A 30 185.1.2.3',
      'node-a.nodes.k8s.site-a.mesh. A 30 81.2.69.160',
      'node-a.nodes.k8s.site-a.mesh. AAAA 30 2a01:4f8:1:2::5',
    ]);
  });

  it('reads the node first and patches only a different value', async () => {
    const store = new NodeStore();
    store.annotations.set('node-a', { other: 'kept' });
    const { writer: w } = writer(store);
    assert.equal(await w.write(['2a01:4f8::1', '185.1.2.3']), 'written');
    assert.equal(await w.write(['185.1.2.3', '2a01:4f8::1']), 'unchanged');
    assert.deepEqual(store.calls, ['get node-a', `patch node-a ${NODE_ADDRESSES_ANNOTATION}=185.1.2.3,2a01:4f8::1`, 'get node-a']);
    assert.deepEqual(store.annotations.get('node-a'), { other: 'kept', [NODE_ADDRESSES_ANNOTATION]: '185.1.2.3,2a01:4f8::1' });
  });

  it('retries every failure with a doubling, capped wait, logging each reason, until the node exists', async () => {
    const store = new NodeStore();
    store.failures = [new Error('the API server at https://127.0.0.1:6443 is unreachable: connect ECONNREFUSED 127.0.0.1:6443')];
    const { writer: w, warnings } = writer(store);
    const writing = w.write(['81.2.69.160']);
    while (store.calls.length < 5) await new Promise((resolve) => setTimeout(resolve, 1));
    store.annotations.set('node-a', {});
    assert.equal(await writing, 'written');
    assert.equal(store.annotations.get('node-a')?.[NODE_ADDRESSES_ANNOTATION], '81.2.69.160');
    assert.match(warnings[0]?.message ?? '', /^writing the node annotation failed: the API server at .* is unreachable: connect ECONNREFUSED .*; retrying in 1 ms$/);
    assert.match(warnings[1]?.message ?? '', /node "node-a" not found \(404\); retrying in 2 ms$/);
    assert.deepEqual(warnings.slice(0, 4).map((w) => w.fields['retryInMs']), [1, 2, 4, 4]);
  });

  it('gives up after the attempts allowed, with the reason', async () => {
    const store = new NodeStore();
    const { writer: w, warnings } = writer(store, { initialMs: 1, maxMs: 1, attempts: 1 });
    await assert.rejects(w.write(['81.2.69.160']), /node "node-a" not found \(404\)/);
    assert.deepEqual(store.calls, ['get node-a']);
    assert.equal(warnings.length, 0, 'the caller reports the last failure');
  });

  it('close() ends a backoff wait at once and refuses more writes', async () => {
    const store = new NodeStore();
    const { writer: w } = writer(store, { initialMs: 3_600_000, maxMs: 3_600_000, attempts: Infinity });
    const writing = w.write(['81.2.69.160']);
    while (store.calls.length < 1) await new Promise((resolve) => setTimeout(resolve, 1));
    w.close();
    await assert.rejects(writing, /node "node-a" not found/);
    await assert.rejects(w.write(['81.2.69.160']), /the agent is stopping/);
    assert.equal(store.calls.length, 1);
  });
});
