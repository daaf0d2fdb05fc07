// A DNSSEC policy as the signer and the key lifecycle use it: every duration already in seconds.
// The configuration file spells durations as "30d", "1h", "90m" or plain seconds (parseDuration).

export type PolicyAlgorithm = 'ecdsap256sha256' | 'ed25519' | 'rsasha256';

export interface DnssecPolicy {
  name: string;
  algorithm: PolicyAlgorithm;
  /** RSA modulus bits (rsasha256 only). */
  keySize?: number;
  keys: 'csk' | 'ksk+zsk';
  /** Seconds from a ZSK's activation to the start of its roll; 0 = never roll automatically. */
  zskLifetime: number;
  /** Seconds from a KSK's (or CSK's) activation to the start of its roll; 0 = never. */
  kskLifetime: number;
  rrsigValidity: number;
  /** Re-sign when less than this is left of a signature's validity. */
  rrsigRefresh: number;
  denial: 'nsec' | 'nsec3';
  nsec3: { iterations: number; saltLength: number; optOut: boolean };
  dnskeyTtl: number;
  /** Publish CDS/CDNSKEY for the SEP key (RFC 7344, RFC 8078). */
  cds: boolean;
  /** Time for a change to reach every server of the zone (secondaries included). */
  propagationDelay: number;
  /** TTL of the DS RRset at the parent. */
  parentDsTtl: number;
  /** Parent-side servers ("ip:port") asked for the DS every `interval` seconds. */
  parentDsCheck?: { addresses: string[]; interval: number };
}

/** DNSKEY algorithm numbers (RFC 8624 registry) of the policy algorithms. */
export const POLICY_ALGORITHM_NUMBER: Readonly<Record<PolicyAlgorithm, number>> = {
  rsasha256: 8,
  ecdsap256sha256: 13,
  ed25519: 15,
};

export function policyAlgorithmNumber(policy: DnssecPolicy): number {
  return POLICY_ALGORITHM_NUMBER[policy.algorithm];
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * "30d", "1h", "90m", "45s", "2w", "1d12h", "3600" or a number of seconds → seconds.
 * Throws a RangeError naming the value when it is not a whole, non-negative duration.
 */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`duration ${JSON.stringify(value)} is not a whole non-negative number of seconds`);
    }
    return value;
  }
  const text = value.trim().toLowerCase();
  if (/^\d+$/.test(text)) return parseDuration(Number(text));
  const parts = /^(?:\d+[smhdw])+$/.test(text) ? text.match(/\d+[smhdw]/g) : null;
  if (parts === null) {
    throw new RangeError(`duration "${value}" is not a duration: use seconds or a number with a unit s, m, h, d or w (e.g. "30d", "1h", "90m")`);
  }
  let seconds = 0;
  for (const part of parts) seconds += Number(part.slice(0, -1)) * UNIT_SECONDS[part.slice(-1)]!;
  if (!Number.isSafeInteger(seconds)) throw new RangeError(`duration "${value}" is too long`);
  return seconds;
}

export interface PolicyProblem {
  level: 'error' | 'warning';
  message: string;
}

/** What is wrong (error) or unwise (warning) in a policy; an empty list for a good one. */
export function policyProblems(p: DnssecPolicy): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  const error = (message: string): void => void out.push({ level: 'error', message });
  const warning = (message: string): void => void out.push({ level: 'warning', message });
  const at = `policy "${p.name}"`;

  if (p.rrsigRefresh >= p.rrsigValidity) {
    error(`${at}: rrsigRefresh (${p.rrsigRefresh}s) must be shorter than rrsigValidity (${p.rrsigValidity}s), or every signature is refreshed as soon as it is made`);
  }
  // A roll waits DNSKEY TTL + propagation before the new key signs and again before the old one
  // goes (RFC 7583 §3.2); a KSK roll also waits out the parent's DS TTL (§3.3).
  const zskRollSeconds = p.dnskeyTtl + 2 * p.propagationDelay;
  const kskRollSeconds = p.dnskeyTtl + p.parentDsTtl + 2 * p.propagationDelay;
  const zskLike = p.keys === 'csk' ? undefined : p.zskLifetime;
  if (zskLike !== undefined && zskLike > 0 && zskLike < zskRollSeconds) {
    error(`${at}: zskLifetime (${zskLike}s) is shorter than one ZSK roll (dnskeyTtl + 2 × propagationDelay = ${zskRollSeconds}s)`);
  }
  if (p.kskLifetime > 0 && p.kskLifetime < kskRollSeconds) {
    error(`${at}: kskLifetime (${p.kskLifetime}s) is shorter than one ${p.keys === 'csk' ? 'CSK' : 'KSK'} roll (dnskeyTtl + parentDsTtl + 2 × propagationDelay = ${kskRollSeconds}s)`);
  }
  if (p.rrsigValidity > 0 && p.rrsigValidity - p.rrsigRefresh < p.propagationDelay + p.dnskeyTtl) {
    warning(`${at}: a signature may be served with less than dnskeyTtl + propagationDelay of validity left (rrsigValidity - rrsigRefresh = ${p.rrsigValidity - p.rrsigRefresh}s)`);
  }
  if (p.denial === 'nsec3') {
    // RFC 9276 §3.1: iterations 0 and an empty salt.
    if (p.nsec3.iterations > 0) warning(`${at}: nsec3.iterations ${p.nsec3.iterations}: RFC 9276 §3.1 says 0 (more costs resolvers, adds no protection; validators may treat the zone as insecure)`);
    if (p.nsec3.saltLength > 0) warning(`${at}: nsec3.saltLength ${p.nsec3.saltLength}: RFC 9276 §3.1 says no salt`);
    if (p.nsec3.optOut) warning(`${at}: nsec3.optOut: RFC 9276 §3.1 advises it only for zones with very many insecure delegations`);
  }
  if (p.algorithm === 'rsasha256' && p.keySize !== undefined && p.keySize < 2048) {
    warning(`${at}: keySize ${p.keySize}: RSA keys under 2048 bits are weak (RFC 8624 §3.1)`);
  }
  if (p.parentDsCheck !== undefined && p.parentDsCheck.addresses.length === 0) {
    error(`${at}: parentDsCheck.addresses is empty`);
  }
  return out;
}

/** policyProblems as lines: "error: …" / "warning: …". */
export function policyWarnings(p: DnssecPolicy): string[] {
  return policyProblems(p).map((problem) => `${problem.level}: ${problem.message}`);
}
