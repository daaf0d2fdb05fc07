import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type ConfigOverrides } from './config.js';
import { createLogger } from './log.js';
import { startServer } from './start.js';

const USAGE = `usage:
  meshdns serve [--config FILE] [--listen ADDR:PORT]... [--zone-dir DIR] [--data DIR] [--log-level LEVEL]
                [--admin-listen ADDR:PORT|off] [--metrics-listen ADDR:PORT]
  meshdns check FILE [--origin NAME]
  meshdns config schema              print the JSON Schema of meshdns.yaml (for editors)
  meshdns config check FILE          check a config file
  meshdns tls pin [--config FILE] [--data DIR] | --cert FILE
                                     print the SPKI pin of the DoT/DoQ certificate (kdig +tls-pin, primaries[].pin)`;

async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      listen: { type: 'string', multiple: true, short: 'l' },
      'zone-dir': { type: 'string' },
      data: { type: 'string' },
      'log-level': { type: 'string' },
      'admin-listen': { type: 'string' },
      'metrics-listen': { type: 'string' },
    },
    strict: true,
  });
  const overrides: ConfigOverrides = {};
  if (values.listen) overrides.listen = values.listen;
  if (values['zone-dir'] !== undefined) overrides.zoneDir = values['zone-dir'];
  if (values.data !== undefined) overrides.data = values.data;
  if (values['log-level'] !== undefined) overrides.logLevel = values['log-level'];
  if (values['admin-listen'] !== undefined) overrides.adminListen = values['admin-listen'];
  if (values['metrics-listen'] !== undefined) overrides.metricsListen = values['metrics-listen'];
  // a reload reads the same file with the same flags (flags keep winning)
  const readConfig = () => loadConfig(values.config, overrides);
  const config = readConfig();
  const log = createLogger(config.logLevel);
  const server = await startServer(config, log, { readConfig });
  const first = server.addresses[0]!;
  const host = first.host;
  log.info(
    { zones: server.table.size, addresses: server.addresses.map((a) => `${a.family === 6 ? `[${a.host}]` : a.host}:${a.port}`) },
    `ready; try: dig @${host} -p ${first.port} www.example.test A`,
  );
  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGHUP', () => {
    log.info({ signal: 'SIGHUP' }, 'reloading config');
    // a rejected config is logged by reload() and the running one stays
    server.reload().catch(() => undefined);
  });
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  return new Promise<number>(() => {
    /* serves until a signal */
  });
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'check': {
      const { runCheck } = await import('./commands/check.js');
      return runCheck(rest);
    }
    case 'config': {
      const { runConfig } = await import('./commands/config.js');
      return runConfig(rest);
    }
    case 'tls': {
      const { runTls } = await import('./commands/tls.js');
      return runTls(rest);
    }
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`meshdns: unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // operator errors (config, ports, folders) are one line; anything else is a bug worth a stack
    const e = err as Error & { code?: string };
    if (err instanceof ConfigError || (e.code && e.code.startsWith('MESHDNS_ERR')) || e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      process.stderr.write(`meshdns: ${e.message}\n`);
    } else {
      process.stderr.write(`meshdns: ${e.stack ?? String(err)}\n`);
    }
    process.exit(1);
  },
);
