import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextSerial, serialAdd, serialLessThan } from '../../zones/serial.js';

test('RFC 1982 comparison and addition wrap at 2^32', () => {
  assert.ok(serialLessThan(1, 2));
  assert.ok(serialLessThan(0xffffffff, 0), '2^32-1 < 0 after the wrap');
  assert.ok(!serialLessThan(0, 0xffffffff));
  assert.ok(serialLessThan(0x7ffffffe, 0xfffffffd), 'just under 2^31 apart: still less');
  assert.ok(!serialLessThan(5, 5));
  assert.equal(serialAdd(0xffffffff, 2), 1);
});

test('serial policies always move forward', () => {
  const now = new Date(Date.UTC(2026, 10, 22, 12, 0, 0));
  assert.equal(nextSerial(41, 'increment', now), 42);
  assert.equal(nextSerial(0xffffffff, 'increment', now), 0, 'increment wraps');
  const unix = Math.floor(now.getTime() / 1000);
  assert.equal(nextSerial(1000, 'unixtime', now), unix);
  assert.equal(nextSerial(unix + 50, 'unixtime', now), unix + 51, 'a serial ahead of the clock is incremented');
  assert.equal(nextSerial(2026112105, 'dateserial', now), 2026112200, 'a new day starts at NN = 00');
  assert.equal(nextSerial(2026112200, 'dateserial', now), 2026112201, 'the same day counts up');
  assert.equal(nextSerial(2026112299, 'dateserial', now), 2026112300, 'past 99 it borrows the next day, like BIND');
  assert.equal(nextSerial(5, 'dateserial', now), 2026112200);
});
