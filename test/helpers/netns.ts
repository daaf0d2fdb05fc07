import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection, createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { captureOutput, stopGroup } from './peer-process.js';

const BRIDGE = fileURLToPath(new URL('./tcp-unix-bridge.js', import.meta.url));

/** `ip ARGS`, its outcome (the caller decides whether a failure matters). */
export function ip(...args: string[]): { ok: boolean; stderr: string } {
  const run = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  return { ok: run.status === 0, stderr: run.stderr };
}

export function mustIp(...args: string[]): void {
  const run = ip(...args);
  if (!run.ok) throw new Error(`ip ${args.join(' ')}: ${run.stderr.trim()}`);
}

/** A network namespace made by a test (needs root, as the interface test does), with its loopback up. */
export class TestNamespace {
  private readonly bridges: { server: Server; child: ChildProcess }[] = [];

  constructor(readonly name: string) {
    mustIp('netns', 'add', name);
    mustIp('-n', name, 'link', 'set', 'lo', 'up');
  }

  /** A dummy interface, up (a veth pair where the kernel has no dummy driver, as in some containers). */
  addInterface(device: string): void {
    if (!ip('-n', this.name, 'link', 'add', device, 'type', 'dummy').ok) {
      mustIp('-n', this.name, 'link', 'add', device, 'type', 'veth', 'peer', 'name', `${device}p`);
      mustIp('-n', this.name, 'link', 'set', `${device}p`, 'up');
    }
    mustIp('-n', this.name, 'link', 'set', device, 'up');
  }

  /** Adds or removes ADDRESS/LENGTH; IPv6 without duplicate address detection, so it is never tentative when read. */
  address(change: 'add' | 'del', cidr: string, device: string): void {
    mustIp('-n', this.name, 'address', change, cidr, 'dev', device, ...(change === 'add' && cidr.includes(':') ? ['nodad'] : []));
  }

  /** Makes the host's 127.0.0.1:port reachable at 127.0.0.1:port inside the namespace. */
  async bridgeLoopbackPort(port: number, socketPath: string): Promise<void> {
    const server = createServer((inside) => {
      const outside = createConnection(port, '127.0.0.1');
      inside.pipe(outside).pipe(inside);
      const close = () => {
        inside.destroy();
        outside.destroy();
      };
      inside.on('error', close);
      outside.on('error', close);
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    const child = this.spawn(process.execPath, [BRIDGE, String(port), socketPath]);
    this.bridges.push({ server, child });
    await captureOutput(child).waitFor(/^listening$/, 30_000, `the loopback bridge in ${this.name}`);
  }

  /** A process inside the namespace, in a process group of its own. */
  spawn(command: string, args: string[]): ChildProcess {
    return spawn('ip', ['netns', 'exec', this.name, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  }

  async delete(): Promise<void> {
    for (const { server, child } of this.bridges) {
      await stopGroup(child);
      server.close();
    }
    ip('netns', 'del', this.name);
  }
}
