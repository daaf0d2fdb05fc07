import { handlesOf } from './handles.js';
import type { LmdbStore } from './lmdb-store.js';

/**
 * Small named values the server keeps beside the zones (the self-signed TLS certificate and its
 * key), in the `meta` sub-database under a `blob:` prefix so they never meet its own keys
 * (schemaVersion, nextZoneId). Stored as octets, written in one transaction.
 */
const PREFIX = 'blob:';

export function getBlob(store: LmdbStore, name: string): Buffer | undefined {
  const value = handlesOf(store).meta.get(PREFIX + name);
  if (value === undefined) return undefined;
  if (!(value instanceof Uint8Array)) throw new TypeError(`stored value "${name}" is not octets`);
  return Buffer.from(value);
}

/** Stores `value` under `name` unless one is there already; returns what is stored then (first writer wins across processes). */
export function putBlobOnce(store: LmdbStore, name: string, value: Uint8Array): Buffer {
  const { env, meta } = handlesOf(store);
  return env.transactionSync(() => {
    const existing = meta.get(PREFIX + name);
    if (existing instanceof Uint8Array) return Buffer.from(existing);
    meta.put(PREFIX + name, Buffer.from(value));
    return Buffer.from(value);
  });
}

export function putBlob(store: LmdbStore, name: string, value: Uint8Array): void {
  const { env, meta } = handlesOf(store);
  env.transactionSync(() => meta.put(PREFIX + name, Buffer.from(value)));
}
