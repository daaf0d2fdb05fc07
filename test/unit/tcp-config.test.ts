// The `tcp:` keys of the config as the stream handling gets them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULTS, validateConfig } from '../../server/config.js';
import { STREAM_DEFAULTS } from '../../server/listeners/stream.js';

const message = (raw: unknown): string => {
  try {
    validateConfig(raw, {}, 'meshdns.yaml', {});
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
};

test('tcp limits: defaults, seconds to ms, and the stream handling\'s own defaults agree', () => {
  assert.deepEqual(validateConfig({}, {}, 'x', {}).tcp, {
    idleTimeoutMs: 10_000, ioTimeoutMs: 2000, maxConnections: 1024, maxConnectionsPerClient: 64, maxUnsentBytes: 256 * 1024,
  });
  assert.deepEqual(validateConfig({ tcp: { idleTimeout: 3, ioTimeout: 0.5, maxConnectionsPerClient: 8, maxUnsentBytes: 65536 } }, {}, 'x', {}).tcp, {
    idleTimeoutMs: 3000, ioTimeoutMs: 500, maxConnections: DEFAULTS.tcpMaxConnections, maxConnectionsPerClient: 8, maxUnsentBytes: 65536,
  });
  assert.equal(STREAM_DEFAULTS.ioTimeoutMs, 1000 * DEFAULTS.tcpIoTimeoutSeconds);
  assert.equal(STREAM_DEFAULTS.maxConnectionsPerClient, DEFAULTS.tcpMaxConnectionsPerClient);
  assert.equal(STREAM_DEFAULTS.maxUnsentBytes, DEFAULTS.tcpMaxUnsentBytes);
});

test('tcp limits out of range name the key and the value', () => {
  assert.equal(message({ tcp: { ioTimeout: 0 } }), 'meshdns.yaml: tcp.ioTimeout: 0 must be a number of seconds from 0.05 to 60');
  assert.match(message({ tcp: { maxConnectionsPerClient: 0 } }), /^meshdns\.yaml: tcp\.maxConnectionsPerClient: 0 must be/);
  assert.match(message({ tcp: { maxUnsentBytes: 1000 } }), /^meshdns\.yaml: tcp\.maxUnsentBytes: 1000 must be/);
});
