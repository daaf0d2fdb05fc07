// Golden answer tables, in-process: every row of answer-table.cases.ts is one query handed to the
// query pipeline (no sockets) and one named subtest, so a failure says which query and how the
// answer differs. The zones are the differential ones (signed.test for the DO=1 rows); setup lives
// in helpers/answer-fixture.ts.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { answerMismatches } from '../helpers/answer-check.js';
import { openAnswerFixture, type AnswerFixture } from '../helpers/answer-fixture.js';
import { variantText, type AnswerCase } from '../helpers/answer-query.js';
import type { Decoded } from '../helpers/presentation.js';
import { ANSWER_CASES as UNSIGNED_CASES } from './answer-table.cases.js';
import { SIGNED_ANSWER_CASES } from './answer-table.signed-cases.js';

const ANSWER_CASES = [...UNSIGNED_CASES, ...SIGNED_ANSWER_CASES];

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ZONE_DIR = path.join(ROOT, 'test', 'differential', 'zones');
const ZONES = ['example.test', 'child.example.test', 'other.test', 'wild.test', 'signed.test'].map((z) => path.join(ZONE_DIR, `${z}.zone`));

function caseName(c: AnswerCase): string {
  const cls = c.q.qclass === undefined ? '' : ` ${c.q.qclass}`;
  return `${c.cat}: ${c.q.qname}${cls} ${typeof c.q.qtype === 'number' ? `TYPE${c.q.qtype}` : c.q.qtype}${variantText(c.q)}`;
}

function show(d: Decoded | null): string {
  if (d === null) return '  (silence)';
  const flags = (['aa', 'tc', 'rd', 'ra', 'ad', 'cd'] as const).filter((f) => d[f]).join(' ');
  const opt = d.opt === undefined ? 'no OPT' : `OPT do=${d.opt.do ? 1 : 0} options [${d.opt.options.map((o) => o.code).join(',')}]`;
  return [
    `  ${d.rcode} [${flags}] ${opt}, ${d.size} octets`,
    ...d.answer.map((rr) => `  AN ${rr}`),
    ...d.authority.map((rr) => `  NS ${rr}`),
    ...d.additional.map((rr) => `  AR ${rr}`),
  ].join('\n');
}

describe('answer table (differential zones, in-process)', () => {
  let fixture: AnswerFixture;
  before(async () => {
    fixture = await openAnswerFixture(ZONES);
  });
  after(async () => {
    await fixture?.close();
  });

  it('has one row per query (subtest names are unique)', () => {
    const names = ANSWER_CASES.map(caseName);
    assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), []);
  });

  for (const c of ANSWER_CASES) {
    it(caseName(c), () => {
      const got = fixture.ask(c.q);
      const problems = answerMismatches(c, got);
      if (problems.length > 0) {
        const why = c.note === undefined ? '' : `\n(row note: ${c.note})`;
        assert.fail(`${problems.length} difference(s):\n  ${problems.join('\n  ')}\ngot:\n${show(got)}${why}`);
      }
    });
  }
});
