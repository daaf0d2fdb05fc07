import { ApiError } from './errors.js';

/**
 * PowerDNS zone ids: the zone's name with its trailing dot, every byte other than a letter, a digit,
 * `.` or `-` written as `=XX` (so `0/25.2.0.192.in-addr.arpa.` is `0=2F25.2.0.192.in-addr.arpa.`);
 * the same rule as PowerDNS's apiZoneNameToId, so an id a client stored from PowerDNS still works.
 */
export function pdnsZoneId(name: string): string {
  let id = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    id += /[A-Za-z0-9.-]/.test(c) ? c : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return id.endsWith('.') ? id : `${id}.`;
}

/** A zone id from a URL back to the zone's name (`=XX` decoded; a plain name passes unchanged). */
export function pdnsZoneName(id: string): string {
  if (!id.includes('=')) return id;
  const bytes: number[] = [];
  for (let i = 0; i < id.length; i++) {
    if (id[i] !== '=') {
      bytes.push(...Buffer.from(id[i]!, 'utf8'));
      continue;
    }
    const hex = id.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new ApiError(400, 'origin', id, `has "=" at offset ${i} without two hex digits after it (PowerDNS ids escape bytes as =XX)`);
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  return Buffer.from(bytes).toString('utf8');
}
