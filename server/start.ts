import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { readdirSync } from 'node:fs';
import { ConfigError, loadConfig, type Config, type ListenAddress } from './config.js';
import { planReload, type ReloadStep } from './reload-plan.js';
import { TokenHolder } from './admin/auth.js';
import type { AdminContext, Readiness, ReloadReport } from './admin/context.js';
import { generatedToken } from './admin/token.js';
import { Holder } from './holder.js';
import { DnsListeners } from './listeners/dns-listeners.js';
import { CertificateSource } from './tls/certificates.js';
import { moduleLogger, setLogLevel } from './log.js';
import { ControlCounters } from './metrics/counters.js';
import { queryLogFor, type QueryLog } from './metrics/query-log.js';
import { QueryPipeline, type PipelineOptions } from './router/pipeline.js';
import { ZoneTable } from './zone-table.js';
import { parsePrefix } from './limits/address.js';
import { cookieSecrets } from './cookie-secret.js';
import { ServerCookies, type CookieSecrets } from './limits/cookies.js';
import { ResponseRateLimiter } from './limits/rrl.js';
import { journalLimitsFor, replicationFingerprint, type ReplicationConfig } from './config-replication.js';
import { NotifySender } from './xfr/notify-out.js';
import { SecondaryZones } from './xfr/secondary.js';
import { RRType } from '../zones/rrtype.js';
import { nameToKey, parseName } from '../zones/name.js';
import { LmdbStore, type ZoneMeta } from '../zones/store/lmdb-store.js';
import { ZoneWriter } from '../zones/store/write-door.js';
import { attachSigning } from '../dnssec/sign-stage.js';
import { KeyStore } from '../zones/store/key-store.js';
import { DnssecDriver } from './dnssec/driver.js';
import { parentDsTags } from './dnssec/parent-ds.js';
import { policyOf } from './config-dnssec.js';
import { ZoneFolder } from '../zones/import/zone-folder.js';
import { CatalogService } from './catalog/service.js';
import { checkFolders, lockDataFolder } from './startup-checks.js';
import { ReadinessLog } from './readiness-log.js';
import type { KubernetesService } from './kubernetes/service.js';

export interface RunningServer {
  store: LmdbStore;
  writer: ZoneWriter;
  table: ZoneTable;
  pipeline: QueryPipeline;
  /** The zone folder in use (a reload that changes zoneDir or zones replaces it). */
  readonly zoneFolder: ZoneFolder;
  /** Bound DNS addresses (port 0 replaced by the chosen port). */
  addresses: ListenAddress[];
  /** The admin API's bound address and, when meshdns made the token, the file holding it. */
  admin: { address: ListenAddress; tokenFile: string | undefined } | undefined;
  /** The admin fastify app (tests use its inject()). */
  adminApp: FastifyInstance | undefined;
  /** The separate metrics listener, when `metrics.listen` is set. */
  metricsAddress: ListenAddress | undefined;
  counters: ControlCounters;
  /** DNSSEC keys and signing state (tests move its clock through its options). */
  dnssec: DnssecDriver;
  /** The certificate of the tls and quic listeners; undefined when none is configured. */
  certificates: CertificateSource | undefined;
  /** Re-reads the config and zone folder and applies the difference; throws ConfigError and keeps the running config when the new one is invalid. */
  reload(): Promise<ReloadReport>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** How a reload reads the config (the CLI passes its flags again); default: the same file. */
  readConfig?: () => Config;
}

/**
 * The composition root: store, write door, zone table, query pipeline, DNS listeners, the admin
 * API with metrics and probes, zone files. Zones already in LMDB answer as soon as the sockets are
 * bound; zone files are reconciled after, while /readyz says "not ready".
 */
export async function startServer(config: Config, log: Logger, options: StartOptions = {}): Promise<RunningServer> {
  // a missing zone folder, an unusable data folder, one another meshdns serves: one line each,
  // said before any socket is bound
  checkFolders(config);
  const dataLock = lockDataFolder(config.data);
  let server: RunningServer;
  try {
    server = await startLocked(config, log, options);
  } catch (err) {
    dataLock.release();
    throw err;
  }
  const close = server.close.bind(server);
  server.close = async () => {
    await close();
    dataLock.release();
  };
  return server;
}

/** The start itself, once the data folder is this process's. */
async function startLocked(config: Config, log: Logger, options: StartOptions): Promise<RunningServer> {
  const readConfig = options.readConfig ?? (() => (config.file === undefined ? config : loadConfig(config.file)));
  const store = LmdbStore.open(config.data);
  if (store.orphansRemoved.length > 0) {
    moduleLogger(log, 'store').warn({ zoneIds: store.orphansRemoved }, 'removed content left under zone ids that no zone has (an interrupted zone creation of an older version)');
  }
  const writer = new ZoneWriter(store);
  const table = new ZoneTable(store);
  writer.onCommit((apexKey, meta) => table.update(apexKey, meta));
  // keys, ACLs, notify targets and journal limits: one object, replaced whole by a reload
  const replication = new Holder<ReplicationConfig>(config.replication);
  let running = config;
  // read at each commit, so a reload's new limits apply from the next one
  writer.journalLimits = (origin) => journalLimitsFor(replication.value, origin);
  const counters = new ControlCounters();
  const secondaries = new SecondaryZones(store, writer, table, () => replication.value, moduleLogger(log, 'xfr'), counters);
  // the producer's stage is on the write door before any zone is created (zone files, the API)
  let zoneFolderRef: (() => ZoneFolder) | undefined;
  const catalogs = new CatalogService({
    store, writer, table, secondaries, log: moduleLogger(log, 'catalog'),
    configuredZones: () => [...running.zones.map((z) => z.origin), ...(zoneFolderRef?.().wanted().map((e) => e.origin) ?? [])],
    transferState: (origin) => secondaries.state(origin),
  });
  catalogs.withMembers(replication.value);
  const queryLog = moduleLogger(log, 'querylog');
  const queryLogStage = new Holder<QueryLog | undefined>(queryLogFor(config.queryLog?.sample, queryLog));
  // kept by reference: a reload may change nsid and maxUdpPayload in place
  const pipelineOptions: PipelineOptions = {
    maxUdpPayload: config.maxUdpPayload, nsid: config.nsid, answerCacheSize: config.answerCacheSize, zoneLabels: config.metrics.zoneLabels,
  };
  const pipeline = new QueryPipeline(store, table, moduleLogger(log, 'query'), pipelineOptions, {
    replication, writer, secondaries, counters, queryLog: queryLogStage,
  });
  // configured zones take the metrics' zone labels first, in config order
  pipeline.stats.zones.configure(config.zones.map((z) => z.origin));
  // response rate limiting and DNS COOKIEs: applied by the pipeline to each computed response
  const limitsLog = moduleLogger(log, 'limits');
  const setRrl = (c: Config): void => {
    pipeline.guard.rrl = c.rrl === undefined ? undefined : new ResponseRateLimiter({ ...c.rrl, exempt: c.rrl.exempt.map((p) => parsePrefix(p)!) });
    pipeline.guardChanged();
  };
  const readCookieSecrets = (c: Config): CookieSecrets | undefined => {
    if (c.cookies === undefined) return undefined;
    const { secrets, source } = cookieSecrets(c.cookies, c.data);
    limitsLog.info({ source, rotating: secrets.previous !== undefined }, 'DNS COOKIE secret loaded');
    return secrets;
  };
  const setCookies = (secrets: CookieSecrets | undefined): void => {
    const guard = pipeline.guard;
    if (secrets === undefined) guard.cookies = undefined;
    else if (guard.cookies) guard.cookies.secrets = secrets;
    else guard.cookies = new ServerCookies(secrets);
    pipeline.guardChanged();
  };
  setRrl(config);
  setCookies(readCookieSecrets(config));
  if (config.rrl) limitsLog.info({ rrl: config.rrl }, 'response rate limiting on');
  // the summaries of suppressed log lines are written even when the flood has stopped
  const logFlush = setInterval(() => pipeline.logLimiter.flush(), LOG_FLUSH_MS);
  logFlush.unref();

  // RFC 1996: every commit to a primary zone is announced to its notify targets
  const notifier = new NotifySender(() => replication.value, moduleLogger(log, 'notify'), counters);
  const announce = (apexKey: Buffer, meta: ZoneMeta): number => {
    const soa = store.getNode(meta.id, apexKey, false)?.rrsets.find((set) => set.type === RRType.SOA);
    // a secondary tells its own secondaries (BIND, Knot do), never the primaries it transfers from
    const primaries = meta.kind === 'secondary' ? secondaries.primariesOf(meta.origin) : [];
    return notifier.zoneChanged(meta.origin, soa?.rrs[0] ? { ttl: soa.ttl, rdata: soa.rrs[0].rdata } : undefined, primaries);
  };
  writer.onCommit((apexKey, meta, result) => {
    if (meta && meta.records > 0 && (meta.kind === 'primary' || result.changed)) announce(apexKey, meta);
  });

  let listeners: DnsListeners | undefined;
  const http: FastifyInstance[] = [];
  const netLog = moduleLogger(log, 'net');
  let certificates: CertificateSource | undefined;
  const closeSockets = async () => {
    await Promise.all(http.map((app) => app.close()));
    await listeners?.close();
    certificates?.close();
  };

  const zonesLog = moduleLogger(log, 'zones');
  const makeFolder = (c: Config, previous?: ZoneFolder): ZoneFolder => {
    const folder = new ZoneFolder(
      store, writer, c.zoneDir,
      c.zones.filter((z) => z.file !== undefined).map((z) => ({ origin: z.origin, file: z.file!, ...(z.serialPolicy ? { serialPolicy: z.serialPolicy } : {}) })),
      c.serialPolicy, zonesLog, { loadFailed: () => counters.zoneFileLoadErrors++, loaderScript: new URL('./zone-load-worker.js', import.meta.url) },
    );
    if (previous) for (const [origin, status] of previous.status) folder.status.set(origin, status);
    return folder;
  };
  let zoneFolder = makeFolder(config);
  zoneFolderRef = () => zoneFolder;
  let initialSyncDone = false;
  const dnssecLog = moduleLogger(log, 'dnssec');
  for (const warning of config.dnssec.warnings) dnssecLog.warn(warning);
  const dnssec = new DnssecDriver({
    // catalogs are provisioning data for the consumers, never signed here
    store, writer, keys: new KeyStore(store), configuredPolicy: (origin) => (catalogs.isCatalog(origin) ? undefined : policyOf(running.dnssec, origin)),
    parentDs: (origin, policy) => parentDsTags(origin, policy, dnssecLog), log: dnssecLog, counters,
  });
  attachSigning(writer, (origin) => dnssec.policyFor(origin), {
    onSigned: (event) => {
      counters.dnssecSignatures += event.signatures;
      for (const key of event.keysCreated) {
        ControlCounters.inc(counters.dnssecKeyEvents, 'generated');
        dnssecLog.info({ zone: event.origin, keyTag: key.keyTag, role: key.role, algorithm: key.algorithm }, 'key event: key generated, published and active (zone signed for the first time)');
      }
      if (event.stripped > 0) {
        dnssecLog.warn({ zone: event.origin, records: event.stripped }, 'DNSSEC records from the source (RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY, CDS, CDNSKEY) dropped: this zone is signed here');
      }
    },
  });
  // records per RRset and zone: read at each commit, so a reload's new limits apply from the next one
  writer.limits = () => running.limits;

  let admin: RunningServer['admin'];
  let adminApp: FastifyInstance | undefined;
  let metricsAddress: ListenAddress | undefined;
  let token: TokenHolder | undefined;
  let tokenFile: string | undefined;
  /** The token meshdns generated (none configured), for the status page link in the log. */
  let madeToken: string | undefined;
  const adminLog = moduleLogger(log, 'admin');
  /** The embedded Kubernetes watcher, started once the zone files are in (a zone file of its zones comes first). */
  let kubernetes: KubernetesService | undefined;
  const readiness = (): Readiness => {
    const waiting: Readiness['waiting'] = [];
    if (!initialSyncDone) waiting.push({ zone: '*', reason: 'zone files are being loaded' });
    for (const entry of zoneFolder.wanted()) {
      const meta = store.zoneMeta(nameToKey(parseName(entry.origin)));
      if (!meta || meta.records === 0) {
        const error = zoneFolder.status.get(entry.origin)?.lastError;
        waiting.push({ zone: entry.origin, reason: error ? `its zone file has errors: ${error.problems[0]?.message ?? ''}` : 'not loaded yet' });
      }
    }
    for (const z of table.zones()) if (z.kind === 'secondary' && !z.loaded) waiting.push({ zone: z.origin, reason: 'secondary without data yet' });
    const problems: string[] = [];
    const folder = zoneFolder.folderError;
    if (folder) problems.push(`zone folder "${running.zoneDir}" cannot be read since ${folder.at} (${folder.reason}); its zones keep answering from LMDB`);
    const k8sProblem = kubernetes?.problem();
    if (k8sProblem !== undefined) problems.push(k8sProblem);
    return { ready: waiting.length === 0, waiting, problems };
  };

  /** Set once the server is up: a reload may move readiness (zones added or dropped). */
  let reloaded = (): void => undefined;
  let reloading: Promise<ReloadReport> = Promise.resolve({ applied: [], restartNeeded: [] });
  const reload = (): Promise<ReloadReport> => {
    // one reload at a time; a second waits for the first and then reads the file again
    reloading = reloading.catch(() => undefined).then(() => reloadOnce());
    return reloading;
  };
  const reloadOnce = async (): Promise<ReloadReport> => {
    let next: Config;
    try {
      next = readConfig();
    } catch (err) {
      ControlCounters.inc(counters.reloads, 'rejected');
      log.error({ reason: (err as Error).message }, 'config reload rejected; the running config stays');
      throw err;
    }
    // everything is decided and checked before anything changes: a rejected reload touches nothing
    const plan = planReload(running, next, (c) => replicationFingerprint(c.replication));
    let nextSecrets: CookieSecrets | undefined;
    try {
      if (plan.steps.includes('zoneFiles') && next.zoneDir !== undefined) assertReadableFolder(next.zoneDir);
      // read at every reload: rotating the secret is writing a new first line in its file and reloading
      nextSecrets = readCookieSecrets({ ...next, data: running.data });
    } catch (err) {
      ControlCounters.inc(counters.reloads, 'rejected');
      log.error({ reason: (err as Error).message }, 'config reload rejected; the running config stays');
      throw err;
    }
    const apply: Record<ReloadStep, () => void> = {
      logLevel: () => setLogLevel(log, next.logLevel),
      answerOptions: () => {
        pipelineOptions.nsid = next.nsid;
        pipelineOptions.maxUdpPayload = next.maxUdpPayload;
        table.generation++; // cached answers carry the old OPT record
      },
      // keys and ACLs apply to the next request
      replication: () => {
        replication.value = catalogs.withMembers(next.replication);
        secondaries.sync();
      },
      catalogs: () => catalogs.apply(next.catalogs),
      queryLog: () => {
        queryLogStage.value = queryLogFor(next.queryLog?.sample, queryLog);
      },
      // a changed rrl section starts from empty buckets; cookie secrets are applied below in any case
      rateLimits: () => {
        if (JSON.stringify(next.rrl) !== JSON.stringify(running.rrl)) setRrl(next);
      },
      // (the write door, the zone folder and the API read `running.limits` at each use)
      recordLimits: () => undefined,
      adminToken: () => token?.set(next.admin?.token ?? generatedToken(running.data).token),
      dnssec: () => {
        for (const warning of next.dnssec.warnings) dnssecLog.warn(warning);
      },
      zoneFiles: () => {
        pipeline.stats.zones.configure(next.zones.map((z) => z.origin));
        const old = zoneFolder;
        old.close();
        zoneFolder = makeFolder(next, old);
        zoneFolder.watch();
      },
    };
    for (const step of plan.steps) apply[step]();
    setCookies(nextSecrets);
    const { applied, restartNeeded } = plan;
    running = plan.running;
    // a new policy acts now: keys, re-signing, or going insecure
    if (plan.steps.includes('dnssec')) dnssec.start();
    await zoneFolder.sync();
    reloaded();
    ControlCounters.inc(counters.reloads, 'applied');
    log.info({ applied, restartNeeded }, 'config reloaded');
    if (restartNeeded.length > 0) log.warn({ keys: restartNeeded }, 'changed config keys take effect after a restart; the running values stay');
    return { applied, restartNeeded };
  };

  let firstSync: Promise<void> | undefined;
  try {
    if (config.listen.some((l) => l.transports.includes('tls') || l.transports.includes('quic'))) {
      const tlsLog = moduleLogger(log, 'tls');
      certificates = await CertificateSource.open(config.tls, store, tlsLog);
      const id = certificates.current;
      // the pin is what peers configure (kdig +tls-pin, Knot cert-key, primaries[].pin): a public value
      tlsLog.info({ pin: id.pin, source: id.source, subject: id.subject, validTo: id.validTo, ...(config.tls.certFile ? { certFile: config.tls.certFile } : {}) }, 'tls certificate');
    }
    listeners = await DnsListeners.start(config.listen, pipeline, {
      ...config, certificates, bindMetrics: (transport, server) => pipeline.stats.bind(transport, server),
    }, netLog);
    catalogs.apply(config.catalogs);
    // zone files load while the admin server compiles its schemas (it answers /readyz 503 until done)
    firstSync = zoneFolder.sync();
    secondaries.sync();
    // fastify and prom-client take a few hundred ms to load and compile their schemas, during which
    // nothing else runs: let the DNS sockets take their first queries before that (a restart answers
    // within ~0.3 s instead of ~0.8 s; the admin API follows a moment later)
    await new Promise((resolve) => setTimeout(resolve, ADMIN_START_DELAY_MS));
    const [{ buildAdminApp }, { listenHttp }, { createMetricsRegistry }, { HostCheck }] = await Promise.all([
      import('./admin/app.js'), import('./admin/listen.js'), import('./metrics/registry.js'), import('./admin/host-check.js'),
    ]);
    const metrics = createMetricsRegistry({
      pipeline, table, counters, zoneFileStatus: () => zoneFolder.status,
      udpCounters: () => listeners!.udpCounters(),
      limits: () => ({
        rrlDropped: pipeline.guard.rrlDropped, rrlSlipped: pipeline.guard.rrlSlipped,
        cookiesValid: pipeline.guard.validCookies, cookiesOther: pipeline.guard.otherCookies,
        logLinesSuppressed: pipeline.logLimiter.suppressed,
      }),
      tcpCounters: () => listeners!.tcpCounters(), dnssec: () => dnssec.zones(), catalogs: () => catalogs, kubernetes: () => kubernetes,
      secondaries: { zones: secondaries, store },
      connectionStats: () => listeners!.connectionStats(),
      doqCounters: () => listeners!.doqCounters(),
    });
    if (config.admin) {
      if (config.admin.token === undefined) {
        const generated = generatedToken(config.data);
        madeToken = generated.token;
        token = new TokenHolder(generated.token);
        tokenFile = generated.file;
      } else {
        token = new TokenHolder(config.admin.token);
      }
    }
    const ctx: AdminContext = {
      store, writer, table, zoneFolder: () => zoneFolder, token: token ?? new TokenHolder(randomUnguessable()), ...(config.admin ? { tokenSource: config.admin.tokenSource } : {}),
      metrics, counters, log: adminLog, reload, readiness, dnssec, tlsPin: () => certificates?.current.pin, catalogs, kubernetes: () => kubernetes?.status(),
      replication: {
        notify: async (origin) => {
          const apexKey = nameToKey(parseName(origin));
          const meta = store.zoneMeta(apexKey);
          return { sent: meta ? announce(apexKey, meta) : 0, failed: 0 };
        },
        retransfer: async (origin) => secondaries.retransfer(origin),
        transferState: (origin) => secondaries.state(origin),
      },
    };
    if (config.admin) {
      const app = buildAdminApp(ctx, { hosts: new HostCheck(config.admin.listen.host, config.admin.allowedHosts) });
      adminApp = app;
      http.push(app);
      const bound = await listenHttp(app, config.admin.listen, 'admin http');
      admin = { address: bound, tokenFile };
      const page = `http://${bound.family === 6 ? `[${bound.host}]` : bound.host}:${bound.port}/`;
      // the token itself is never logged, made here or configured: the log names where it is
      adminLog.info({
        address: bound.host, port: bound.port, statusPage: page,
        ...(tokenFile ? { statusPageWithToken: `${page}#token=$(cat ${tokenFile})` } : {}),
        tokenSource: config.admin.tokenSource, ...(tokenFile ? { tokenFile } : {}),
      }, 'admin listening');
    }
    if (config.metrics.listen) {
      const app = buildAdminApp(ctx, { probesOnly: true, hosts: new HostCheck(config.metrics.listen.host, config.admin?.allowedHosts) });
      http.push(app);
      metricsAddress = await listenHttp(app, config.metrics.listen, 'metrics http');
      adminLog.info({ address: metricsAddress.host, port: metricsAddress.port }, 'metrics listening');
    }
  } catch (err) {
    clearInterval(logFlush);
    await firstSync?.catch(() => undefined);
    zoneFolder.close();
    await closeSockets();
    await store.close();
    throw err;
  }

  await firstSync;
  initialSyncDone = true;
  zoneFolder.watch();
  dnssec.start();
  if (config.kubernetes) {
    const { KubernetesService } = await import('./kubernetes/service.js');
    kubernetes = new KubernetesService(config.kubernetes, { store, writer, log: moduleLogger(log, 'kubernetes'), serialPolicy: config.serialPolicy });
    // the zones it writes to exist when this returns (they answer before the API server is reached)
    void kubernetes.start();
  }
  // as BIND's notify-on-load: secondaries that missed changes while this server was down (a mesh
  // site restarting) hear of the current serials now instead of at their next refresh
  const startupNotify = notifyAll(table, store, announce);
  const bound = listeners!.addresses;
  const readinessLog = new ReadinessLog({
    readiness,
    answeringZones: () => [...table.zones()].filter((z) => z.loaded && !z.expired).map((z) => z.origin),
    addresses: () => bound.map((a) => `${a.family === 6 ? `[${a.host}]` : a.host}:${a.port}`),
  }, log);
  readinessLog.start();
  writer.onCommit(() => readinessLog.changed());
  reloaded = () => readinessLog.changed();

  return {
    store, writer, table, pipeline, addresses: listeners!.addresses, admin, adminApp, metricsAddress, counters, reload, dnssec, certificates,
    get zoneFolder() {
      return zoneFolder;
    },
    async close() {
      clearInterval(logFlush);
      clearTimeout(startupNotify.timer);
      readinessLog.close();
      await kubernetes?.stop();
      await dnssec.close();
      zoneFolder.close();
      notifier.close();
      secondaries.close();
      await closeSockets();
      await store.close();
    },
  };
}

const ADMIN_START_DELAY_MS = 60;
/** Zones announced per tick of the start-up NOTIFY round, and the pause between ticks. */
const STARTUP_NOTIFY_BATCH = 200;
const STARTUP_NOTIFY_PAUSE_MS = 50;

/** NOTIFY for every loaded primary zone, a batch per tick so a server of many zones does not flood its secondaries. */
function notifyAll(table: ZoneTable, store: LmdbStore, announce: (apexKey: Buffer, meta: ZoneMeta) => number): { timer: NodeJS.Timeout | undefined } {
  const zones = [...table.zones()].filter((z) => z.kind === 'primary' && z.loaded).map((z) => z.apexKey);
  const handle: { timer: NodeJS.Timeout | undefined } = { timer: undefined };
  const tick = (from: number): void => {
    for (const apexKey of zones.slice(from, from + STARTUP_NOTIFY_BATCH)) {
      const meta = store.zoneMeta(apexKey);
      if (meta && meta.kind === 'primary' && meta.records > 0) announce(apexKey, meta);
    }
    if (from + STARTUP_NOTIFY_BATCH < zones.length) {
      handle.timer = setTimeout(() => tick(from + STARTUP_NOTIFY_BATCH), STARTUP_NOTIFY_PAUSE_MS);
      handle.timer.unref();
    }
  };
  tick(0);
  return handle;
}
/** How often summaries of suppressed per-packet log lines are written. */
const LOG_FLUSH_MS = 5000;

/** The admin context needs a token holder even when only the metrics listener runs; nothing can match it. */
function randomUnguessable(): string {
  return `unusable-${crypto.randomUUID()}-${crypto.randomUUID()}`;
}

/** A reload that points the zone folder elsewhere is refused while the new folder cannot be read. */
function assertReadableFolder(dir: string): void {
  try {
    readdirSync(dir);
  } catch (err) {
    throw new ConfigError(`zoneDir: "${dir}" cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
