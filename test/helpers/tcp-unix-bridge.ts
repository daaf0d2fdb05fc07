import { createConnection, createServer } from 'node:net';

/**
 * Run inside a network namespace by test/helpers/netns.ts: listens on 127.0.0.1:PORT of the
 * namespace and carries each connection to the unix socket SOCKET, whose listener lives in the
 * test's own namespace (a socket file is reachable from every network namespace). So a process in
 * the namespace reaches a loopback server of the host at the same address and port (a TLS
 * certificate for 127.0.0.1 stays valid). Prints "listening" once ready.
 */
const [port, socket] = [Number(process.argv[2]), process.argv[3] ?? ''];
createServer((inside) => {
  const outside = createConnection(socket);
  inside.pipe(outside).pipe(inside);
  const close = () => {
    inside.destroy();
    outside.destroy();
  };
  inside.on('error', close);
  outside.on('error', close);
}).listen(port, '127.0.0.1', () => process.stdout.write('listening\n'));
