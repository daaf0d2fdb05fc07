import type { Config } from './config.js';

/** One change a reload makes to the running server, in the order they are applied. */
export type ReloadStep = 'logLevel' | 'answerOptions' | 'replication' | 'queryLog' | 'rateLimits' | 'recordLimits' | 'adminToken' | 'dnssec' | 'catalogs' | 'zoneFiles';

export interface ReloadPlan {
  steps: ReloadStep[];
  /** Config keys that take effect now (the report and the log name these). */
  applied: string[];
  /** Config keys that changed but take effect only after a restart; the running values stay. */
  restartNeeded: string[];
  /** The config in force afterwards: the new one, with the restart-only keys as they run now. */
  running: Config;
}

/** The keys each step applies, as the reload report names them. */
export const STEP_KEYS: Record<ReloadStep, string[]> = {
  logLevel: ['logLevel'],
  answerOptions: ['nsid', 'maxUdpPayload'],
  replication: ['keys', 'acls'],
  queryLog: ['queryLog'],
  rateLimits: ['rrl', 'cookies'],
  recordLimits: ['limits'],
  adminToken: ['admin.token'],
  dnssec: ['policies', 'defaults.dnssec', 'zones[].dnssec'],
  catalogs: ['catalogs', 'consumers', 'zones[].catalog'],
  zoneFiles: ['zoneDir', 'zones', 'serialPolicy'],
};

const differ = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
const hex = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString('hex'));

/**
 * What a reload from `running` to `next` changes, decided before anything is touched (a pure
 * function: the table test in test/unit/reload-plan.test.ts is its specification). `fingerprint`
 * compares the replication config without putting secrets anywhere a log could show them.
 */
export function planReload(running: Config, next: Config, fingerprint: (c: Config) => string): ReloadPlan {
  const steps: ReloadStep[] = [];
  if (next.logLevel !== running.logLevel) steps.push('logLevel');
  if (hex(next.nsid) !== hex(running.nsid) || next.maxUdpPayload !== running.maxUdpPayload) steps.push('answerOptions');
  if (fingerprint(next) !== fingerprint(running)) steps.push('replication');
  if (differ(next.queryLog, running.queryLog)) steps.push('queryLog');
  if (differ(next.rrl, running.rrl) || differ(next.cookies, running.cookies)) steps.push('rateLimits');
  if (differ(next.limits, running.limits)) steps.push('recordLimits');
  // the admin token can change only on an admin listener that runs (it is not started by a reload)
  if (running.admin && next.admin && next.admin.token !== running.admin.token) steps.push('adminToken');
  // policies are read at every commit and every key step: the next ones use the new ones
  if (differ(dnssecShape(next), dnssecShape(running))) steps.push('dnssec');
  // before zoneFiles: a zone the reload adds joins the catalog the reload defines
  if (differ(catalogShape(next), catalogShape(running))) steps.push('catalogs');
  if (next.zoneDir !== running.zoneDir || differ(next.zones, running.zones) || next.serialPolicy !== running.serialPolicy) steps.push('zoneFiles');

  const restartNeeded: string[] = [];
  if (differ(next.listen.map((a) => [a.text, a.transports]), running.listen.map((a) => [a.text, a.transports]))) restartNeeded.push('listen');
  if (next.data !== running.data) restartNeeded.push('data');
  if (differ(next.tcp, running.tcp)) restartNeeded.push('tcp');
  if (differ(next.udp, running.udp)) restartNeeded.push('udp');
  // (new files under the same names are picked up by the watcher, not by a reload)
  if (differ(next.tls, running.tls)) restartNeeded.push('tls');
  if (differ(next.kubernetes, running.kubernetes)) restartNeeded.push('kubernetes');
  if (next.answerCacheSize !== running.answerCacheSize) restartNeeded.push('answerCacheSize');
  if (differ(next.admin?.listen.text, running.admin?.listen.text)) restartNeeded.push('admin.listen');
  if (running.admin && next.admin && differ(next.admin.allowedHosts, running.admin.allowedHosts)) restartNeeded.push('admin.allowedHosts');
  if (differ(next.metrics.listen?.text, running.metrics.listen?.text)) restartNeeded.push('metrics.listen');
  if (next.metrics.zoneLabels !== running.metrics.zoneLabels) restartNeeded.push('metrics.zoneLabels');

  return {
    steps,
    applied: steps.flatMap((s) => STEP_KEYS[s]),
    restartNeeded,
    // what needs a restart keeps running as it is, and is compared again next time
    running: {
      ...next, listen: running.listen, data: running.data, tcp: running.tcp, udp: running.udp, tls: running.tls, answerCacheSize: running.answerCacheSize,
      metrics: running.metrics, kubernetes: running.kubernetes,
      admin: next.admin && running.admin ? { ...next.admin, listen: running.admin.listen, allowedHosts: running.admin.allowedHosts } : running.admin,
    },
  };
}

function dnssecShape(c: Config): unknown {
  return { policies: [...c.dnssec.policies], defaultPolicy: c.dnssec.defaultPolicy, zonePolicies: [...c.dnssec.zonePolicies] };
}

function catalogShape(c: Config): unknown {
  const { producers, assignments, consumers } = c.catalogs;
  return [[...producers], [...assignments], [...consumers].map(([zone, k]) => [zone, k.template, [...k.groups]])];
}
