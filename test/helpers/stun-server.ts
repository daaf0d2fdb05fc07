import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';

/**
 * A small STUN server (RFC 8489) for tests, on 127.0.0.1 or ::1 only. It encodes its answers itself
 * (not with k8s/agent/stun-message.ts), so a client test checks the codec against a second writer.
 *
 * Modes: `ok` (Binding success with XOR-MAPPED-ADDRESS), `mapped-only` (MAPPED-ADDRESS only, as an
 * RFC 3489 server), `error` (a 400 error response), `garbage` (bytes that are not STUN), `wrong-id`
 * (a success for another transaction), `silent` (reads, never answers).
 */
export type StunServerMode = 'ok' | 'mapped-only' | 'error' | 'garbage' | 'wrong-id' | 'silent';

export interface TestStunServer {
  readonly host: string;
  readonly port: number;
  /** Binding requests received so far. */
  readonly requests: () => number;
  close(): Promise<void>;
}

const COOKIE = Buffer.from([0x21, 0x12, 0xa4, 0x42]);

export interface StunServerOptions {
  readonly host?: '127.0.0.1' | '::1';
  readonly mode?: StunServerMode;
  /** The address to report instead of the one seen (to test an IPv6 address with many groups). */
  readonly report?: { readonly address: string; readonly port: number };
}

export async function startStunServer(options: StunServerOptions = {}): Promise<TestStunServer> {
  const host = options.host ?? '127.0.0.1';
  const mode = options.mode ?? 'ok';
  const socket: Socket = createSocket(host === '::1' ? 'udp6' : 'udp4');
  let requests = 0;
  socket.on('message', (message: Buffer, peer: RemoteInfo) => {
    if (message.length < 20 || message.readUInt16BE(0) !== 0x0001 || !message.subarray(4, 8).equals(COOKIE)) return;
    requests++;
    const transactionId = Buffer.from(message.subarray(8, 20));
    const seen = options.report ?? { address: peer.address, port: peer.port };
    const reply = answer(mode, transactionId, seen);
    if (reply) socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  return {
    host,
    port: socket.address().port,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function answer(mode: StunServerMode, transactionId: Buffer, seen: { address: string; port: number }): Buffer | undefined {
  switch (mode) {
    case 'silent':
      return undefined;
    case 'garbage':
      return Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n');
    case 'error': {
      const reason = Buffer.from('Bad Request'); // 11 bytes, padded to 12
      const value = Buffer.concat([Buffer.from([0, 0, 4, 0]), reason, Buffer.alloc(1)]);
      return message(0x0111, transactionId, attribute(0x0009, value, 4 + reason.length));
    }
    case 'mapped-only':
      return message(0x0101, transactionId, attribute(0x0001, addressValue(seen, undefined)));
    case 'wrong-id': {
      const other = Buffer.from(transactionId.map((byte) => byte ^ 0xff));
      return message(0x0101, other, attribute(0x0020, addressValue(seen, other)));
    }
    case 'ok':
      return message(0x0101, transactionId, attribute(0x0020, addressValue(seen, transactionId)));
  }
}

function message(type: number, transactionId: Buffer, body: Buffer): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(body.length, 2);
  COOKIE.copy(header, 4);
  transactionId.copy(header, 8);
  return Buffer.concat([header, body]);
}

function attribute(type: number, paddedValue: Buffer, length = paddedValue.length): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(length, 2);
  return Buffer.concat([header, paddedValue]);
}

/** (XOR-)MAPPED-ADDRESS value; XORed with the cookie (and transaction id for IPv6) when one is given. */
function addressValue(seen: { address: string; port: number }, xorTransactionId: Buffer | undefined): Buffer {
  const v4 = isIPv4(seen.address);
  const bytes = v4 ? Buffer.from(seen.address.split('.').map(Number)) : ipv6Bytes(seen.address);
  const value = Buffer.alloc(4 + bytes.length);
  value[1] = v4 ? 0x01 : 0x02;
  let port = seen.port;
  if (xorTransactionId) {
    port ^= 0x2112;
    const key = Buffer.concat([COOKIE, xorTransactionId]);
    for (let i = 0; i < bytes.length; i++) bytes[i] = bytes[i]! ^ key[i]!;
  }
  value.writeUInt16BE(port, 2);
  bytes.copy(value, 4);
  return value;
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  const bytes = Buffer.alloc(16);
  groups.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
  return bytes;
}
