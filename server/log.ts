import { pino, type Logger } from 'pino';

/**
 * JSON logs to stdout; modules take a child logger with `moduleLogger(log, 'xfr')`. pino children
 * copy their level when created, so the module loggers are remembered here and a config reload
 * moves them all with `setLogLevel`.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // never write credentials, whichever object carries them
    redact: { paths: ['token', '*.token', 'req.headers.authorization', 'req.headers["x-api-key"]'], censor: '[hidden]' },
  });
}

const modules = new WeakMap<Logger, Logger[]>();

/** `log.child({ module })`, remembered so `setLogLevel` reaches it. */
export function moduleLogger(root: Logger, module: string): Logger {
  const child = root.child({ module });
  let list = modules.get(root);
  if (!list) modules.set(root, (list = []));
  list.push(child);
  return child;
}

/** Sets the level of the root logger and every module logger made from it. */
export function setLogLevel(root: Logger, level: string): void {
  root.level = level;
  for (const child of modules.get(root) ?? []) child.level = level;
}

export type { Logger };
