/** DNS opcodes (IANA "DNS OpCodes"). */
export const Opcode = {
  QUERY: 0,
  /** RFC 3425: obsolete */
  IQUERY: 1,
  STATUS: 2,
  /** RFC 1996 */
  NOTIFY: 4,
  /** RFC 2136 */
  UPDATE: 5,
  /** RFC 8490 DNS Stateful Operations */
  DSO: 6,
} as const;
