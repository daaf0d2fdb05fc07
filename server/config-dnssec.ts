import { parseDuration, policyProblems, type DnssecPolicy } from '../dnssec/policy.js';
import type { Fail } from './config/error.js';
import type { ConfigFile } from './config/schema.js';

/** DNSSEC signing as configured: the policies, and which zone signs with which. */
export interface DnssecConfig {
  policies: Map<string, DnssecPolicy>;
  /** The policy of zones that name none (defaults.dnssec); undefined: unsigned. */
  defaultPolicy: string | undefined;
  /** zones[].dnssec by origin (lowercase, trailing dot): a policy name, or false. */
  zonePolicies: Map<string, string | false>;
  /** Policy warnings (RFC 9276 NSEC3 parameters, short margins) to log at start and reload. */
  warnings: string[];
}

export const NO_DNSSEC: DnssecConfig = { policies: new Map(), defaultPolicy: undefined, zonePolicies: new Map(), warnings: [] };

/** The policy a zone signs with, or undefined (zones[].dnssec, then defaults.dnssec). */
export function policyOf(config: DnssecConfig, origin: string): DnssecPolicy | undefined {
  const chosen = config.zonePolicies.get(origin);
  const name = chosen === undefined ? config.defaultPolicy : chosen === false ? undefined : chosen;
  return name === undefined ? undefined : config.policies.get(name);
}

export function parseDnssec(obj: ConfigFile, zoneOrigins: readonly string[], fail: Fail): DnssecConfig {
  const policies = new Map<string, DnssecPolicy>();
  const warnings: string[] = [];
  for (const [i, p] of (obj.policies ?? []).entries()) {
    const at = `policies[${i}]`;
    if (policies.has(p.name)) fail(`${at}.name`, p.name, 'is defined twice');
    const seconds = (key: string, value: string | number | undefined, fallback: string | number): number => {
      try {
        return parseDuration(value ?? fallback);
      } catch (e) {
        return fail(`${at}.${key}`, value, (e as Error).message);
      }
    };
    const algorithm = p.algorithm ?? 'ecdsap256sha256';
    if (p.keySize !== undefined && algorithm !== 'rsasha256') fail(`${at}.keySize`, p.keySize, `is for rsasha256 keys only (this policy uses ${algorithm})`);
    const policy: DnssecPolicy = {
      name: p.name,
      algorithm,
      ...(algorithm === 'rsasha256' ? { keySize: p.keySize ?? 2048 } : {}),
      keys: p.keys ?? 'csk',
      zskLifetime: seconds('zskLifetime', p.zskLifetime, '30d'),
      kskLifetime: seconds('kskLifetime', p.kskLifetime, 0),
      rrsigValidity: seconds('rrsigValidity', p.rrsigValidity, '14d'),
      rrsigRefresh: seconds('rrsigRefresh', p.rrsigRefresh, '7d'),
      denial: p.denial ?? 'nsec',
      nsec3: { iterations: p.nsec3?.iterations ?? 0, saltLength: p.nsec3?.saltLength ?? 0, optOut: p.nsec3?.optOut ?? false },
      dnskeyTtl: p.dnskeyTtl ?? 3600,
      cds: p.cds ?? true,
      propagationDelay: seconds('propagationDelay', p.propagationDelay, '1h'),
      parentDsTtl: seconds('parentDsTtl', p.parentDsTtl, '1d'),
      ...(p.parentDsCheck ? { parentDsCheck: { addresses: p.parentDsCheck.addresses, interval: seconds('parentDsCheck.interval', p.parentDsCheck.interval, '1h') } } : {}),
    };
    for (const problem of policyProblems(policy)) {
      if (problem.level === 'error') fail(at, p.name, problem.message);
      warnings.push(problem.message);
    }
    policies.set(p.name, policy);
  }
  const known = (key: string, name: string | false | undefined) => {
    if (typeof name === 'string' && !policies.has(name)) {
      fail(key, name, policies.size === 0 ? 'names a policy, but no policies are defined' : `is not a policy defined under policies (${[...policies.keys()].join(', ')})`);
    }
  };
  const defaultChoice = obj.defaults?.dnssec;
  known('defaults.dnssec', defaultChoice);
  const zonePolicies = new Map<string, string | false>();
  for (const [i, z] of (obj.zones ?? []).entries()) {
    if (z.dnssec === undefined) continue;
    known(`zones[${i}].dnssec`, z.dnssec);
    if (z.dnssec !== false && z.primaries !== undefined) fail(`zones[${i}].dnssec`, z.dnssec, 'is set on a secondary zone: a secondary serves what its primary signed');
    zonePolicies.set(zoneOrigins[i]!, z.dnssec);
  }
  return { policies, defaultPolicy: typeof defaultChoice === 'string' ? defaultChoice : undefined, zonePolicies, warnings };
}
