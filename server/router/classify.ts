import { RRType } from '../../zones/rrtype.js';
import { opcodeOf } from '../message/header.js';
import { Opcode } from '../message/opcode.js';
import { Parsed, parseQuery, unanswerable, type ParsedQuery } from '../message/question.js';

/** What a message is, decided once; the router hands each class to its module. */
export const MessageClass = {
  /** Never answered: a response, shorter than a header. */
  DROP: 0,
  FORMERR: 1,
  /** RFC 6891 §6.1.3: an EDNS version we do not speak. */
  BADVERS: 2,
  QUERY: 3,
  AXFR: 4,
  IXFR: 5,
  NOTIFY: 6,
  UPDATE: 7,
  /** Any opcode we do not implement (IQUERY, STATUS, DSO, unassigned): NOTIMP. */
  OTHER_OPCODE: 8,
} as const;
export type MessageClassId = (typeof MessageClass)[keyof typeof MessageClass];

/** Lower-case names by class, for tests and logs. */
export const MESSAGE_CLASS_NAMES = ['drop', 'formerr', 'badvers', 'query', 'axfr', 'ixfr', 'notify', 'update', 'other-opcode'] as const;

/**
 * Header first, then the opcode, then the question: an opcode we do not implement is NOTIMP
 * whether or not it has a question (a DSO message, RFC 8490 §5.4, has none; knotd answers NOTIMP
 * for every such opcode), while QUERY, NOTIFY and UPDATE need exactly one. `q` is filled in.
 */
export function classify(msg: Uint8Array, q: ParsedQuery): MessageClassId {
  if (unanswerable(msg)) return MessageClass.DROP;
  const opcode = opcodeOf(msg);
  const known = opcode === Opcode.QUERY || opcode === Opcode.NOTIFY || opcode === Opcode.UPDATE;
  const parsed = parseQuery(msg, q, !known);
  if (parsed === Parsed.FORMERR) return MessageClass.FORMERR;
  if (parsed === Parsed.BADVERS) return MessageClass.BADVERS;
  switch (opcode) {
    case Opcode.QUERY:
      return q.qtype === RRType.AXFR ? MessageClass.AXFR : q.qtype === RRType.IXFR ? MessageClass.IXFR : MessageClass.QUERY;
    case Opcode.NOTIFY:
      return MessageClass.NOTIFY;
    case Opcode.UPDATE:
      return MessageClass.UPDATE;
    default:
      return MessageClass.OTHER_OPCODE;
  }
}
