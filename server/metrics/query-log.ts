import type { Logger } from 'pino';
import { nameToText } from '../../zones/name.js';
import { typeToText } from '../../zones/rrtype.js';
import { Header, HEADER_LENGTH, rcodeOf } from '../message/header.js';
import { TRANSPORTS, type PeerAddress, type TransportId } from '../transports.js';

/**
 * The optional query log (`queryLog: {sample: 0.01}`): one query in 1/sample is logged at info
 * level, the query data nested under `query` (it is untrusted). A stage the pipeline calls after
 * each message when one is configured; when off there is none, and the query path does no work
 * for it at all.
 */
export class QueryLog {
  private readonly every: number;
  private countdown: number;

  constructor(sample: number, private readonly log: Logger) {
    this.every = Math.max(1, Math.round(1 / sample));
    this.countdown = this.every;
  }

  record(msg: Buffer, transport: TransportId, peer: PeerAddress, response: unknown): void {
    if (--this.countdown !== 0) return;
    this.countdown = this.every;
    this.log.info({ query: describe(msg, transport, typeof peer === 'string' ? peer : peer(), response) }, 'query');
  }
}

/** The query log for a config's `queryLog.sample`, or none. */
export function queryLogFor(sample: number | undefined, log: Logger): QueryLog | undefined {
  return sample === undefined ? undefined : new QueryLog(sample, log);
}

function describe(msg: Buffer, transport: TransportId, peer: string, response: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { transport: TRANSPORTS[transport]?.name, size: msg.length };
  if (peer) out['client'] = peer;
  if (msg.length >= HEADER_LENGTH) out['id'] = msg.readUInt16BE(Header.ID);
  try {
    if (msg.length > HEADER_LENGTH && msg.readUInt16BE(Header.QDCOUNT) === 1) {
      out['name'] = nameToText(msg, HEADER_LENGTH);
      let p = HEADER_LENGTH;
      while (p < msg.length && msg[p] !== 0) p += msg[p]! + 1;
      if (p + 3 <= msg.length) out['type'] = typeToText(msg.readUInt16BE(p + 1));
    }
  } catch {
    out['name'] = null; // not a name we can print; the rest still tells what came in
  }
  if (response === undefined) out['rcode'] = 'dropped';
  else if (Buffer.isBuffer(response)) {
    out['rcode'] = rcodeOf(response);
    out['responseSize'] = response.length;
  } else {
    out['rcode'] = 'stream'; // several messages (a zone transfer); not read here, the listener sends them
  }
  return out;
}
