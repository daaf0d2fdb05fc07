import type { Logger } from 'pino';
import { nameToText } from '../../zones/name.js';
import { typeToText } from '../../zones/rrtype.js';
import { QueryPipeline } from '../query/pipeline.js';
import type { TransportId } from '../query/stats.js';

const TRANSPORT_NAMES = ['udp4', 'udp6', 'tcp4', 'tcp6'];

/**
 * The optional query log (`queryLog: {sample: 0.01}`): one query in 1/sample is logged at info
 * level, the query data nested under `query` (it is untrusted). When off, the pipeline's own
 * `handle` runs unwrapped, so the query path does no work for it at all.
 */
export function setQueryLog(pipeline: QueryPipeline, sample: number | undefined, log: Logger): void {
  const own = pipeline as { handle: QueryPipeline['handle'] };
  if (sample === undefined) {
    delete (own as { handle?: unknown }).handle; // back to QueryPipeline.prototype.handle
    return;
  }
  const every = Math.max(1, Math.round(1 / sample));
  const handle = QueryPipeline.prototype.handle;
  let countdown = every;
  own.handle = function sampled(this: QueryPipeline, ...args: Parameters<QueryPipeline['handle']>): ReturnType<QueryPipeline['handle']> {
    const response = handle.apply(this, args);
    if (--countdown === 0) {
      countdown = every;
      const [msg, transport, peer] = args as unknown[] as [Buffer, TransportId, string | undefined];
      log.info({ query: describe(msg, transport, peer, response) }, 'query');
    }
    return response;
  };
}

function describe(msg: Buffer, transport: TransportId, peer: string | undefined, response: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { transport: TRANSPORT_NAMES[transport], size: msg.length };
  if (peer) out['client'] = peer;
  if (msg.length >= 12) out['id'] = msg.readUInt16BE(0);
  try {
    if (msg.length > 12 && msg.readUInt16BE(4) === 1) {
      out['name'] = nameToText(msg, 12);
      let p = 12;
      while (p < msg.length && msg[p] !== 0) p += msg[p]! + 1;
      if (p + 3 <= msg.length) out['type'] = typeToText(msg.readUInt16BE(p + 1));
    }
  } catch {
    out['name'] = null; // not a name we can print; the rest still tells what came in
  }
  if (response === undefined) out['rcode'] = 'dropped';
  else if (Buffer.isBuffer(response)) {
    out['rcode'] = response[3]! & 0x0f;
    out['responseSize'] = response.length;
  } else {
    out['rcode'] = 'stream'; // several messages (a zone transfer); not read here, the listener sends them
  }
  return out;
}
