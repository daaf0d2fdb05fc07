import { parseStunServer, type StunServerAddress } from '../../k8s/agent/stun.js';
import { DEFAULT_ANNOTATION } from '../../k8s/agent/node-annotation.js';
import { LOG_LEVELS } from '../config/values.js';
import { UsageError } from './program.js';

/** `meshdns agent`'s flags as commander hands them over. */
export interface AgentFlags {
  node?: string;
  kubeconfig?: string;
  stun?: string[];
  interfaces?: string[];
  refresh?: string;
  poll?: string;
  annotation?: string;
  once?: boolean;
  logLevel?: string;
}

/** The flags checked and resolved: what the agent runs with. */
export interface AgentSettings {
  readonly node: string;
  readonly kubeconfig: string | undefined;
  readonly stun: readonly StunServerAddress[];
  /** Interface name patterns; empty: every interface counts. */
  readonly interfaces: readonly string[];
  readonly refreshMs: number;
  readonly pollMs: number;
  readonly annotation: string;
  readonly once: boolean;
  readonly logLevel: string;
}

export const AGENT_DEFAULTS = { refresh: '5m', poll: '5s', logLevel: 'info' } as const;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `250ms`, `5s`, `1m30s`, `2h` → milliseconds; undefined when it is not such a duration or is 0. */
export function parseDurationMs(text: string): number | undefined {
  if (!/^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(amount) * UNIT_MS[unit!]!;
  return total >= 1 && Number.isFinite(total) ? Math.round(total) : undefined;
}

// RFC 1123 subdomain: what Kubernetes accepts as a Node name
const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// a qualified annotation key: optional DNS-subdomain prefix and "/", then a name of at most 63 characters
const ANNOTATION_KEY = /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Checks every flag; a mistake is a UsageError naming the flag and the value. */
export function agentSettings(flags: AgentFlags, env: NodeJS.ProcessEnv): AgentSettings {
  const node = flags.node ?? env['NODE_NAME'] ?? '';
  if (node === '') throw new UsageError('no node name: give --node NAME or set NODE_NAME (in a DaemonSet, from the downward API: spec.nodeName)');
  if (node.length > 253 || !NODE_NAME.test(node)) throw new UsageError(`--node "${node}" is not a Kubernetes node name (lowercase letters, digits, "-" and ".")`);
  const duration = (flag: string, text: string): number => {
    const ms = parseDurationMs(text);
    if (ms === undefined) throw new UsageError(`${flag} "${text}" is not a duration (a number with ms, s, m or h: "500ms", "5s", "1m30s")`);
    return ms;
  };
  const stun = (flags.stun ?? []).map((text) => {
    try {
      return parseStunServer(text);
    } catch (error) {
      throw new UsageError(`--stun: ${(error as Error).message}`);
    }
  });
  const interfaces = (flags.interfaces ?? []).flatMap((list) => list.split(',')).map((name) => name.trim());
  if (interfaces.some((name) => name === '')) throw new UsageError(`--interfaces "${(flags.interfaces ?? []).join(',')}" has an empty interface name`);
  const annotation = flags.annotation ?? DEFAULT_ANNOTATION;
  if (!ANNOTATION_KEY.test(annotation)) throw new UsageError(`--annotation "${annotation}" is not an annotation key (prefix/name, as meshdns.io/addresses)`);
  const logLevel = flags.logLevel ?? AGENT_DEFAULTS.logLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new UsageError(`--log-level "${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`);
  return {
    node,
    kubeconfig: flags.kubeconfig,
    stun,
    interfaces,
    refreshMs: duration('--refresh', flags.refresh ?? AGENT_DEFAULTS.refresh),
    pollMs: duration('--poll', flags.poll ?? AGENT_DEFAULTS.poll),
    annotation,
    once: flags.once === true,
    logLevel,
  };
}
