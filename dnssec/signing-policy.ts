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
  /** The zone is going insecure (signing turned off): CDS/CDNSKEY DELETE (RFC 8078 §4) while the keys wind down. */
  goingInsecure?: boolean;
  /** Signing is off and the keys are gone: the commit removes every DNSSEC record the signer made. */
  unsign?: boolean;
}

/** RFC 4035 §5.3.1 leaves clock skew to the signer: signatures start an hour back (BIND and Knot do the same). */
export const INCEPTION_SKEW = 3600;
