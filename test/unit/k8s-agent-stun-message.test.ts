import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeResponse, encodeBindingRequest, MAGIC_COOKIE, newTransactionId } from '../../k8s/agent/stun-message.js';
import { parseStunServer } from '../../k8s/agent/stun.js';

// RFC 5769 §2.2 and §2.3: the sample IPv4 and IPv6 Binding responses (SOFTWARE, XOR-MAPPED-ADDRESS,
// MESSAGE-INTEGRITY, FINGERPRINT), byte for byte.
const RFC5769_IPV4 = Buffer.from(
  '0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220002000080001a147e112a643' +
    '000800142b91f599fd9e90c38c7489f92af9ba53f06be7d780280004c07d4c96',
  'hex',
);
const RFC5769_IPV6 = Buffer.from(
  '010100482112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220002000140002a1470113a9fa' +
    'a5d3f179bc25f4b5bed2b9d900080014a382954e4be67bf11784c97c8292c275bfe3ed4180280004c8fb0b4c',
  'hex',
);
const SAMPLE_ID = Buffer.from('b7e7a701bc34d686fa87dfae', 'hex');

function response(type: number, id: Buffer, attributes: Buffer): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(attributes.length, 2);
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  id.copy(header, 8);
  return Buffer.concat([header, attributes]);
}

describe('k8s agent: STUN messages (RFC 8489)', () => {
  it('a Binding request is a 20-byte header: type 0x0001, length 0, the magic cookie, the transaction id', () => {
    const id = newTransactionId();
    const request = encodeBindingRequest(id);
    assert.equal(request.length, 20);
    assert.equal(request.readUInt16BE(0), 0x0001);
    assert.equal(request.readUInt16BE(2), 0);
    assert.equal(request.readUInt32BE(4), 0x2112a442);
    assert.ok(request.subarray(8).equals(id));
    assert.notDeepEqual(newTransactionId(), id);
    assert.throws(() => encodeBindingRequest(Buffer.alloc(16)), RangeError);
  });

  it('decodes the RFC 5769 IPv4 sample response', () => {
    const decoded = decodeResponse(RFC5769_IPV4);
    assert.equal(decoded.kind, 'success');
    assert.ok(decoded.transactionId?.equals(SAMPLE_ID));
    assert.deepEqual(decoded.kind === 'success' && decoded.mapped, { family: 4, address: '192.0.2.1', port: 32853 });
  });

  it('decodes the RFC 5769 IPv6 sample response', () => {
    const decoded = decodeResponse(RFC5769_IPV6);
    assert.deepEqual(decoded.kind === 'success' && decoded.mapped, {
      family: 6,
      address: '2001:db8:1234:5678:11:2233:4455:6677',
      port: 32853,
    });
  });

  it('falls back to MAPPED-ADDRESS, and prefers XOR-MAPPED-ADDRESS when both are there', () => {
    const plain = Buffer.from('000100080001d43127000001', 'hex'); // 39.0.0.1:54321, not XORed
    const decoded = decodeResponse(response(0x0101, SAMPLE_ID, plain));
    assert.deepEqual(decoded.kind === 'success' && decoded.mapped, { family: 4, address: '39.0.0.1', port: 54321 });
    const xored = RFC5769_IPV4.subarray(36, 48); // the sample's XOR-MAPPED-ADDRESS (192.0.2.1)
    const both = decodeResponse(response(0x0101, SAMPLE_ID, Buffer.concat([plain, xored])));
    assert.equal(both.kind === 'success' && both.mapped.address, '192.0.2.1');
  });

  it('compresses IPv6 as RFC 5952 says (longest zero run, lowercase)', () => {
    const value = Buffer.alloc(20);
    value[1] = 2;
    value.writeUInt16BE(53, 2);
    Buffer.from('20010db8000000010000000000000001', 'hex').copy(value, 4);
    const attribute = Buffer.concat([Buffer.from('00010014', 'hex'), value]);
    const decoded = decodeResponse(response(0x0101, SAMPLE_ID, attribute));
    assert.equal(decoded.kind === 'success' && decoded.mapped.address, '2001:db8:0:1::1');
  });

  it('reads an error response: code and reason', () => {
    const errorCode = Buffer.concat([Buffer.from('0009000f00000400', 'hex'), Buffer.from('Bad Request\0')]);
    const decoded = decodeResponse(response(0x0111, SAMPLE_ID, errorCode));
    assert.equal(decoded.kind, 'error');
    assert.equal(decoded.kind === 'error' && decoded.code, 400);
    assert.equal(decoded.kind === 'error' && decoded.reason, 'Bad Request');
  });

  const invalid: [string, Buffer, RegExp][] = [
    ['a short datagram', Buffer.alloc(10), /shorter than a STUN header/],
    ['text', Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'), /leading bits|magic cookie|length/],
    ['no magic cookie (RFC 3489 style)', Buffer.concat([Buffer.from('01010000', 'hex'), Buffer.alloc(16)]), /magic cookie/],
    ['a length that is not the datagram', Buffer.concat([RFC5769_IPV4, Buffer.alloc(4)]), /does not match/],
    ['a request, not a response', encodeBindingRequest(SAMPLE_ID), /not a Binding response/],
    ['an attribute running past the end', response(0x0101, SAMPLE_ID, Buffer.from('0020004000010000', 'hex')), /past the message end/],
    ['a success without an address', response(0x0101, SAMPLE_ID, Buffer.alloc(0)), /no \(XOR-\)MAPPED-ADDRESS/],
    ['an unknown family', response(0x0101, SAMPLE_ID, Buffer.from('002000080003000001020304', 'hex')), /unknown address family 3/],
    ['an IPv4 family with IPv6 length', response(0x0101, SAMPLE_ID, Buffer.concat([Buffer.from('0020001400010000', 'hex'), Buffer.alloc(16)])), /20 bytes for family 1/],
    ['a FINGERPRINT that does not match', Buffer.concat([RFC5769_IPV4.subarray(0, 79), Buffer.from([0x97])]), /FINGERPRINT does not match/],
    ['a changed byte under a FINGERPRINT', Buffer.from(RFC5769_IPV4.map((byte, i) => (i === 42 ? byte ^ 1 : byte))), /FINGERPRINT does not match/],
    ['an error without ERROR-CODE', response(0x0111, SAMPLE_ID, Buffer.alloc(0)), /without ERROR-CODE/],
  ];
  for (const [what, datagram, problem] of invalid) {
    it(`refuses ${what} as data, without throwing`, () => {
      const decoded = decodeResponse(datagram);
      assert.equal(decoded.kind, 'invalid');
      assert.match(decoded.kind === 'invalid' ? decoded.problem : '', problem);
    });
  }

  it('parses STUN server addresses, with 3478 as the default port', () => {
    assert.deepEqual(parseStunServer('stun.example.net'), { host: 'stun.example.net', port: 3478 });
    assert.deepEqual(parseStunServer('stun:stun.example.net:19302'), { host: 'stun.example.net', port: 19302 });
    assert.deepEqual(parseStunServer('192.0.2.1:3479'), { host: '192.0.2.1', port: 3479 });
    assert.deepEqual(parseStunServer('[2001:db8::1]:3479'), { host: '2001:db8::1', port: 3479 });
    assert.deepEqual(parseStunServer('2001:db8::1'), { host: '2001:db8::1', port: 3478 });
    assert.throws(() => parseStunServer('host:99999'), /not a STUN server address: "host:99999"/);
    assert.throws(() => parseStunServer(''), TypeError);
  });
});
