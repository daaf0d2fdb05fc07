import { algorithmMnemonic } from '../../dnssec/algorithm.js';
import type { KeyStatus } from '../dnssec/control.js';
import { table } from './program.js';

/** The shapes `meshdns keys` reads from the admin API (routes-dnssec.ts). */
/** A key as the API returns it: the control's KeyStatus, as JSON. */
export type KeyJson = KeyStatus;

export interface StatusJson {
  origin: string;
  policy: string | null;
  keys: KeyJson[];
  nextEvent: number | null;
  waitingFor: string[];
  earliestExpiry: number | null;
  lastEvent: string | null;
}

export interface DsJson {
  origin: string;
  ds: { keyTag: number; algorithm: number; digestType: number; digest: string; state: string; record: string }[];
  text: string;
}

/** Unix seconds → `2026-12-07T10:32:47Z`; `-` when not set. */
export function time(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '-';
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `meshdns keys list`: the zone's state in a few lines, then one row per key. */
export function formatStatus(s: StatusJson): string {
  const lines = [`${s.origin}  policy: ${s.policy ?? '(none: unsigned or going insecure)'}`];
  if (s.earliestExpiry !== null) lines.push(`earliest RRSIG expiry: ${time(s.earliestExpiry)}`);
  if (s.nextEvent !== null) lines.push(`next key event: ${time(s.nextEvent)}`);
  if (s.waitingFor.length > 0) lines.push(`waiting for: ${s.waitingFor.join('; ')}`);
  if (s.lastEvent !== null) lines.push(`last event: ${s.lastEvent}`);
  if (s.keys.length === 0) {
    lines.push('no keys');
    return `${lines.join('\n')}\n`;
  }
  const rows = [['ROLE', 'TAG', 'ALGORITHM', 'STATE', 'PUBLISH', 'ACTIVE', 'RETIRE', 'REMOVE', 'DS SEEN', 'ID']];
  for (const k of s.keys) {
    rows.push([
      k.role.toUpperCase() + (k.imported ? '*' : ''), String(k.keyTag), `${k.algorithm} ${algorithmMnemonic(k.algorithm)}`, k.state,
      time(k.publish), time(k.active), time(k.retire), time(k.remove), k.role === 'zsk' ? '' : time(k.dsSeen), k.id,
    ]);
  }
  lines.push('', ...table(rows));
  if (s.keys.some((k) => k.imported)) lines.push('(* imported)');
  return `${lines.join('\n')}\n`;
}
