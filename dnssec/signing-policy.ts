/**
 * What signing needs of a policy (dnssec/policy.ts `DnssecPolicy` has these and more): durations
 * in seconds.
 */
export interface SigningPolicy {
  rrsigValidity: number;
  rrsigRefresh: number;
  dnskeyTtl: number;
  denial: 'nsec' | 'nsec3';
  nsec3: { iterations: number; saltLength: number; optOut: boolean };
  cds: boolean;
}

/** RFC 4035 §5.3.1 leaves clock skew to the signer: signatures start an hour back (BIND and Knot do the same). */
export const INCEPTION_SKEW = 3600;
