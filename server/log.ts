import { pino, type Logger } from 'pino';

/** JSON logs to stdout; modules take `log.child({ module })`. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}

export type { Logger };
