// Listeners started per listen entry from its transports (server/listeners/dns-listeners.ts), and
// the query log as a pipeline stage swapped through its holder.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { buildQuery } from '../helpers/dns-client.js';
import { withEmptyZone } from '../helpers/temp-store.js';
import { Holder } from '../../server/holder.js';
import type { ListenAddress, ListenTransport } from '../../server/listen-address.js';
import { DnsListeners } from '../../server/listeners/dns-listeners.js';
import { QueryLog } from '../../server/metrics/query-log.js';
import { QueryPipeline } from '../../server/router/pipeline.js';
import { Transport, type MessageHandler, type TransportId } from '../../server/transports.js';
import { ZoneTable } from '../../server/zone-table.js';

const silent = pino({ level: 'silent' });
const OPTIONS = { udp: { batching: false }, tcp: { idleTimeoutMs: 2000, maxConnections: 10 } };

/** Answers every message with its first two octets, and notes the transport it came by. */
function recorder(): MessageHandler & { transports: TransportId[] } {
  const transports: TransportId[] = [];
  return { transports, handle: (msg, transport) => (transports.push(transport), Buffer.from(msg.subarray(0, 2))) };
}

const entry = (transports: ListenTransport[]): ListenAddress => ({ host: '127.0.0.1', port: 0, family: 4, text: '127.0.0.1:0', transports });

async function askUdp(port: number): Promise<Buffer> {
  const socket = dgram.createSocket('udp4');
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      socket.once('message', resolve);
      socket.once('error', reject);
      socket.send(Buffer.from([0xab, 0xcd, 0]), port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

async function askTcp(port: number): Promise<Buffer> {
  const socket = net.connect(port, '127.0.0.1');
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      socket.once('data', (data) => resolve(data.subarray(2)));
      socket.once('error', reject);
      socket.write(Buffer.from([0, 3, 0x12, 0x34, 0]));
    });
  } finally {
    socket.destroy();
  }
}

test('UDP and TCP on port 0 share the kernel-chosen port', async () => {
  const handler = recorder();
  const listeners = await DnsListeners.start([entry(['udp', 'tcp'])], handler, OPTIONS, silent);
  try {
    const [bound] = listeners.addresses;
    assert.ok(bound && bound.port > 0);
    assert.deepEqual([...await askUdp(bound.port)], [0xab, 0xcd]);
    assert.deepEqual([...await askTcp(bound.port)], [0x12, 0x34]);
    assert.deepEqual(handler.transports, [Transport.UDP4, Transport.TCP4]);
  } finally {
    await listeners.close();
  }
});

test('an entry runs only the transports it names', async () => {
  const handler = recorder();
  const listeners = await DnsListeners.start([entry(['tcp']), entry(['udp'])], handler, OPTIONS, silent);
  try {
    const [tcpOnly, udpOnly] = listeners.addresses;
    assert.deepEqual([...await askTcp(tcpOnly!.port)], [0x12, 0x34]);
    assert.deepEqual([...await askUdp(udpOnly!.port)], [0xab, 0xcd]);
    assert.deepEqual(listeners.udpCounters(), { answersDropped: 0, receiveErrors: 0 });
  } finally {
    await listeners.close();
  }
});

test('the query log is a stage the pipeline calls while its holder has one', async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } });
  const log = pino({ level: 'info' }, sink);
  await withEmptyZone('example.test.', async (_writer, store) => {
    const queryLog = new Holder<QueryLog | undefined>(new QueryLog(1, log));
    const pipeline = new QueryPipeline(store, new ZoneTable(store), silent, { maxUdpPayload: 1232, nsid: undefined, answerCacheSize: 10 }, { queryLog });
    const msg = buildQuery({ qname: 'www.example.test', qtype: 'A' });
    pipeline.handle(msg, Transport.TCP6, () => '2001:db8::1');
    queryLog.value = undefined;
    pipeline.handle(msg, Transport.UDP4, '192.0.2.1');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(lines.length, 1);
    assert.deepEqual(lines[0]!['query'], { transport: 'tcp6', size: msg.length, client: '2001:db8::1', id: 0x1234, name: 'www.example.test.', type: 'A', rcode: 5, responseSize: 34 }); // (REFUSED: the zone has no data yet)
  });
});
