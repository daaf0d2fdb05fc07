import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DISK_FULL, MAP_FULL, NEARLY_FULL_BYTES, storageFault } from '../../zones/store/storage-fault.js';

/** An error as lmdb-js throws it: mdb_strerror(rc) as the message, rc as a number in `code`. */
function lmdbError(message: string, code: number | string): Error {
  return Object.assign(new Error(message), { code });
}

const plenty = () => 100 * 1024 * 1024 * 1024;
const none = () => 4096;

test('ENOSPC, by code or message, is a full disk', () => {
  for (const err of [lmdbError('No space left on device', 28), lmdbError('write failed', 'ENOSPC'), new Error('No space left on device')]) {
    const f = storageFault(err, '/var/lib/meshdns', plenty);
    assert.equal(f?.code, 'ENOSPC');
    assert.equal(f.status, 507);
    assert.ok(f.reason.startsWith(DISK_FULL), f.reason);
    assert.match(f.reason, /"\/var\/lib\/meshdns"/);
  }
});

test('MDB_MAP_FULL is the map size, not the disk', () => {
  const f = storageFault(lmdbError('MDB_MAP_FULL: Environment mapsize limit reached', -30792), '/data', plenty);
  assert.equal(f?.code, 'MDB_MAP_FULL');
  assert.ok(f.reason.startsWith(MAP_FULL), f.reason);
});

test('"Input/output error" on a disk with no room left is reported as ENOSPC; with room, as EIO', () => {
  const eio = lmdbError('Input/output error', 5);
  const full = storageFault(eio, '/data', none);
  assert.equal(full?.code, 'ENOSPC');
  assert.ok(full.reason.startsWith(DISK_FULL), full.reason);
  assert.match(full.reason, /4096 bytes free .*Input\/output error/);
  const roomy = storageFault(eio, '/data', plenty);
  assert.equal(roomy?.code, 'EIO');
  assert.equal(roomy.status, 500);
  assert.match(roomy.reason, /I\/O error writing the data directory "\/data" \(EIO\): Input\/output error/);
  assert.equal(storageFault(eio, '/data', () => NEARLY_FULL_BYTES - 1)?.code, 'ENOSPC');
  assert.equal(storageFault(eio, '/data', () => undefined)?.code, 'EIO', 'statfs failing: no guess');
});

test('other errors are not storage faults', () => {
  assert.equal(storageFault(new TypeError('x is undefined'), '/data', none), undefined);
  assert.equal(storageFault('a string', '/data', none), undefined);
  assert.equal(storageFault(lmdbError('MDB_NOTFOUND', -30798), '/data', none), undefined);
});
