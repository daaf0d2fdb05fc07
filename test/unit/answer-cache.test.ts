import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnswerCache } from '../../server/query/answer-cache.js';
import type { ServedZone, ZoneTable } from '../../server/zone-table.js';

/** A query for `name` (wire form built from dotted text) and a pretend answer that echoes it. */
function message(name: string, id: number): { query: Buffer; answer: Buffer; qnameEnd: number; questionEnd: number; hash: number } {
  const labels = name.split('.').filter((l) => l !== '');
  const qname = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
  const question = Buffer.concat([qname, Buffer.from([0, 1, 0, 1])]);
  const query = Buffer.concat([Buffer.from([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), question]);
  const answer = Buffer.concat([Buffer.from([0, 0, 0x84, 0, 0, 1, 0, 1, 0, 0, 0, 0]), question, Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, id & 255])]);
  let hash = 0;
  for (const b of question) hash = Math.imul(hash ^ (b | 0x20), 0x01000193);
  return { query, answer, qnameEnd: 12 + qname.length, questionEnd: 12 + question.length, hash: hash >>> 0 };
}

/** Stores twice: the first miss of a question only marks it seen (the doorkeeper). */
function admit(cache: AnswerCache, m: ReturnType<typeof message>, zone?: ServedZone): void {
  for (let i = 0; i < 2; i++) cache.store(m.hash, m.questionEnd, m.qnameEnd, 0, 1232, m.answer, zone);
}

test('answer cache: a question is kept from its second miss on; one-off questions are never stored', () => {
  const cache = new AnswerCache({ generation: 1 } as ZoneTable, 10);
  const m = message('www.example.test', 7);
  cache.store(m.hash, m.questionEnd, m.qnameEnd, 0, 1232, m.answer, undefined);
  assert.equal(cache.lookup(m.query, m.hash, m.questionEnd, m.qnameEnd, 0, 1232), undefined);
  assert.equal(cache.size, 0);
  cache.store(m.hash, m.questionEnd, m.qnameEnd, 0, 1232, m.answer, undefined);
  assert.ok(cache.lookup(m.query, m.hash, m.questionEnd, m.qnameEnd, 0, 1232));
  for (let i = 0; i < 1000; i++) {
    const once = message(`once${i}.test`, i);
    cache.store(once.hash, once.questionEnd, once.qnameEnd, 0, 1232, once.answer, undefined);
  }
  assert.equal(cache.size, 1, 'a flood of one-off questions evicts nothing');
  assert.ok(cache.lookup(m.query, m.hash, m.questionEnd, m.qnameEnd, 0, 1232));
});

test('answer cache: a hit patches ID and qname case; stale zone or table generations miss', () => {
  const table = { generation: 1 } as ZoneTable;
  const zone = { generation: 5 } as ServedZone;
  const cache = new AnswerCache(table, 10);
  const m = message('www.example.test', 7);
  admit(cache, m, zone);
  const asked = message('WwW.Example.TEST', 0x1234);
  const hit = cache.lookup(asked.query, m.hash, m.questionEnd, m.qnameEnd, 0, 1232)!;
  assert.equal(hit.readUInt16BE(0), 0x1234);
  assert.equal(hit.subarray(12, m.qnameEnd).toString('latin1'), asked.query.subarray(12, m.qnameEnd).toString('latin1'));
  assert.deepEqual(hit.subarray(m.qnameEnd), m.answer.subarray(m.qnameEnd));
  assert.equal(cache.lookup(asked.query, m.hash, m.questionEnd, m.qnameEnd, 1, 1232), undefined, 'another variant');
  assert.equal(cache.lookup(asked.query, m.hash, m.questionEnd, m.qnameEnd, 0, 512), undefined, 'another payload');
  const other = message('xxx.example.test', 1);
  assert.equal(cache.lookup(other.query, m.hash, m.questionEnd, m.qnameEnd, 0, 1232), undefined, 'a hash collision is caught by the question compare');
  zone.generation = 6;
  assert.equal(cache.lookup(asked.query, m.hash, m.questionEnd, m.qnameEnd, 0, 1232), undefined, 'the zone changed');
  cache.store(m.hash, m.questionEnd, m.qnameEnd, 0, 1232, m.answer, zone);
  assert.ok(cache.lookup(asked.query, m.hash, m.questionEnd, m.qnameEnd, 0, 1232));
  table.generation = 2;
  assert.equal(cache.lookup(asked.query, m.hash, m.questionEnd, m.qnameEnd, 0, 1232), undefined, 'zones were added or removed');
  assert.equal(new AnswerCache(table, 0).lookup(asked.query, m.hash, m.questionEnd, m.qnameEnd, 0, 1232), undefined);
});

test('answer cache: CLOCK eviction keeps answers that are asked for, and never exceeds its capacity', () => {
  const table = { generation: 1 } as ZoneTable;
  const cache = new AnswerCache(table, 100);
  const hot = Array.from({ length: 50 }, (_, i) => message(`hot${i}.test`, i));
  for (const h of hot) admit(cache, h);
  for (let round = 0; round < 20; round++) {
    for (const h of hot) assert.ok(cache.lookup(h.query, h.hash, h.questionEnd, h.qnameEnd, 0, 1232), `hot${round}`);
    for (let i = 0; i < 45; i++) {
      admit(cache, message(`cold${round}-${i}.test`, i));
    }
    assert.ok(cache.size <= 100);
  }
  assert.equal(cache.size, 100);
  const stillThere = hot.filter((h) => cache.lookup(h.query, h.hash, h.questionEnd, h.qnameEnd, 0, 1232)).length;
  assert.equal(stillThere, 50, 'every answer hit since the last sweep survived a flood of one-off answers');
  cache.clear();
  assert.equal(cache.size, 0);
  assert.equal(cache.lookup(hot[0]!.query, hot[0]!.hash, hot[0]!.questionEnd, hot[0]!.qnameEnd, 0, 1232), undefined);
});
