// The router's classification table (server/router/classify.ts): opcode first, then the question,
// and what the pipeline answers for each class, in-process through QueryPipeline.handle.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { buildQuery, type QuerySpec } from '../helpers/dns-client.js';
import { withEmptyZone } from '../helpers/temp-store.js';
import { newParsedQuery } from '../../server/message/question.js';
import { Rcode } from '../../server/message/rcode.js';
import { classify, MESSAGE_CLASS_NAMES } from '../../server/router/classify.js';
import { QueryPipeline } from '../../server/router/pipeline.js';
import { Transport } from '../../server/transports.js';
import { ZoneTable } from '../../server/zone-table.js';

const q = (spec: Partial<QuerySpec>): Buffer => buildQuery({ qname: 'example.test', qtype: 'SOA', ...spec });

/** The message with QDCOUNT 0 and its question cut out (what a DSO message looks like, RFC 8490 §5.4). */
function withoutQuestion(msg: Buffer, questionLength = 'example.test'.length + 2 + 4): Buffer {
  const out = Buffer.concat([msg.subarray(0, 12), msg.subarray(12 + questionLength)]);
  out.writeUInt16BE(0, 4);
  return out;
}

function setCount(msg: Buffer, offset: number, value: number): Buffer {
  const out = Buffer.from(msg);
  out.writeUInt16BE(value, offset);
  return out;
}

const CASES: [string, Buffer, string][] = [
  ['query', q({ qtype: 'A' }), 'query'],
  ['query for SOA', q({}), 'query'],
  ['AXFR', q({ qtype: 'AXFR' }), 'axfr'],
  ['IXFR', q({ qtype: 'IXFR' }), 'ixfr'],
  ['NOTIFY', q({ opcode: 4 }), 'notify'],
  ['UPDATE', q({ opcode: 5 }), 'update'],
  ['UPDATE whose zone section is not SOA (the router answers FORMERR, RFC 2136 §3.1.1)', q({ opcode: 5, qtype: 'A' }), 'update'],
  ['IQUERY', q({ opcode: 1 }), 'other-opcode'],
  ['STATUS', q({ opcode: 2 }), 'other-opcode'],
  ['DSO with a question', q({ opcode: 6 }), 'other-opcode'],
  ['DSO without a question', withoutQuestion(q({ opcode: 6 })), 'other-opcode'],
  ['DSO without a question, with OPT', withoutQuestion(q({ opcode: 6, edns: {} })), 'other-opcode'],
  ['opcode 15 without a question', withoutQuestion(q({ opcode: 15 })), 'other-opcode'],
  ['DSO without a question, EDNS version 1', withoutQuestion(q({ opcode: 6, edns: { version: 1 } })), 'badvers'],
  ['DSO with two questions', setCount(Buffer.concat([q({ opcode: 6 }), q({}).subarray(12)]), 4, 2), 'formerr'],
  ['DSO with a truncated question', q({ opcode: 6 }).subarray(0, 16), 'formerr'],
  ['query without a question', withoutQuestion(q({})), 'formerr'],
  ['NOTIFY without a question', withoutQuestion(q({ opcode: 4 })), 'formerr'],
  ['UPDATE without a question', withoutQuestion(q({ opcode: 5 })), 'formerr'],
  ['query with trailing garbage', Buffer.concat([q({}), Buffer.from([1, 2, 3])]), 'formerr'],
  ['query with EDNS version 1', q({ edns: { version: 1 } }), 'badvers'],
  ['a response', q({ qr: true }), 'drop'],
  ['a DSO response', withoutQuestion(q({ opcode: 6, qr: true })), 'drop'],
  ['11 octets', q({}).subarray(0, 11), 'drop'],
];

for (const [name, msg, expected] of CASES) {
  test(`classify: ${name} → ${expected}`, () => {
    assert.equal(MESSAGE_CLASS_NAMES[classify(msg, newParsedQuery())], expected);
  });
}

/** [name, message, rcode, question echoed] as the pipeline answers, with no zone data needed. */
const ANSWERS: [string, Buffer, number, boolean][] = [
  ['DSO without a question: NOTIMP (knotd agrees)', withoutQuestion(q({ opcode: 6 })), Rcode.NOTIMP, false],
  ['DSO with a question: NOTIMP', q({ opcode: 6 }), Rcode.NOTIMP, true],
  ['opcode 9 without a question: NOTIMP', withoutQuestion(q({ opcode: 9 })), Rcode.NOTIMP, false],
  ['query without a question: FORMERR', withoutQuestion(q({})), Rcode.FORMERR, false],
  ['NOTIFY for a zone that is not a secondary: NOTAUTH', q({ opcode: 4 }), Rcode.NOTAUTH, true],
  ['UPDATE whose zone section is not SOA: FORMERR', q({ opcode: 5, qtype: 'A' }), Rcode.FORMERR, true],
  ['AXFR of a zone not served: NOTAUTH', q({ qname: 'elsewhere.test', qtype: 'AXFR' }), Rcode.NOTAUTH, true],
  ['query outside every zone: REFUSED', q({ qname: 'elsewhere.test', qtype: 'A' }), Rcode.REFUSED, true],
];

test('the pipeline answers each class from its module (in-process, UDP)', async () => {
  await withEmptyZone('example.test.', (_writer, store) => {
    const pipeline = new QueryPipeline(store, new ZoneTable(store), pino({ level: 'silent' }), {
      maxUdpPayload: 1232, nsid: undefined, answerCacheSize: 100,
    });
    for (const [name, msg, rcode, echoed] of ANSWERS) {
      const answer = pipeline.handle(msg, Transport.UDP4, '192.0.2.1');
      assert.ok(answer instanceof Uint8Array, name);
      assert.equal(answer[3]! & 0x0f, rcode, name);
      assert.equal(answer.readUInt16BE(4), echoed ? 1 : 0, `${name}: QDCOUNT`);
      assert.equal((answer[2]! >> 3) & 0x0f, (msg[2]! >> 3) & 0x0f, `${name}: opcode echoed`);
      assert.equal(answer.readUInt16BE(0), msg.readUInt16BE(0), `${name}: ID echoed`);
    }
    assert.equal(pipeline.handle(q({ qr: true }), Transport.UDP4), undefined, 'a response is never answered');
  });
});

test('a DSO message without a question and EDNS version 1 gets BADVERS with no question (knotd agrees)', async () => {
  await withEmptyZone('example.test.', (_writer, store) => {
    const pipeline = new QueryPipeline(store, new ZoneTable(store), pino({ level: 'silent' }), {
      maxUdpPayload: 1232, nsid: undefined, answerCacheSize: 100,
    });
    const answer = pipeline.handle(withoutQuestion(q({ opcode: 6, edns: { version: 1 } })), Transport.UDP4) as Buffer;
    assert.equal(answer[3]! & 0x0f, 0);
    assert.equal(answer.readUInt16BE(4), 0, 'QDCOUNT');
    assert.equal(answer.readUInt16BE(10), 1, 'ARCOUNT');
    assert.equal(answer.length, 12 + 11);
    assert.equal(answer[12 + 5], 1, 'extended rcode 16 >> 4 (BADVERS)');
  });
});

test('an OPT in a DSO message without a question is echoed in the NOTIMP (RFC 6891 §7)', async () => {
  await withEmptyZone('example.test.', (_writer, store) => {
    const pipeline = new QueryPipeline(store, new ZoneTable(store), pino({ level: 'silent' }), {
      maxUdpPayload: 1232, nsid: undefined, answerCacheSize: 100,
    });
    const answer = pipeline.handle(withoutQuestion(q({ opcode: 6, edns: {} })), Transport.TCP6) as Buffer;
    assert.equal(answer[3]! & 0x0f, Rcode.NOTIMP);
    assert.equal(answer.readUInt16BE(10), 1);
    assert.equal(answer.length, 12 + 11);
  });
});
