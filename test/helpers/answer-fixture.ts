// The one place where the golden answer tables meet the server's internals: a throw-away LMDB store,
// zone files loaded through the write door, the zone table and the query pipeline, and `ask`, which
// hands a query's bytes to QueryPipeline.handle() (no sockets) and decodes the answer.
//
// When the write door or the pipeline's constructor change, this file is the only one to adapt.
import { DEFAULT_LIMITS } from '../../zones/limits.js';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pino } from 'pino';
import { ZoneWriter } from '../../zones/store/write-door.js';
import { LmdbStore } from '../../zones/store/lmdb-store.js';
import { applyZoneFile } from '../../zones/import/zone-file-apply.js';
import { QueryPipeline } from '../../server/router/pipeline.js';
import { Transport } from '../../server/transports.js';
import { ZoneTable } from '../../server/zone-table.js';
import { answerQueryWire, type AnswerQuery } from './answer-query.js';
import { decodeResponse, type Decoded } from './presentation.js';

export interface AnswerZone {
  origin: string;
  file: string;
}

export interface AnswerFixtureOptions {
  /** NSID the server sends when asked (RFC 5001); default "meshdns-answer-table". */
  nsid?: string;
  /** Largest UDP payload the server offers; default 1232. */
  maxUdpPayload?: number;
}

export interface AnswerFixture {
  /** The decoded answer to one query, or null when the server stays silent. */
  ask(q: AnswerQuery): Decoded | null;
  /** Raw bytes in, raw bytes out (null: silence), for hand-made packets. */
  askWire(msg: Buffer, tcp?: boolean): Buffer | null;
  close(): Promise<void>;
}

/** Zones given as files named `ORIGIN.zone` (the differential layout) or as {origin, file}. */
export async function openAnswerFixture(zones: readonly (string | AnswerZone)[], options: AnswerFixtureOptions = {}): Promise<AnswerFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-answer-table-'));
  const store = LmdbStore.open(dir);
  try {
    const writer = new ZoneWriter(store);
    const table = new ZoneTable(store);
    writer.onCommit((apexKey, meta) => table.update(apexKey, meta));
    for (const zone of zones) {
      const { origin: given, file } = typeof zone === 'string' ? { origin: basename(zone).replace(/\.zone$/, ''), file: zone } : zone;
      const origin = given.endsWith('.') ? given : `${given}.`;
      const st = statSync(file);
      const outcome = applyZoneFile(store, writer, {
        origin, file, includeRoot: dirname(file), serialPolicy: 'increment', limits: DEFAULT_LIMITS,
        source: { file, mtimeMs: st.mtimeMs, size: st.size, sha256: '' },
      }, () => undefined);
      if (!outcome.ok) {
        const problems = 'problems' in outcome ? outcome.problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join('; ') : 'secondary zone';
        throw new Error(`zone "${origin}" from "${file}" did not load: ${problems}`);
      }
    }
    const pipeline = new QueryPipeline(store, table, pino({ level: process.env['ANSWER_FIXTURE_LOG'] ?? 'silent' }), {
      maxUdpPayload: options.maxUdpPayload ?? 1232,
      nsid: Buffer.from(options.nsid ?? 'meshdns-answer-table'),
      answerCacheSize: 1000,
    });
    const askWire = (msg: Buffer, tcp = false): Buffer | null => {
      const out = pipeline.handle(msg, tcp ? Transport.TCP4 : Transport.UDP4, '127.0.0.1');
      if (out === undefined) return null;
      if (out instanceof Uint8Array) return Buffer.from(out);
      throw new Error('the pipeline answered a table query with a message stream (a zone transfer?)');
    };
    return {
      ask: (q) => {
        const out = askWire(answerQueryWire(q), q.tcp === true);
        return out === null ? null : decodeResponse(out);
      },
      askWire,
      close: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
