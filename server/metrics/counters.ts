/**
 * Control-plane events counted as plain numbers, read by the metrics collector at scrape time.
 * The modules that do the work increment them: the admin API (updates) and, as they arrive,
 * transfers, NOTIFY and RFC 2136 dynamic update (issue "Replication").
 */
export class ControlCounters {
  /** Changes committed / refused, by source ("api", "rfc2136"). */
  readonly updatesApplied = new Map<string, number>();
  readonly updatesRefused = new Map<string, number>();
  /** Outgoing zone transfers by kind ("axfr", "ixfr"), and failed ones. */
  readonly transfersOut = new Map<string, number>();
  readonly transfersOutFailed = new Map<string, number>();
  /** Incoming zone transfers by kind, and failed ones. */
  readonly transfersIn = new Map<string, number>();
  readonly transfersInFailed = new Map<string, number>();
  notifySent = 0;
  notifyFailed = 0;
  /** Zone-file loads that failed (file kept out, previous version answering). */
  zoneFileLoadErrors = 0;
  /** RRSIGs made by the sign stage in this process (commits in worker threads and the loader not included). */
  dnssecSignatures = 0;
  /** DNSSEC key events by kind: generated, imported, deleted, or the key timestamp set (publish, active, retire, remove, dsSubmitted, dsSeen, dsRemovedSeen). */
  readonly dnssecKeyEvents = new Map<string, number>();
  /** Config reloads by result ("applied", "rejected"). */
  readonly reloads = new Map<string, number>();

  static inc(map: Map<string, number>, key: string, by = 1): void {
    map.set(key, (map.get(key) ?? 0) + by);
  }
}
