/** DNSSEC algorithm numbers (IANA "DNS Security Algorithm Numbers") that meshdns signs with. */

export const DnssecAlgorithm = { RSASHA256: 8, ECDSAP256SHA256: 13, ED25519: 15 } as const;

export type AlgorithmName = 'ecdsap256sha256' | 'ed25519' | 'rsasha256';

const numbers: Record<AlgorithmName, number> = {
  rsasha256: DnssecAlgorithm.RSASHA256,
  ecdsap256sha256: DnssecAlgorithm.ECDSAP256SHA256,
  ed25519: DnssecAlgorithm.ED25519,
};

export class DnssecError extends Error {
  override name = 'DnssecError';
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

export function algorithmNumber(name: AlgorithmName): number {
  const n = numbers[name];
  if (n === undefined) throw new DnssecError(`unknown DNSSEC algorithm "${String(name)}"`, 'MESHDNS_ERR_DNSSEC_ALGORITHM');
  return n;
}

export function algorithmName(n: number): AlgorithmName | undefined {
  for (const [name, value] of Object.entries(numbers)) if (value === n) return name as AlgorithmName;
  return undefined;
}

/** The mnemonic BIND and Knot print (RFC 8624 §3.1 names): 13 → "ECDSAP256SHA256". */
export function algorithmMnemonic(n: number): string {
  const name = algorithmName(n);
  return name === undefined ? String(n) : name.toUpperCase();
}

/** Throws MESHDNS_ERR_DNSSEC_ALGORITHM unless meshdns can sign with algorithm `n`. */
export function requireSupportedAlgorithm(n: number): void {
  if (algorithmName(n) === undefined) {
    throw new DnssecError(`DNSSEC algorithm ${n} is not supported (8 RSASHA256, 13 ECDSAP256SHA256, 15 ED25519)`, 'MESHDNS_ERR_DNSSEC_ALGORITHM');
  }
}
