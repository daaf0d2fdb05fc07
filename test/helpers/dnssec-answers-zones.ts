// Signed test zones made at test time by the real signers (dnssec-signzone, ldns-signzone), for
// the DNSSEC answer tests: a wildcard, empty non-terminals, a CNAME chain, a DNAME, a signed and
// an insecure delegation with glue.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from './tools.js';

export const ORIGIN = 'example.test';

/** The unsigned zone (names relative to the origin); `secure.` gets a DS, `insecure.` none. */
export const ZONE_TEXT = `$TTL 3600
@           SOA   ns1 hostmaster 1 7200 3600 1209600 300
@           NS    ns1
@           MX    10 mail
ns1         A     192.0.2.1
mail        A     192.0.2.2
www         A     192.0.2.10
www         AAAA  2001:db8::10
*.wild      A     192.0.2.20
*.wild      TXT   "from the wildcard"
a.b.ent     A     192.0.2.30
x.y.z.deep  TXT   "deep"
cname1      CNAME cname2
cname2      CNAME www
cname-nx    CNAME nowhere
cname-wild  CNAME host.wild
dname       DNAME other
www.other   A     192.0.2.40
secure      NS    ns.secure
secure      DS    12345 13 2 2BB183AF5F22588179A53B0A98631FAD1A292118F6EFEA78D0CB08A6C2C72D1A
ns.secure   A     192.0.2.50
insecure    NS    ns.insecure
ns.insecure A     192.0.2.60
a.b.optout  NS    ns.elsewhere.test.
`;

export type Signer = 'bind-nsec' | 'bind-nsec3' | 'bind-nsec3-optout' | 'ldns-nsec' | 'ldns-nsec3';

export interface SignedZone {
  signer: Signer;
  /** Folder holding only `example.test.zone` (the signed zone), for meshdns --zone-dir. */
  zoneDir: string;
  file: string;
  /** delv -a file trusting the zone's KSK. */
  anchorFile: string;
  origin: string;
}

function run(tool: string, args: string[], cwd: string): string {
  return execFileSync(tool, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

/** Signs ZONE_TEXT (or `text`) as `origin` in `dir/<signer>-<origin>/` with fresh ECDSA P-256 keys. */
export function signZone(dir: string, signer: Signer, origin = ORIGIN, text = ZONE_TEXT): SignedZone {
  const ORIGIN = origin;
  const work = join(dir, `${signer}-${origin}`);
  const keys = join(work, 'keys');
  const zoneDir = join(work, 'zones');
  mkdirSync(keys, { recursive: true });
  mkdirSync(zoneDir, { recursive: true });
  const unsigned = join(work, 'unsigned.zone');
  writeFileSync(unsigned, `$ORIGIN ${origin}.\n${text}`);
  const file = join(zoneDir, `${ORIGIN}.zone`);
  let dnskeyLine: string;
  if (signer.startsWith('bind')) {
    requireTool('dnssec-keygen', 'bind9-utils');
    requireTool('dnssec-signzone', 'bind9-utils');
    const ksk = run('dnssec-keygen', ['-q', '-a', 'ECDSAP256SHA256', '-f', 'KSK', '-K', keys, ORIGIN], work).trim();
    run('dnssec-keygen', ['-q', '-a', 'ECDSAP256SHA256', '-K', keys, ORIGIN], work);
    const nsec3 = signer === 'bind-nsec3' ? ['-3', '-', '-H', '0'] : signer === 'bind-nsec3-optout' ? ['-3', '-', '-H', '0', '-A'] : [];
    run('dnssec-signzone', ['-S', '-K', keys, ...nsec3, '-o', ORIGIN, '-f', file, unsigned], work);
    dnskeyLine = readFileSync(join(keys, `${ksk}.key`), 'utf8').split('\n').find((l) => /\sDNSKEY\s/.test(l) && !l.startsWith(';'))!;
  } else {
    requireTool('ldns-keygen', 'ldnsutils');
    requireTool('ldns-signzone', 'ldnsutils');
    const ksk = run('ldns-keygen', ['-a', 'ECDSAP256SHA256', '-k', ORIGIN], keys).trim();
    const zsk = run('ldns-keygen', ['-a', 'ECDSAP256SHA256', ORIGIN], keys).trim();
    const nsec3 = signer === 'ldns-nsec3' ? ['-n', '-t', '0'] : [];
    run('ldns-signzone', [...nsec3, '-o', ORIGIN, '-f', file, unsigned, join(keys, zsk), join(keys, ksk)], work);
    dnskeyLine = readFileSync(join(keys, `${ksk}.key`), 'utf8').split('\n').find((l) => /\sDNSKEY\s/.test(l))!;
  }
  // "<owner> [ttl] [IN] DNSKEY flags proto alg key..." → the trust anchor statement delv reads
  const fields = dnskeyLine.replace(/;.*$/, '').trim().split(/\s+/);
  const at = fields.indexOf('DNSKEY');
  const [flags, proto, alg, ...key] = fields.slice(at + 1);
  const anchorFile = join(work, 'anchor.conf');
  writeFileSync(anchorFile, `trust-anchors {\n  ${ORIGIN}. static-key ${flags} ${proto} ${alg} "${key.join('')}";\n};\n`);
  if (readdirSync(zoneDir).length !== 1) throw new Error(`signing left more than the zone in ${zoneDir}`);
  return { signer, zoneDir, file, anchorFile, origin };
}
