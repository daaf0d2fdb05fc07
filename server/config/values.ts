/**
 * The fixed lists of the config (enums of the schema), in a module of their own so that code
 * checks can use them without loading TypeBox at start.
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const SERIAL_POLICIES = ['increment', 'unixtime', 'dateserial'] as const;
/** The DNS transports a listen entry can name; `UPCOMING_TRANSPORTS` would be refused with a reason (none now). */
export const LISTEN_TRANSPORTS = ['udp', 'tcp', 'tls', 'quic'] as const;
export const UPCOMING_TRANSPORTS = [] as const;
/** How a secondary reaches a primary for transfers (SOA queries and NOTIFY stay on UDP/TCP, RFC 9103 §5). */
export const PRIMARY_TRANSPORTS = ['tcp', 'tls', 'quic'] as const;
export const ACL_ACTIONS = ['transfer', 'notify', 'update'] as const;
