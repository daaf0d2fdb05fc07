import type { Logger } from 'pino';
import { nameToText } from '../../zones/name.js';
import type { ParsedQuery } from '../message/question.js';
import { Rcode } from '../message/rcode.js';
import type { Responses } from '../message/responses.js';
import type { LogLimiter } from '../limits/log-limiter.js';
import type { Keyring, TsigKey } from './keys.js';
import type { ReplayGuard } from './replay.js';
import { signMessage, timeOther, TsigError, verifyMessage, type VerifyResult } from './tsig.js';

/** The key a request was verified with and its MAC: what signing the answer needs (RFC 8945 §5.3). */
export interface Signing {
  key: TsigKey;
  requestMac: Buffer;
}

/** Room kept in a message for the TSIG RR that signs it. */
export const TSIG_ROOM = 400;

export type HandlerResult = Buffer | Iterable<Buffer> | undefined;

/**
 * RFC 8945 around any handler: verify the request, let the handler answer knowing the key, sign
 * the answer. A single message is signed here; a sequence (a zone transfer) signs itself, since
 * each message's MAC chains to the previous one (§5.3.1). With `replays` (requests that change
 * state), a MAC already seen within the time window is refused as BADTIME.
 */
export function handleSigned(
  msg: Buffer, q: ParsedQuery, keyring: Keyring, responses: Responses, log: Logger, peer: string,
  handler: (signing: Signing | undefined) => HandlerResult,
  replays?: ReplayGuard,
  logLimit?: LogLimiter,
): HandlerResult {
  const verdict = verifyMessage(msg, keyring);
  if (verdict.status === 'formerr') return responses.bare(msg, q, Rcode.FORMERR);
  if (verdict.status === 'error') return failure(msg, q, verdict, responses, log, peer, logLimit);
  if (verdict.status === 'ok' && replays && !replays.admit(verdict.key, verdict.tsig.mac, verdict.tsig.timeSigned)) {
    const replay = { status: 'error', error: TsigError.BADTIME, reason: 'MAC already seen: a replayed request', key: verdict.key, tsig: verdict.tsig } as const;
    return failure(msg, q, replay, responses, log, peer, logLimit);
  }
  const signing = verdict.status === 'ok' ? { key: verdict.key, requestMac: verdict.tsig.mac } : undefined;
  const result = handler(signing);
  if (signing === undefined || !(result instanceof Uint8Array)) return result;
  return signMessage(result, signing.key, { priorMac: signing.requestMac }).message;
}

/** RFC 8945 §5.3.2: NOTAUTH; BADKEY and BADSIG carry an unsigned TSIG, BADTIME a signed one. */
function failure(
  msg: Buffer, q: ParsedQuery, verdict: Extract<VerifyResult, { status: 'error' }>, responses: Responses, log: Logger, peer: string,
  logLimit: LogLimiter | undefined,
): Buffer {
  if (logLimit === undefined || logLimit.allow(log, 'tsig-failed')) log.warn(
    { client: peer, key: nameToText(verdict.tsig.keyName), error: verdict.error, reason: verdict.reason },
    'TSIG verification failed: NOTAUTH',
  );
  const base = responses.bare(msg, q, Rcode.NOTAUTH);
  if (verdict.error === TsigError.BADTIME && verdict.key) {
    return signMessage(base, verdict.key, { priorMac: verdict.tsig.mac, error: TsigError.BADTIME, other: timeOther() }).message;
  }
  const echo = { name: verdict.tsig.keyName, algorithmName: verdict.tsig.algorithm } as TsigKey;
  return signMessage(base, echo, { unsigned: true, error: verdict.error }).message;
}
