/**
 * Response codes (IANA "DNS RCODEs"): the header's 4 bits, and the extended ones above 15 that
 * live in OPT (RFC 6891 §6.1.3) or in a TSIG error field (RFC 8945 §5.3).
 */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  /** RFC 2136 / RFC 6672 */
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  /** RFC 8490 */
  DSOTYPENI: 11,
  /** RFC 6891 (in OPT); the same code is BADSIG in TSIG */
  BADVERS: 16,
  BADSIG: 16,
  BADKEY: 17,
  BADTIME: 18,
  BADTRUNC: 22,
} as const;

/** Names of the codes 0..11 (the header's range in use), by code. */
export const RCODE_NAMES: readonly string[] = [
  'NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE', 'DSOTYPENI',
];

/** `NOTAUTH`, or `RCODE12` for a code without a name here. */
export function rcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? (rcode === Rcode.BADVERS ? 'BADVERS' : `RCODE${rcode}`);
}

/** The upper 8 bits of a 12-bit extended rcode, as OPT's EXTENDED-RCODE field carries them (RFC 6891 §6.1.3). */
export function extendedRcodeHigh(rcode: number): number {
  return rcode >> 4;
}
