import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type ConfigOverrides } from './config.js';
import { createLogger } from './log.js';
import { startServer } from './start.js';

const USAGE = `usage:
  meshdns --version
  meshdns serve [--config FILE] [--listen ADDR:PORT]... [--zone-dir DIR] [--data DIR] [--log-level LEVEL]
                [--admin-listen ADDR:PORT|off] [--metrics-listen ADDR:PORT]
  meshdns check FILE [--origin NAME]
  meshdns config schema              print the JSON Schema of meshdns.yaml (for editors)
  meshdns config check FILE          check a config file
  meshdns keys list|generate|roll|import|export|ds|ds-seen ZONE ...
                                     DNSSEC keys of a running server (meshdns keys --help)

  meshdns tls pin [--config FILE] [--data DIR] | --cert FILE
                                     print the SPKI pin of the DoT/DoQ certificate (kdig +tls-pin, primaries[].pin)`;

const SERVE_HELP = `usage: meshdns serve [options]
  -c, --config FILE            meshdns.yaml (default: none, flags and defaults only)
  -l, --listen ADDR:PORT       DNS over UDP and TCP on this address (repeatable; overrides listen:)
      --zone-dir DIR           a folder of <origin>.zone files, served and watched
      --data DIR               the LMDB folder (default ./data)
      --log-level LEVEL        trace, debug, info, warn, error, fatal
      --admin-listen ADDR:PORT|off   the admin API and status page (default 127.0.0.1:8053)
      --metrics-listen ADDR:PORT     /metrics, /healthz and /readyz on a listener of their own
  -h, --help                   this text
Flags win over the config file. SIGHUP reloads the config.`;

async function serve(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(`${SERVE_HELP}\n`);
    return 0;
  }
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

/** The version in package.json (two folders up from dist/server/). */
function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
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
    case 'keys': {
      const { runKeys } = await import('./commands/keys.js');
      return runKeys(rest);
    }
    case 'tls': {
      const { runTls } = await import('./commands/tls.js');
      return runTls(rest);
    }
    case '--version':
    case '-V':
      process.stdout.write(`meshdns ${packageVersion()}\n`);
      return 0;
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
