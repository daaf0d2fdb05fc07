/** EDNS(0) (RFC 6891): the OPT record's option codes and flags we read or write. */

/** Option codes (IANA "DNS EDNS0 Option Codes"). */
export const EdnsOption = {
  /** RFC 5001 */
  NSID: 3,
  /** RFC 7873 */
  COOKIE: 10,
} as const;

/** RFC 3225 §3: the DO bit of OPT's 16-bit flags (the low half of its TTL). */
export const EDNS_FLAG_DO = 0x8000;
