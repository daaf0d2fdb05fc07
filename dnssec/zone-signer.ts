import { randomInt } from 'node:crypto';
import type { WireName } from '../zones/name.js';
import { RRType } from '../zones/rrtype.js';
import type { StoredDnssecKey } from '../zones/store/key-store.js';
import { keyFromPkcs8, type DnssecKey } from './keys.js';
import { keyViewAt, type KeyView } from './key-view.js';
import { algorithmNumber, DnssecError, type AlgorithmName } from './algorithm.js';
import { signRRset } from './rrsig.js';
import { INCEPTION_SKEW, type SigningPolicy } from './signing-policy.js';

/** RRsets signed by the keyset signers (KSK/CSK) rather than the zone signers. */
export function isKeysetType(type: number): boolean {
  return type === RRType.DNSKEY || type === RRType.CDS || type === RRType.CDNSKEY;
}

/**
 * Signs the RRsets of one zone at one moment: the keys the view names, one validity window for
 * the whole commit with each signature's expiry spread over the refresh window (so signatures made
 * together are not all due together: the refresher then re-signs a few at a time).
 */
export class ZoneSigner {
  readonly view: KeyView;
  /** The keys that sign, each once, as stored (a sign pool's threads load them from PKCS#8). */
  readonly signingKeys: readonly StoredDnssecKey[];
  /** Positions in `signingKeys` of the keys that sign zone data and of those that sign the keyset. */
  readonly zoneKeyIndexes: readonly number[];
  readonly keysetKeyIndexes: readonly number[];
  readonly inception: number;
  private readonly zoneKeys: DnssecKey[];
  private readonly keysetKeys: DnssecKey[];
  private readonly latestExpiry: number;
  private readonly jitter: number;

  constructor(
    readonly apex: WireName,
    keys: readonly StoredDnssecKey[],
    readonly policy: SigningPolicy,
    readonly now: number,
  ) {
    const algorithm = (policy as { algorithm?: string }).algorithm;
    this.view = keyViewAt(keys, now, algorithm === undefined ? undefined : algorithmNumber(algorithm as AlgorithmName), policy.goingInsecure === true);
    const loaded = new Map<string, { key: DnssecKey; index: number }>();
    const signingKeys: StoredDnssecKey[] = [];
    const load = (k: StoredDnssecKey) => {
      let entry = loaded.get(k.id);
      if (!entry) {
        const key = keyFromPkcs8(k.pkcs8, k.algorithm, k.flags);
        // the stored key tag is the key the zone publishes and the parent's DS names: a private key
        // of another tag would sign with a key no DNSKEY matches (a corrupt or swapped key record)
        if (key.keyTag !== k.keyTag) {
          throw new DnssecError(`key ${k.keyTag} (${k.role}, id ${k.id}): its private key is that of key tag ${key.keyTag}; the key record is corrupt`, 'MESHDNS_ERR_DNSSEC_KEY');
        }
        loaded.set(k.id, (entry = { key, index: signingKeys.push(k) - 1 }));
      }
      return entry;
    };
    const zone = this.view.zoneSigners.map(load);
    const keyset = this.view.keysetSigners.map(load);
    this.signingKeys = signingKeys;
    this.zoneKeys = zone.map((e) => e.key);
    this.keysetKeys = keyset.map((e) => e.key);
    this.zoneKeyIndexes = zone.map((e) => e.index);
    this.keysetKeyIndexes = keyset.map((e) => e.index);
    this.inception = now - INCEPTION_SKEW;
    this.latestExpiry = now + policy.rrsigValidity;
    // expiries fall in the last half of the refresh window before the full validity
    this.jitter = Math.max(0, Math.floor(policy.rrsigRefresh / 2));
  }

  /** Whether any key signs (a zone with a policy but no active key yet cannot be signed). */
  get canSign(): boolean {
    return this.zoneKeys.length > 0 && this.keysetKeys.length > 0;
  }

  /** The RRSIG rdatas of one RRset: one per signing key (RFC 4035 §2.2: every algorithm signs every RRset). */
  sign(owner: WireName, type: number, ttl: number, rdatas: readonly Uint8Array[]): Uint8Array[] {
    const keys = isKeysetType(type) ? this.keysetKeys : this.zoneKeys;
    const expiration = this.nextExpiration();
    const set = { owner, type, ttl, rdatas };
    return keys.map((key) => signRRset(set, this.apex, key, this.inception, expiration));
  }

  /** The positions in `signingKeys` of the keys that sign an RRset of `type`. */
  keyIndexesFor(type: number): readonly number[] {
    return isKeysetType(type) ? this.keysetKeyIndexes : this.zoneKeyIndexes;
  }

  /** The expiry of the next RRset's signatures (one draw per RRset, shared by its keys). */
  nextExpiration(): number {
    return this.jitter > 0 ? this.latestExpiry - randomInt(0, this.jitter + 1) : this.latestExpiry;
  }

  /** A stored RRSIG is due for refresh when less than `rrsigRefresh` of its validity is left. */
  isDue(expiration: number): boolean {
    return expiration - this.now < this.policy.rrsigRefresh;
  }
}
