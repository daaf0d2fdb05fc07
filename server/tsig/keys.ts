import { createHmac } from 'node:crypto';
import { nameEquals, nameToText, parseName, type WireName } from '../../zones/name.js';

/** RFC 8945 §6: algorithm names as they appear in the TSIG RR, and the digest behind each. */
export const TSIG_ALGORITHMS = {
  'hmac-md5': { wire: 'hmac-md5.sig-alg.reg.int.', digest: 'md5', size: 16 },
  'hmac-sha1': { wire: 'hmac-sha1.', digest: 'sha1', size: 20 },
  'hmac-sha224': { wire: 'hmac-sha224.', digest: 'sha224', size: 28 },
  'hmac-sha256': { wire: 'hmac-sha256.', digest: 'sha256', size: 32 },
  'hmac-sha384': { wire: 'hmac-sha384.', digest: 'sha384', size: 48 },
  'hmac-sha512': { wire: 'hmac-sha512.', digest: 'sha512', size: 64 },
} as const;

export type TsigAlgorithm = keyof typeof TSIG_ALGORITHMS;

export interface TsigKey {
  /** Key name in wire form (compared without regard to case). */
  name: WireName;
  nameText: string;
  algorithm: TsigAlgorithm;
  /** Wire form of the algorithm name. */
  algorithmName: WireName;
  /** Never logged. */
  secret: Buffer;
}

export function isTsigAlgorithm(text: string): text is TsigAlgorithm {
  return Object.hasOwn(TSIG_ALGORITHMS, text);
}

export function makeKey(name: string, algorithm: TsigAlgorithm, secretBase64: string): TsigKey {
  const wire = parseName(name.endsWith('.') ? name : `${name}.`);
  return {
    name: wire,
    nameText: nameToText(wire).toLowerCase(),
    algorithm,
    algorithmName: parseName(TSIG_ALGORITHMS[algorithm].wire),
    secret: Buffer.from(secretBase64, 'base64'),
  };
}

/** The algorithm whose wire name this is, if we support it. */
export function algorithmFromWire(name: WireName): TsigAlgorithm | undefined {
  for (const [alg, def] of Object.entries(TSIG_ALGORITHMS)) {
    if (nameEquals(parseName(def.wire), name)) return alg as TsigAlgorithm;
  }
  return undefined;
}

export function hmac(key: TsigKey, parts: Uint8Array[]): Buffer {
  const h = createHmac(TSIG_ALGORITHMS[key.algorithm].digest, key.secret);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** The configured keys, found by the key name in a TSIG RR. */
export class Keyring {
  private readonly keys: TsigKey[];

  constructor(keys: TsigKey[] = []) {
    this.keys = keys;
  }

  find(name: WireName): TsigKey | undefined {
    return this.keys.find((k) => nameEquals(k.name, name));
  }

  byText(name: string): TsigKey | undefined {
    const wanted = (name.endsWith('.') ? name : `${name}.`).toLowerCase();
    return this.keys.find((k) => k.nameText === wanted);
  }

  get size(): number {
    return this.keys.length;
  }

  all(): readonly TsigKey[] {
    return this.keys;
  }
}
