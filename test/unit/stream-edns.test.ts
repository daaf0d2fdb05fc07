import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildQuery, encodeOpt, OPT_PADDING } from '../helpers/dns-client.js';
import { askedOptions, EDNS_TCP_KEEPALIVE, withStreamEdns } from '../../server/listeners/stream-edns.js';
import type { MessageHandler } from '../../server/transports.js';

const KEEPALIVE = { code: EDNS_TCP_KEEPALIVE };
const PADDING = { code: OPT_PADDING, data: new Uint8Array(8) };

/** A response: the query's header with QR set and its question, one A record, and an OPT (or what `tail` says). */
function responseTo(query: Buffer, tail: Buffer[] = [encodeOpt({})]): Buffer {
  const questionEnd = query.indexOf(0, 12) + 5;
  const header = Buffer.from(query.subarray(0, 12));
  header[2] = 0x84;
  header.writeUInt16BE(1, 6);
  header.writeUInt16BE(tail.length, 10);
  const a = Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 192, 0, 2, 80]);
  return Buffer.concat([header, query.subarray(12, questionEnd), a, ...tail]);
}

const echoing = (tail?: Buffer[]): MessageHandler => ({ handle: (msg) => responseTo(msg, tail) });

/** The OPT options of a message whose last record is the OPT. */
function optionsOf(msg: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  const optAt = msg.lastIndexOf(Buffer.from([0, 0, 41]));
  const rdlength = msg.readUInt16BE(optAt + 9);
  assert.equal(optAt + 11 + rdlength, msg.length, 'OPT is last and its RDLENGTH covers the options');
  for (let p = optAt + 11; p < msg.length;) {
    const len = msg.readUInt16BE(p + 2);
    out.set(msg.readUInt16BE(p), msg.subarray(p + 4, p + 4 + len));
    p += 4 + len;
  }
  return out;
}

test('which of keepalive and padding a query asks for', () => {
  assert.equal(askedOptions(buildQuery({ qname: 'a.test', qtype: 'A' })), 0);
  assert.equal(askedOptions(buildQuery({ qname: 'a.test', qtype: 'A', edns: {} })), 0);
  assert.equal(askedOptions(buildQuery({ qname: 'a.test', qtype: 'A', edns: { options: [KEEPALIVE] } })), 1);
  assert.equal(askedOptions(buildQuery({ qname: 'a.test', qtype: 'A', edns: { options: [PADDING, KEEPALIVE] } })), 3);
  assert.equal(askedOptions(Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 99])), 0, 'a truncated message asks for nothing');
});

test('keepalive (RFC 7828) carries the idle timeout in units of 100 ms; the answer is otherwise the same', () => {
  const handler = withStreamEdns(echoing(), { keepaliveMs: 10_000, pad: false });
  const q = buildQuery({ qname: 'www.example.test', qtype: 'A', edns: { options: [KEEPALIVE, PADDING] } });
  const plain = responseTo(q);
  const answer = handler.handle(q, 2) as Buffer;
  assert.deepEqual(optionsOf(answer).get(EDNS_TCP_KEEPALIVE), Buffer.from([0, 100]));
  assert.equal(optionsOf(answer).has(OPT_PADDING), false, 'no padding where it is off (TCP)');
  assert.deepEqual(answer.subarray(0, plain.length - 2), plain.subarray(0, plain.length - 2));
});

test('padding (RFC 7830, RFC 8467 §4.1) brings a padded query\'s answer to a multiple of 468 octets', () => {
  const handler = withStreamEdns(echoing(), { keepaliveMs: 10_000, pad: true });
  const padded = handler.handle(buildQuery({ qname: 'www.example.test', qtype: 'A', edns: { options: [PADDING] } }), 4) as Buffer;
  assert.equal(padded.length, 468);
  assert.ok(optionsOf(padded).get(OPT_PADDING)!.every((b) => b === 0), 'padding octets are zero');
  const both = handler.handle(buildQuery({ qname: 'www.example.test', qtype: 'A', edns: { options: [PADDING, KEEPALIVE] } }), 4) as Buffer;
  assert.equal(both.length, 468);
  const unpadded = buildQuery({ qname: 'www.example.test', qtype: 'A', edns: {} });
  assert.deepEqual(handler.handle(unpadded, 4), responseTo(unpadded), 'a query without the option gets none');
});

test('an answer without OPT, or with a record after its OPT (a TSIG signs what precedes it), is left as it is', () => {
  const q = buildQuery({ qname: 'www.example.test', qtype: 'A', edns: { options: [KEEPALIVE, PADDING] } });
  const noOpt = withStreamEdns(echoing([]), { keepaliveMs: 10_000, pad: true });
  assert.deepEqual(noOpt.handle(q, 4), responseTo(q, []));
  const fakeTsig = Buffer.from([0, 0, 250, 0, 255, 0, 0, 0, 0, 0, 0]);
  const signed = withStreamEdns(echoing([encodeOpt({}), fakeTsig]), { keepaliveMs: 10_000, pad: true });
  assert.deepEqual(signed.handle(q, 4), responseTo(q, [encodeOpt({}), fakeTsig]));
});
