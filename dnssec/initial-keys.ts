import { randomBytes } from 'node:crypto';
import type { StoredDnssecKey } from '../zones/store/key-store.js';
import { algorithmNumber, type AlgorithmName } from './algorithm.js';
import { generateKey } from './keys.js';

export interface KeyPolicy {
  algorithm: AlgorithmName;
  keySize?: number;
  keys: 'csk' | 'ksk+zsk';
  cds: boolean;
}

/** A new key for a zone, published and active from `now` unless told otherwise. */
export function newZoneKey(policy: Pick<KeyPolicy, 'algorithm' | 'keySize'>, role: StoredDnssecKey['role'], now: number, timing: Partial<StoredDnssecKey> = {}): StoredDnssecKey {
  const algorithm = algorithmNumber(policy.algorithm);
  const flags = role === 'zsk' ? 256 : 257;
  const options = policy.keySize !== undefined ? { rsaBits: policy.keySize } : undefined;
  const { key, pkcs8 } = generateKey(algorithm, flags, options);
  return {
    id: `${key.keyTag}-${randomBytes(4).toString('hex')}`,
    role, algorithm, flags, keyTag: key.keyTag, pkcs8, imported: false, created: now,
    publish: now, active: now, ...timing,
  };
}

/**
 * The keys a zone starts signing with (Knot's and BIND's habit for a zone first signed): a CSK,
 * or a KSK and a ZSK, published and active at once — nothing is cached yet, so there is nothing to
 * wait for. The SEP key is offered to the parent as CDS/CDNSKEY from the start when the policy says so.
 */
export function initialKeys(policy: KeyPolicy, now: number): StoredDnssecKey[] {
  const sep = policy.cds ? { dsSubmitted: now } : {};
  if (policy.keys === 'csk') return [newZoneKey(policy, 'csk', now, sep)];
  return [newZoneKey(policy, 'ksk', now, sep), newZoneKey(policy, 'zsk', now)];
}
