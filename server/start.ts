import type dgram from 'node:dgram';
import type net from 'node:net';
import type { Logger } from 'pino';
import type { Config, ListenAddress } from './config.js';
import { listenTcp } from './listeners/tcp.js';
import { listenUdp } from './listeners/udp.js';
import { QueryPipeline } from './query/pipeline.js';
import { ZoneTable } from './query/zone-table.js';
import { LmdbStore } from '../zones/store/lmdb-store.js';
import { ZoneWriter } from '../zones/store/commit.js';
import { ZoneFolder } from '../zones/zone-folder.js';

export interface RunningServer {
  store: LmdbStore;
  writer: ZoneWriter;
  table: ZoneTable;
  pipeline: QueryPipeline;
  zoneFolder: ZoneFolder;
  /** Bound addresses (port 0 replaced by the chosen port). */
  addresses: ListenAddress[];
  close(): Promise<void>;
}

/**
 * The composition root: store, write door, zone table, query pipeline, listeners, zone files.
 * Zones already in LMDB answer as soon as the sockets are bound; zone files are reconciled after.
 */
export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const store = LmdbStore.open(config.data);
  const writer = new ZoneWriter(store);
  const table = new ZoneTable(store);
  writer.onCommit((apexKey, meta) => table.update(apexKey, meta));
  const pipeline = new QueryPipeline(store, table, log.child({ module: 'query' }), {
    maxUdpPayload: config.maxUdpPayload,
    nsid: config.nsid,
    answerCacheSize: config.answerCacheSize,
  });

  const udp: dgram.Socket[] = [];
  const tcp: net.Server[] = [];
  const addresses: ListenAddress[] = [];
  const netLog = log.child({ module: 'net' });
  const closeSockets = async () => {
    for (const s of udp) s.close();
    await Promise.all(tcp.map((s) => new Promise<void>((r) => s.close(() => r()))));
  };
  try {
    for (const address of config.listen) {
      const bound = await listenBoth(address, pipeline, config, netLog, udp, tcp);
      addresses.push(bound);
      netLog.info({ proto: 'udp', address: bound.host, port: bound.port }, 'listening');
      netLog.info({ proto: 'tcp', address: bound.host, port: bound.port }, 'listening');
    }
  } catch (err) {
    await closeSockets();
    await store.close();
    throw err;
  }

  const zoneFolder = new ZoneFolder(
    store, writer, config.zoneDir,
    config.zones.filter((z) => z.file !== undefined).map((z) => ({ origin: z.origin, file: z.file!, ...(z.serialPolicy ? { serialPolicy: z.serialPolicy } : {}) })),
    config.serialPolicy, log.child({ module: 'zones' }),
  );
  await zoneFolder.sync();
  zoneFolder.watch();

  return {
    store, writer, table, pipeline, zoneFolder, addresses,
    async close() {
      zoneFolder.close();
      await closeSockets();
      await store.close();
    },
  };
}

/**
 * UDP and TCP on one port. With port 0 the kernel picks UDP's port and TCP takes the same number;
 * when that TCP port is taken (a client's ephemeral port, say) the pair is tried again.
 */
async function listenBoth(
  address: ListenAddress, pipeline: QueryPipeline, config: Config, log: Logger, udp: dgram.Socket[], tcp: net.Server[],
): Promise<ListenAddress> {
  for (let attempt = 0; ; attempt++) {
    const u = await listenUdp(address, pipeline, log);
    const bound = { ...address, port: u.address().port };
    try {
      tcp.push(await listenTcp(bound, pipeline, config.tcp, log));
    } catch (err) {
      u.close();
      if (address.port !== 0 || attempt >= 20) throw err;
      continue;
    }
    udp.push(u);
    return bound;
  }
}
