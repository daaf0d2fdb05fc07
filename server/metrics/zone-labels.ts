import type { ServedZone } from '../zone-table.js';

/** The `zone` label of traffic outside the labelled zones, and of names in no zone. */
export const OTHER_ZONE = 'other';

/**
 * The bounded `zone` label: at most `capacity` zones get a slot of their own (1..capacity), the
 * rest count in slot 0, "other". Configured zones take slots first, in config order; zones found
 * otherwise (zone folder, admin API) take what is left as they are first answered. A slot, once
 * given, keeps its zone until restart, so a series never changes meaning under Prometheus.
 */
export class ZoneLabels {
  private readonly slots = new Map<string, number>();
  /** Label per slot; index 0 is "other". */
  readonly names: string[] = [OTHER_ZONE];

  constructor(readonly capacity: number) {}

  /** Configured origins, in config order (at start, and on reload for zones added since). */
  configure(origins: Iterable<string>): void {
    for (const origin of origins) this.slotOfOrigin(origin);
  }

  /**
   * The slot of a served zone, cached on it: the query path reads two fields, and looks the origin
   * up once per zone object.
   */
  slotOf(zone: ServedZone): number {
    const known = zone.metricLabel;
    if (known !== undefined && known.owner === this) return known.slot;
    const slot = this.slotOfOrigin(zone.origin);
    zone.metricLabel = { owner: this, slot };
    return slot;
  }

  private slotOfOrigin(origin: string): number {
    const key = canonical(origin);
    const known = this.slots.get(key);
    if (known !== undefined) return known;
    if (this.names.length > this.capacity) return 0;
    this.slots.set(key, this.names.length);
    return this.names.push(key) - 1;
  }
}

/** `Example.Test` and `example.test.` are one zone: lowercase, with the trailing dot. */
function canonical(origin: string): string {
  const lower = origin.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}
