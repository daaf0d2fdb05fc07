import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import tls from 'node:tls';
import type { RunningMeshdns } from './meshdns.js';
import { requireTool } from './tools.js';

/** The port of the server's DoT listener, from its `listening` log line. */
export async function tlsPortOf(server: RunningMeshdns): Promise<number> {
  const line = await server.waitForLog((e) => e['msg'] === 'listening' && e['proto'] === 'tls');
  return line['port'] as number;
}

/** The pin the server logged at start. */
export async function pinOf(server: RunningMeshdns): Promise<string> {
  const line = await server.waitForLog((e) => e['msg'] === 'tls certificate');
  return line['pin'] as string;
}

export interface TestPki {
  caCert: string;
  /** A certificate for `dns.test` (and 127.0.0.1) signed by the CA, and its key. */
  cert: string;
  key: string;
}

/** A throw-away CA and a server certificate it signed (openssl), with ECDSA P-256 keys. */
export function makePki(dir: string, name = 'server', host = 'dns.test'): TestPki {
  requireTool('openssl', 'openssl');
  const ossl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.pem');
  try {
    execFileSync('test', ['-e', caCert]);
  } catch {
    ossl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', caKey, '-out', caCert, '-days', '30', '-subj', '/CN=meshdns test CA']);
  }
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  execFileSync('sh', ['-c', `printf 'subjectAltName=DNS:${host},IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > '${ext}'`]);
  ossl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${host}`]);
  ossl(['x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '30', '-extfile', ext]);
  return { caCert, cert, key };
}

/** A DoT connection that sends length-framed messages and reads framed answers in order. */
export class DotClient {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: ((msg: Buffer | null) => void)[] = [];
  closed = false;
  /** The last session (ticket) the server gave, for resumption. */
  lastSession: Buffer | undefined;

  private constructor(readonly socket: tls.TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 2 && this.buffered.length >= 2 + this.buffered.readUInt16BE(0)) {
        const msg = this.buffered.subarray(2, 2 + this.buffered.readUInt16BE(0));
        this.buffered = this.buffered.subarray(2 + msg.length);
        this.waiting.shift()?.(Buffer.from(msg));
      }
    });
    const closed = () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w(null);
    };
    socket.on('close', closed);
    socket.on('error', closed);
  }

  static connect(port: number, options: tls.ConnectionOptions = {}): Promise<DotClient> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['dot'], ...options });
      // (TLS 1.2 hands the ticket over during the handshake, before 'secureConnect')
      let early: Buffer | undefined;
      const keep = (s: Buffer) => (early = s);
      socket.on('session', keep);
      socket.once('secureConnect', () => {
        const client = new DotClient(socket);
        client.lastSession = early;
        socket.off('session', keep);
        socket.on('session', (s: Buffer) => (client.lastSession = s));
        resolve(client);
      });
      socket.once('error', reject);
    });
  }

  /** Sends one message and resolves with its answer (null when the connection closed first). */
  query(packet: Uint8Array): Promise<Buffer | null> {
    if (this.closed) return Promise.resolve(null);
    const frame = Buffer.alloc(2);
    frame.writeUInt16BE(packet.length);
    this.socket.write(Buffer.concat([frame, packet]));
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Resolves when the server closes the connection. */
  whenClosed(): Promise<void> {
    return this.closed ? Promise.resolve() : new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  close(): void {
    this.socket.destroy();
  }
}
