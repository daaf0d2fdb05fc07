import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  keyIsSubdomain, keyLabelCount, keyToName, nameToKey, nameToText, parentKey, parseName, NameError,
} from '../../zones/name.js';

test('parseName: absolute, relative, @, escapes', () => {
  const origin = parseName('example.test.');
  assert.deepEqual([...parseName('www', origin)], [3, 119, 119, 119, 7, ...Buffer.from('example'), 4, ...Buffer.from('test'), 0]);
  assert.equal(nameToText(parseName('@', origin)), 'example.test.');
  assert.equal(nameToText(parseName('a\\.b.test.')), 'a\\.b.test.');
  assert.equal(nameToText(parseName('\\065bc.test.')), 'Abc.test.');
  assert.equal(nameToText(parseName('.')), '.');
  assert.equal(nameToText(parseName('sp\\032ace.test.')), 'sp\\032ace.test.');
});

test('parseName: errors name the value and the reason', () => {
  assert.throws(() => parseName('a..b.'), (e: unknown) => e instanceof NameError && /empty label/.test(e.message));
  assert.throws(() => parseName(`${'a'.repeat(64)}.`), /64 octets, above 63/);
  assert.throws(() => parseName(`${'a.'.repeat(128)}`), /above 255/);
  assert.throws(() => parseName('www'), /without an origin/);
  assert.throws(() => parseName('\\999.test.'), /above 255/);
});

test('canonical key: reversed lowercased labels with terminators', () => {
  assert.equal(nameToKey(parseName('www.Example.com.')).toString('latin1'), 'com\0example\0www\0');
  assert.equal(nameToKey(parseName('.')).length, 0);
  assert.equal(nameToText(keyToName(nameToKey(parseName('A.b.C.')))), 'a.b.c.');
  const k = nameToKey(parseName('x.y.z.'));
  assert.equal(Buffer.from(parentKey(k)!).toString('latin1'), 'z\0y\0');
  assert.equal(keyLabelCount(k), 3);
  assert.ok(keyIsSubdomain(k, nameToKey(parseName('y.z.'))));
  assert.ok(!keyIsSubdomain(nameToKey(parseName('xy.z.')), nameToKey(parseName('y.z.'))));
});

/** RFC 4034 §6.1 canonical order, written the obvious way, to check the key order against. */
function canonicalCompare(a: Uint8Array, b: Uint8Array): number {
  const labels = (n: Uint8Array) => {
    const out: number[][] = [];
    for (let p = 0; n[p]! !== 0; p += n[p]! + 1) out.push([...n.subarray(p + 1, p + 1 + n[p]!)].map((c) => (c >= 65 && c <= 90 ? c + 32 : c)));
    return out.reverse();
  };
  const la = labels(a);
  const lb = labels(b);
  for (let i = 0; i < Math.min(la.length, lb.length); i++) {
    const x = la[i]!;
    const y = lb[i]!;
    for (let j = 0; j < Math.min(x.length, y.length); j++) if (x[j] !== y[j]) return x[j]! - y[j]!;
    if (x.length !== y.length) return x.length - y.length;
  }
  return la.length - lb.length;
}

test('property: byte order of keys is DNSSEC canonical order, keys round-trip', () => {
  const label = fc.uint8Array({ minLength: 1, maxLength: 6 }).map((bytes) => bytes.map((b) => [0, 1, 2, 0x41, 0x61, 0x5a, 0x7a, 0xff][b % 8]!));
  const name = fc.array(label, { minLength: 0, maxLength: 4 }).map((ls) => {
    const out: number[] = [];
    for (const l of ls) out.push(l.length, ...l);
    out.push(0);
    return Uint8Array.from(out);
  });
  fc.assert(
    fc.property(name, name, (a, b) => {
      const byKey = Math.sign(Buffer.compare(nameToKey(a), nameToKey(b)));
      assert.equal(byKey, Math.sign(canonicalCompare(a, b)));
      const lowered = Uint8Array.from(a, (c) => c);
      assert.equal(Buffer.compare(nameToKey(keyToName(nameToKey(a))), nameToKey(lowered)), 0);
    }),
    { numRuns: 2000 },
  );
});

test('nameToText escapes as Knot prints: punctuation as \c, # and non-printables as \DDD, - _ * / as they are', () => {
  const wire = Uint8Array.from([12, ...Buffer.from('{%,&#-_*/a~ '), 0]);
  assert.equal(nameToText(wire), '\\{\\%\\,\\&\\035-_*/a\\~\\032.');
  assert.equal(nameToText(parseName(nameToText(wire))), nameToText(wire), 'reads back to the same name');
  assert.deepEqual(parseName(nameToText(wire)), wire);
});
