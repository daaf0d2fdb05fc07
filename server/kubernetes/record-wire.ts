import type { DiffRR } from '../../zones/diff.js';
import { parseName, ROOT } from '../../zones/name.js';
import { rdataFromText } from '../../zones/rdata/index.js';
import { typeFromText } from '../../zones/rrtype.js';
import { lexOneEntry } from '../../zones/zonefile/lexer.js';
import type { K8sRecord } from '../../k8s/records/index.js';

/** A watcher record (presentation form, absolute names) in wire form, or why it cannot be. */
export function recordToWire(record: K8sRecord): DiffRR | { error: string } {
  const type = typeFromText(record.type);
  if (type === undefined) return { error: `${record.type} is not an RR type` };
  try {
    const { tokens, errors } = lexOneEntry(record.rdata, 1);
    if (errors.length > 0) return { error: errors[0]!.message };
    return { owner: parseName(record.name, ROOT), type, ttl: record.ttl, rdata: rdataFromText(type, tokens, { origin: ROOT }) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
