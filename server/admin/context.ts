import type { KubernetesStatus } from '../kubernetes/service.js';
import type { DnssecControl } from '../dnssec/control.js';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { ZoneTable } from '../zone-table.js';
import type { ControlCounters } from '../metrics/counters.js';
import type { ZoneReader } from '../../zones/store/reader.js';
import type { ZoneWriter } from '../../zones/store/write-door.js';
import type { ZoneFolder } from '../../zones/import/zone-folder.js';
import type { TokenHolder } from './auth.js';
import type { CatalogControl } from '../catalog/control.js';

/** What a config reload did: keys applied at once, keys that only take effect after a restart. */
export interface ReloadReport {
  applied: string[];
  restartNeeded: string[];
}

export interface Readiness {
  ready: boolean;
  /** Why not: zones not loaded yet, secondaries without data. */
  waiting: { zone: string; reason: string }[];
  /** Faults that do not stop answering (an unreadable zone folder): shown, not counted against readiness. */
  problems: string[];
}

/**
 * Replication (issue "Replication") plugs in here; until it does, NOTIFY and retransfer answer 501
 * and zones report no transfer state.
 */
export interface ReplicationHooks {
  notify(origin: string): Promise<{ sent: number; failed: number }>;
  retransfer(origin: string): Promise<void>;
  transferState(origin: string): Record<string, unknown> | null;
}

/** Everything the admin HTTP server reads or calls; start.ts builds it. */
export interface AdminContext {
  store: ZoneReader;
  writer: ZoneWriter;
  table: ZoneTable;
  /** The current zone folder (a reload may replace it). */
  zoneFolder(): ZoneFolder;
  token: TokenHolder;
  /** Where the token comes from (never the token): the status page tells a visitor where to find it. */
  tokenSource?: 'admin.token' | 'admin.tokenFile' | 'MESHDNS_API_TOKEN' | 'generated';
  metrics: Registry;
  counters: ControlCounters;
  log: Logger;
  reload(): Promise<ReloadReport>;
  readiness(): Readiness;
  replication?: ReplicationHooks;
  /** DNSSEC keys and signing state (server/dnssec/driver.ts). */
  dnssec?: DnssecControl;
  /** The SPKI pin of the tls/quic certificate now, when such a listener runs (shown on the status page). */
  tlsPin?: () => string | undefined;
  /** Catalog zones produced and consumed (server/catalog/service.ts). */
  catalogs?: CatalogControl;
  /** The Kubernetes watcher's status, when `kubernetes:` is configured (server/kubernetes/service.ts). */
  kubernetes?: () => KubernetesStatus | undefined;
  /** Status page polling interval in ms (tests shorten it). */
  statusRefreshMs?: number;
}
