/**
 * The fixed lists of the config (enums of the schema), in a module of their own so that code
 * checks can use them without loading TypeBox at start.
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const SERIAL_POLICIES = ['increment', 'unixtime', 'dateserial'] as const;
/** The DNS transports a listen entry can name today; `UPCOMING_TRANSPORTS` are refused with a reason. */
export const LISTEN_TRANSPORTS = ['udp', 'tcp'] as const;
export const UPCOMING_TRANSPORTS = ['tls', 'quic'] as const;
export const ACL_ACTIONS = ['transfer', 'notify', 'update'] as const;
