// Compares one decoded answer with its golden-table row; returns every difference as a line of
// text (empty: the answer is as expected). Used by the table test and by the knotd tool.
import { answerQueryWire, TABLE_QUERY_ID, type AnswerCase } from './answer-query.js';
import type { Decoded } from './presentation.js';

function sectionDiff(name: string, want: readonly string[], got: readonly string[]): string[] {
  const left = [...got];
  const missing: string[] = [];
  for (const rr of want) {
    const i = left.indexOf(rr);
    if (i >= 0) left.splice(i, 1);
    else missing.push(rr);
  }
  return [...missing.map((rr) => `${name}: missing  ${rr}`), ...left.map((rr) => `${name}: extra    ${rr}`)];
}

export function answerMismatches(c: AnswerCase, got: Decoded | null): string[] {
  if (c.silent === true) return got === null ? [] : [`expected silence, got ${got.rcode}`];
  if (got === null) return ['expected an answer, got silence'];
  const out: string[] = [];
  const query = answerQueryWire(c.q);
  if (!got.qr) out.push('QR is clear');
  if (got.id !== TABLE_QUERY_ID) out.push(`id ${got.id}, expected ${TABLE_QUERY_ID}`);
  if (got.opcode !== (c.q.opcode ?? 0)) out.push(`opcode ${got.opcode}, expected ${c.q.opcode ?? 0}`);
  if (got.rd !== (c.q.rd === true)) out.push(`RD ${got.rd ? 1 : 0} is not the query's`);
  // RFC 4035 §3.1.6: CD is copied from the query
  if (got.cd !== (c.q.cd === true)) out.push(`CD ${got.cd ? 1 : 0} is not the query's`);
  // the question comes back byte for byte, the qname's case included (RFC 1035 §7.3 habit, RFC 4343)
  const question = query.subarray(12, 12 + (got.question[0]?.wire.length ?? 0) + 4);
  if (got.question.length > 1) out.push(`${got.question.length} questions`);
  const q0 = got.question[0];
  if (q0 !== undefined && !question.subarray(0, q0.wire.length).equals(q0.wire)) out.push(`question name "${q0.name}" is not the one sent ("${c.q.qname}")`);
  if (got.rcode !== c.rcode) out.push(`rcode ${got.rcode}, expected ${c.rcode}`);
  if (got.aa !== c.aa) out.push(`AA ${got.aa ? 1 : 0}, expected ${c.aa ? 1 : 0}`);
  if (got.tc !== (c.tc === true)) out.push(`TC ${got.tc ? 1 : 0}, expected ${c.tc === true ? 1 : 0}`);
  const sections = [['answer', c.answer], ['authority', c.authority], ['additional', c.additional]] as const;
  for (const [name, want] of sections) {
    if (c.tc === true && want === undefined) continue;
    out.push(...sectionDiff(name, want ?? [], got[name]));
  }
  const edns = c.q.edns === false ? undefined : (c.q.edns ?? {});
  const wantOpt = c.opt ?? (edns === undefined ? 'none' : { do: edns.do === true, nsid: edns.nsid === true });
  if (wantOpt === 'none') {
    if (got.opt !== undefined) out.push('an OPT RR, expected none');
  } else if (got.opt === undefined) {
    out.push('no OPT RR, expected one');
  } else {
    if (got.opt.do !== wantOpt.do) out.push(`OPT DO ${got.opt.do ? 1 : 0}, expected ${wantOpt.do ? 1 : 0}`);
    const nsid = got.opt.options.some((o) => o.code === 3);
    if (nsid !== wantOpt.nsid) out.push(nsid ? 'an NSID option, expected none' : 'no NSID option, expected one');
  }
  if (c.q.tcp !== true) {
    const limit = edns === undefined ? 512 : Math.max(512, edns.payload ?? 1232);
    if (got.size > limit) out.push(`${got.size} octets over UDP, more than the ${limit} allowed`);
  }
  return out;
}
