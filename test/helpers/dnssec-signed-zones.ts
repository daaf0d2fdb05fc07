// Zones signed by meshdns itself (a `policies:` entry per zone) for the real-validator tests: the
// config and zone folder, the zone as a secondary sees it (AXFR), the three zone verifiers
// (dnssec-verify, ldns-verify-zone, kzonecheck) and delv with the zone's own KSK as trust anchor.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ZONE_TEXT } from './dnssec-answers-zones.js';
import { EXTRA_TEXT } from '../differential/dnssec-query-gen.js';
import { dig, requireTool } from './tools.js';

const execFileAsync = promisify(execFile);

/** One signing policy of the matrix, and the zone signed with it. */
export interface SigningVariant {
  /** Zone origin without the trailing dot; also the policy name. */
  origin: string;
  algorithm: 'ecdsap256sha256' | 'ed25519' | 'rsasha256';
  keys: 'csk' | 'ksk+zsk';
  denial: 'nsec' | 'nsec3';
  optOut?: boolean;
  saltLength?: number;
}

/**
 * Six policies covering each algorithm with NSEC and NSEC3, CSK and KSK+ZSK each at least twice,
 * NSEC3 opt-out and a salted NSEC3 chain once.
 */
export const MATRIX: SigningVariant[] = [
  { origin: 'nsec-csk-p256.test', algorithm: 'ecdsap256sha256', keys: 'csk', denial: 'nsec' },
  { origin: 'nsec-kz-ed25519.test', algorithm: 'ed25519', keys: 'ksk+zsk', denial: 'nsec' },
  { origin: 'nsec-kz-rsa.test', algorithm: 'rsasha256', keys: 'ksk+zsk', denial: 'nsec' },
  { origin: 'nsec3-csk-ed25519.test', algorithm: 'ed25519', keys: 'csk', denial: 'nsec3' },
  { origin: 'nsec3-optout-kz-p256.test', algorithm: 'ecdsap256sha256', keys: 'ksk+zsk', denial: 'nsec3', optOut: true },
  { origin: 'nsec3-salt-csk-rsa.test', algorithm: 'rsasha256', keys: 'csk', denial: 'nsec3', saltLength: 8 },
];

/** The test zone (wildcards, ENTs, CNAME chains, a DNAME, a secure and insecure delegations). */
export const SIGNED_ZONE_TEXT = ZONE_TEXT + EXTRA_TEXT;

export function policyYaml(v: SigningVariant): string {
  const nsec3 = v.denial === 'nsec3' ? `, nsec3: {iterations: 0, saltLength: ${v.saltLength ?? 0}, optOut: ${v.optOut ?? false}}` : '';
  return `  - {name: ${v.origin}, algorithm: ${v.algorithm}, keys: ${v.keys}, denial: ${v.denial}${nsec3}}`;
}

export interface SignedSetup {
  config: string;
  zoneDir: string;
}

/**
 * Writes `dir/zones/<origin>.zone` for every variant and `dir/meshdns.yaml` signing each with its
 * own policy; AXFR and UPDATE are open to 127.0.0.1.
 */
export function writeSignedSetup(dir: string, variants: readonly SigningVariant[], opts: { zoneText?: string } = {}): SignedSetup {
  const zoneDir = join(dir, 'zones');
  mkdirSync(zoneDir, { recursive: true });
  for (const v of variants) writeFileSync(join(zoneDir, `${v.origin}.zone`), `$ORIGIN ${v.origin}.\n${opts.zoneText ?? SIGNED_ZONE_TEXT}`);
  const config = join(dir, 'meshdns.yaml');
  writeFileSync(config, [
    'cookies: false',
    'policies:',
    ...variants.map(policyYaml),
    'acls:',
    '  - {name: local, address: [127.0.0.1], action: [transfer, update]}',
    'defaults:',
    '  acl: [local]',
    'zones:',
    ...variants.map((v) => `  - {origin: ${v.origin}., dnssec: ${v.origin}}`),
    '',
  ].join('\n'));
  return { config, zoneDir };
}

/** The zone by AXFR from 127.0.0.1:port (one SOA, no comments), written to `file`; returns the text. */
export function axfrToFile(port: number, origin: string, file: string): string {
  const out = dig(['@127.0.0.1', '-p', String(port), '+onesoa', '+nocmd', '+nostats', '+nocomments', `${origin}.`, 'AXFR']);
  if (/Transfer failed|connection refused|timed out/i.test(out)) throw new Error(`AXFR of ${origin} from port ${port} failed:\n${out}`);
  const text = out.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';')).join('\n') + '\n';
  writeFileSync(file, text);
  return text;
}

/** Same as axfrToFile, without blocking the event loop (for a server running in this process). */
export async function axfrToFileAsync(port: number, origin: string, file: string): Promise<string> {
  requireTool('dig', 'bind9-dnsutils');
  const { stdout } = await execFileAsync('dig', ['@127.0.0.1', '-p', String(port), '+onesoa', '+nocmd', '+nostats', '+nocomments', `${origin}.`, 'AXFR'], { timeout: 15_000 });
  if (/Transfer failed|connection refused|timed out/i.test(stdout)) throw new Error(`AXFR of ${origin} from port ${port} failed:\n${stdout}`);
  const text = stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';')).join('\n') + '\n';
  writeFileSync(file, text);
  return text;
}

function run(tool: string, args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }) };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, out: `${err.stdout ?? ''}${err.stderr ?? ''}` || err.message };
  }
}

export type ZoneVerifier = 'dnssec-verify' | 'ldns-verify-zone' | 'kzonecheck';
export const VERIFIERS: ZoneVerifier[] = ['dnssec-verify', 'ldns-verify-zone', 'kzonecheck'];

/** Runs one verifier over a zone file; throws with its output when it refuses the zone. */
export function verifyZoneFile(verifier: ZoneVerifier, file: string, origin: string): string {
  const pkg = { 'dnssec-verify': 'bind9-utils', 'ldns-verify-zone': 'ldnsutils', kzonecheck: 'knot' }[verifier];
  requireTool(verifier, pkg);
  // a CSK alone has only the SEP flag: dnssec-verify must be told to ignore it (-z) to count it as the ZSK
  const cskOnly = !/\sDNSKEY\s+256\s/.test(readFileSync(file, 'utf8'));
  const args = {
    'dnssec-verify': ['-o', `${origin}.`, ...(cskOnly ? ['-z'] : []), file],
    'ldns-verify-zone': [file],
    kzonecheck: ['-o', `${origin}.`, '--dnssec', 'on', file],
  }[verifier];
  const r = run(verifier, args);
  if (!r.ok) throw new Error(`${verifier} refused ${origin} (${file}):\n${r.out}`);
  return r.out;
}

/** All three verifiers; the first refusal throws. */
export function verifyZoneAll(file: string, origin: string): void {
  for (const v of VERIFIERS) verifyZoneFile(v, file, origin);
}

/** A delv trust-anchor file holding the zone's SEP keys (DNSKEY flags 257) as the server publishes them. */
export function anchorFromServer(port: number, origin: string, file: string): string[] {
  const answer = dig(['@127.0.0.1', '-p', String(port), '+noall', '+answer', `${origin}.`, 'DNSKEY']);
  const sep = answer.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f[3] === 'DNSKEY' && f[4] === '257');
  if (sep.length === 0) throw new Error(`${origin} publishes no SEP key:\n${answer}`);
  const lines = sep.map(([, , , , flags, proto, alg, ...key]) => `  ${origin}. static-key ${flags} ${proto} ${alg} "${key.join('')}";`);
  writeFileSync(file, `trust-anchors {\n${lines.join('\n')}\n};\n`);
  return lines;
}

export const FULL = '; fully validated';
export const NEGATIVE = '; negative response, fully validated';
export const UNSIGNED = '; unsigned answer';

/** delv's output (stdout and stderr) for one question, with `origin` as the root of trust. */
export function delv(port: number, anchorFile: string, origin: string, name: string, type: string): string {
  requireTool('delv', 'bind9-dnsutils');
  const r = run('delv', ['@127.0.0.1', '-p', String(port), '-a', anchorFile, `+root=${origin}`, name, type]);
  return r.out;
}

/** delv without blocking the event loop (for a server in this process, or many questions at once). */
export async function delvAsync(port: number, anchorFile: string, origin: string, name: string, type: string): Promise<string> {
  requireTool('delv', 'bind9-dnsutils');
  try {
    const { stdout, stderr } = await execFileAsync('delv', ['@127.0.0.1', '-p', String(port), '-a', anchorFile, `+root=${origin}`, name, type], { timeout: 30_000 });
    return `${stdout}${stderr}`;
  } catch (e) {
    // delv exits non-zero on negative answers; its stdout still holds the verdict
    const err = e as { stdout?: string; stderr?: string; message: string };
    return `${err.stdout ?? ''}${err.stderr ?? ''}` || err.message;
  }
}

/** Runs the questions `width` at a time (delv spends most of its time waiting, not computing). */
export async function delvMany(port: number, anchorFile: string, origin: string, questions: readonly [string, string][], width = 8): Promise<Map<string, string>> {
  const answers = new Map<string, string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let q = questions[next++]; q !== undefined; q = questions[next++]) {
      answers.set(`${q[0]} ${q[1]}`, await delvAsync(port, anchorFile, origin, q[0], q[1]));
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return answers;
}

/** The verdict lines delv printed (`; fully validated`, `; negative response, ...`, `;; resolution failed: ...`). */
export function verdicts(out: string): string[] {
  return out.split('\n').filter((l) => /^;/.test(l));
}
