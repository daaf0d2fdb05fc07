import type { Command } from 'commander';
import type { ConfigOverrides } from '../config.js';

interface ServeOptions {
  config?: string;
  listen?: string[];
  zoneDir?: string;
  data?: string;
  logLevel?: string;
  adminListen?: string;
  metricsListen?: string;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** `meshdns serve [options]`: runs the server until SIGINT/SIGTERM; SIGHUP reloads the config. */
export function registerServe(program: Command): void {
  program.command('serve').summary('run the DNS server').description('Run the DNS server. Flags win over the config file. SIGHUP reloads the config.')
    .option('-c, --config <FILE>', 'meshdns.yaml (default: none, flags and defaults only)')
    .option('-l, --listen <ADDR:PORT>', 'DNS over UDP and TCP on this address (repeatable; overrides listen:)', collect)
    .option('--zone-dir <DIR>', 'a folder of <origin>.zone files, served and watched')
    .option('--data <DIR>', 'the LMDB folder (default ./data)')
    .option('--log-level <LEVEL>', 'trace, debug, info, warn, error, fatal')
    .option('--admin-listen <ADDR:PORT|off>', 'the admin API and status page (default 127.0.0.1:8053)')
    .option('--metrics-listen <ADDR:PORT>', '/metrics, /healthz and /readyz on a listener of their own')
    .action(serve);
}

async function serve(o: ServeOptions): Promise<never> {
  const [{ loadConfig }, { createLogger }, { startServer }] = await Promise.all([import('../config.js'), import('../log.js'), import('../start.js')]);
  const overrides: ConfigOverrides = {};
  if (o.listen) overrides.listen = o.listen;
  if (o.zoneDir !== undefined) overrides.zoneDir = o.zoneDir;
  if (o.data !== undefined) overrides.data = o.data;
  if (o.logLevel !== undefined) overrides.logLevel = o.logLevel;
  if (o.adminListen !== undefined) overrides.adminListen = o.adminListen;
  if (o.metricsListen !== undefined) overrides.metricsListen = o.metricsListen;
  // a reload reads the same file with the same flags (flags keep winning)
  const readConfig = () => loadConfig(o.config, overrides);
  const config = readConfig();
  const log = createLogger(config.logLevel);
  // (startServer logs "ready" when /readyz turns 200, with the zone count)
  const server = await startServer(config, log, { readConfig });
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
  return new Promise<never>(() => {
    /* serves until a signal */
  });
}
