import { isIP } from 'node:net';

/**
 * DNS rebinding guard: a page on attacker.example whose name is made to resolve to this listener
 * reaches it with `Host: attacker.example`, and the browser lets that page read the answers. So
 * only Host values a browser could not have been tricked into sending are served: an IP literal
 * (the page's origin is then that address itself), `localhost` on a listener reachable through
 * loopback, and the names the operator lists (`admin.allowedHosts`).
 */
export class HostCheck {
  private readonly names: Set<string>;
  private readonly localhost: boolean;

  constructor(listenHost: string, allowedHosts: readonly string[] = []) {
    this.names = new Set(allowedHosts.map(normalise));
    this.localhost = reachableThroughLoopback(listenHost);
  }

  /** Why the Host header is refused, or undefined when it may be served. */
  refusal(hostHeader: string | undefined): string | undefined {
    // HTTP/1.0 may send none; browsers always do
    if (hostHeader === undefined || hostHeader === '') return undefined;
    const host = hostName(hostHeader);
    if (host === undefined) return 'is not a host[:port]';
    if (isIP(host) !== 0) return undefined;
    if (host === 'localhost' && this.localhost) return undefined;
    if (this.names.has(host)) return undefined;
    return 'is not an address of this listener nor a name in admin.allowedHosts (a guard against DNS rebinding)';
  }
}

/** The host part of a Host header: `[::1]:8053` → `::1`, `Name.Example.:80` → `name.example`. */
export function hostName(header: string): string | undefined {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    if (end < 0) return undefined;
    const rest = h.slice(end + 1);
    if (rest !== '' && !/^:[0-9]{1,5}$/.test(rest)) return undefined;
    return h.slice(1, end);
  }
  const m = /^([^:]+)(?::[0-9]{1,5})?$/.exec(h);
  return m ? normalise(m[1]!) : undefined;
}

function normalise(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

/** Loopback and wildcard listeners take connections to 127.0.0.1/::1, which `localhost` names. */
function reachableThroughLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return /^127\./.test(h) || h === '::1' || /^::ffff:127\./.test(h) || h === '0.0.0.0' || h === '::' || h === 'localhost';
}
