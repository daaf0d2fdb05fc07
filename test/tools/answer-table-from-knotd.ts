// Asks knotd (the reference) every question of the golden answer table and prints the rows whose
// expectation differs from what knotd answers, as TypeScript rows ready to paste. Never run by the
// test suite: it is how rows are written and re-checked.
//
//   npm run build && node dist/test/tools/answer-table-from-knotd.js [--all] [--subject meshdns]
//
// --all prints every row; --subject meshdns asks the in-process meshdns fixture instead of knotd
// (to see where the two differ).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { query } from '../helpers/dns-client.js';
import { startKnotd } from '../helpers/knotd.js';
import { openAnswerFixture } from '../helpers/answer-fixture.js';
import { answerMismatches } from '../helpers/answer-check.js';
import { answerQueryWire, type AnswerCase } from '../helpers/answer-query.js';
import { decodeResponse, type Decoded } from '../helpers/presentation.js';
import { ANSWER_CASES as UNSIGNED_CASES } from '../unit/answer-table.cases.js';
import { SIGNED_ANSWER_CASES } from '../unit/answer-table.signed-cases.js';

const ANSWER_CASES = [...UNSIGNED_CASES, ...SIGNED_ANSWER_CASES];

const { values } = parseArgs({ options: { all: { type: 'boolean', default: false }, subject: { type: 'string', default: 'knotd' } } });
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ZONE_DIR = path.join(ROOT, 'test', 'differential', 'zones');
const ZONES = ['example.test', 'child.example.test', 'other.test', 'wild.test', 'signed.test'];

const lit = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const list = (xs: string[]): string => (xs.length === 1 ? `[${lit(xs[0]!)}]` : `[\n      ${xs.map(lit).join(',\n      ')},\n    ]`);

function row(c: AnswerCase, got: Decoded | null): string {
  const q = JSON.stringify(c.q).replace(/"([a-z]+)":/g, '$1: ').replace(/,/g, ', ').replace(/"/g, "'");
  if (got === null) return `  { cat: '${c.cat}', q: ${q}, rcode: '', aa: false, silent: true },`;
  const parts = [`cat: '${c.cat}'`, `q: ${q}`, `rcode: '${got.rcode}'`, `aa: ${got.aa}`];
  if (got.tc) parts.push('tc: true');
  const sections = (['answer', 'authority', 'additional'] as const).filter((s) => got[s].length > 0 && !got.tc);
  const body = sections.map((s) => `    ${s}: ${list([...got[s]].sort())},`).join('\n');
  if (c.note !== undefined) parts.push(`note: ${lit(c.note)}`);
  return body === '' ? `  { ${parts.join(', ')} },` : `  {\n    ${parts.join(', ')},\n${body}\n  },`;
}

let ask: (c: AnswerCase) => Promise<Decoded | null>;
let stop: () => Promise<void>;
if (values.subject === 'meshdns') {
  const fixture = await openAnswerFixture(ZONES.map((z) => path.join(ZONE_DIR, `${z}.zone`)));
  ask = async (c) => fixture.ask(c.q);
  stop = () => fixture.close();
} else {
  const knotd = await startKnotd({
    zones: ZONES.map((origin) => ({ origin, file: path.join(ZONE_DIR, `${origin}.zone`) })),
    serverConf: 'identity: ""\nversion: ""\nnsid: "knotd-reference"',
  });
  ask = async (c) => {
    const out = await query(c.q.tcp === true ? 'tcp' : 'udp', knotd.port, answerQueryWire(c.q), 1500);
    return out === null ? null : decodeResponse(out);
  };
  stop = () => knotd.stop();
}
try {
  let differing = 0;
  for (const c of ANSWER_CASES) {
    const got = await ask(c);
    const diff = answerMismatches(c, got);
    if (diff.length > 0) differing++;
    if (values.all || diff.length > 0) {
      if (diff.length > 0) console.log(`  // ${values.subject} differs: ${diff.join(' | ')}`);
      console.log(row(c, got));
    }
  }
  console.error(`${differing} of ${ANSWER_CASES.length} rows differ from ${values.subject}`);
} finally {
  await stop();
}
