/**
 * Hostnames as Kubernetes objects give them (no trailing dot, any case, maybe `*.` in front) turned
 * into the absolute lowercase names records are written under, and the zone check.
 */

const LABEL = /^(?:\*|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)$/;

/** `Foo.Example.org` / `foo.example.org.` → `foo.example.org.`; undefined when it is no hostname. */
export function absoluteName(hostname: string): string | undefined {
  const text = hostname.trim().toLowerCase();
  if (text === '' || text === '.') return undefined;
  const body = text.endsWith('.') ? text.slice(0, -1) : text;
  if (body.length > 253) return undefined; // RFC 1035 §2.3.4: 255 octets on the wire
  const labels = body.split('.');
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] ?? '';
    if (!LABEL.test(label)) return undefined;
    // RFC 4592 §2.1.1: the asterisk is a wildcard only as the leftmost label.
    if (label === '*' && i !== 0) return undefined;
  }
  return `${body}.`;
}

/** The zone (from `zones`) holding `name`: the longest one that is `name` or an ancestor of it. */
export function zoneOf(name: string, zones: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const raw of zones) {
    const zone = raw.toLowerCase().endsWith('.') ? raw.toLowerCase() : `${raw.toLowerCase()}.`;
    const inside = zone === '.' || name === zone || name.endsWith(`.${zone}`);
    if (inside && (best === undefined || zone.length > best.length)) best = zone;
  }
  return best;
}

/** The first label of `name` prefixed: `prefix` + `.` + `name`. */
export function childName(prefix: string, name: string): string {
  return `${prefix}.${name}`;
}
