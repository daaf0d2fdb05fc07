import type { Logger } from 'pino';
import { checkParentDs } from '../../dnssec/parent-ds-check.js';
import type { DnssecPolicy } from '../../dnssec/policy.js';

/**
 * The key tags of the DS the parent-side servers agree on (policy.parentDsCheck), or undefined
 * (not configured, a server not answering, servers disagreeing while the parent propagates): the
 * key plan then waits rather than guess.
 */
export async function parentDsTags(origin: string, policy: DnssecPolicy, log: Logger): Promise<number[] | undefined> {
  if (!policy.parentDsCheck) return undefined;
  const result = await checkParentDs(origin, policy.parentDsCheck.addresses);
  if (result.ok) return result.keyTags;
  log.warn({ zone: origin, reason: result.error }, 'parent DS check gave no answer; the key plan waits');
  return undefined;
}
