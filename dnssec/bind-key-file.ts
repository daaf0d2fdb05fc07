/**
 * BIND key files K<zone>+<alg>+<tag>.key / .private ("Private-key-format: v1.3") as dnssec-keygen
 * and Knot's keymgr write them. RSA private files carry the CRT components, ECDSA and Ed25519 the
 * raw scalar / seed; the public part is derived and checked against the .key file's DNSKEY.
 */
import { createECDH, createPrivateKey, createPublicKey, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { nameToText, parseName, type WireName } from '../zones/name.js';
import { algorithmMnemonic, DnssecAlgorithm, DnssecError } from './algorithm.js';
import { asctime, formatKeyTime, parseKeyTime, TIMING_FIELDS, type KeyTiming } from './bind-key-time.js';
import { dnskeyRdata, keyFromPrivateKey, keyTag, publicKeyField, publicKeyFromDnskey, type DnssecKey } from './keys.js';

export type { KeyTiming } from './bind-key-time.js';

export interface ImportedKey {
  zone: WireName;
  flags: number;
  algorithm: number;
  keyTag: number;
  pkcs8: Buffer;
  dnskey: Uint8Array;
  timing: KeyTiming;
}

const CODE = 'MESHDNS_ERR_DNSSEC_KEYFILE';

function fail(message: string, code = CODE): never {
  throw new DnssecError(message, code);
}

const RSA_FIELDS = [
  ['Modulus', 'n'],
  ['PublicExponent', 'e'],
  ['PrivateExponent', 'd'],
  ['Prime1', 'p'],
  ['Prime2', 'q'],
  ['Exponent1', 'dp'],
  ['Exponent2', 'dq'],
  ['Coefficient', 'qi'],
] as const;

/** Ed25519 PKCS#8 (RFC 8410 §7) is a fixed prefix followed by the 32-octet seed. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function parseBindKeyFiles(keyFileText: string, privateFileText: string): ImportedKey {
  const pub = parseKeyFile(keyFileText);
  const priv = parsePrivateFile(privateFileText);
  if (priv.algorithm !== pub.algorithm) {
    fail(`.private Algorithm: ${priv.algorithm} does not match the .key DNSKEY algorithm ${pub.algorithm}`, 'MESHDNS_ERR_DNSSEC_KEY_MISMATCH');
  }
  const privateKey = privateKeyFrom(pub.algorithm, priv.fields);
  const publicKey = createPublicKey(privateKey);
  const field = publicKeyField(pub.algorithm, publicKey);
  if (Buffer.compare(field, pub.dnskey.subarray(4)) !== 0) {
    fail('the .private key does not match the public key in the .key file', 'MESHDNS_ERR_DNSSEC_KEY_MISMATCH');
  }
  // RSA: the private exponent and primes could still be inconsistent with the modulus
  if (!signsFor(pub.algorithm, privateKey, publicKeyFromDnskey(pub.dnskey))) {
    fail('the .private key does not produce signatures the .key public key verifies', 'MESHDNS_ERR_DNSSEC_KEY_MISMATCH');
  }
  return {
    zone: pub.zone,
    flags: pub.flags,
    algorithm: pub.algorithm,
    keyTag: keyTag(pub.dnskey),
    pkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }),
    dnskey: pub.dnskey,
    timing: { ...pub.timing, ...priv.timing },
  };
}

export function formatBindKeyFiles(zone: WireName, key: DnssecKey, pkcs8: Uint8Array, timing: KeyTiming): { baseName: string; key: string; private: string } {
  const zoneText = nameToText(zone);
  const baseName = `K${zoneText}+${String(key.algorithm).padStart(3, '0')}+${String(key.keyTag).padStart(5, '0')}`;
  const privateKey = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  const kind = key.flags & 1 ? 'key-signing' : 'zone-signing';
  const keyLines = [`; This is a ${kind} key, keyid ${key.keyTag}, for ${zoneText}`];
  const privateLines = ['Private-key-format: v1.3', `Algorithm: ${key.algorithm} (${algorithmMnemonic(key.algorithm)})`];
  const jwk = privateKey.export({ format: 'jwk' });
  if (key.algorithm === DnssecAlgorithm.RSASHA256) {
    for (const [field, prop] of RSA_FIELDS) privateLines.push(`${field}: ${b64(jwk[prop])}`);
  } else {
    privateLines.push(`PrivateKey: ${b64(jwk.d)}`);
  }
  for (const [field, prop] of TIMING_FIELDS) {
    const t = timing[prop];
    if (t === undefined) continue;
    keyLines.push(`; ${field}: ${formatKeyTime(t)} (${asctime(t)})`);
    privateLines.push(`${field}: ${formatKeyTime(t)}`);
  }
  const dnskey = Buffer.from(key.dnskey);
  keyLines.push(`${zoneText} IN DNSKEY ${key.flags} ${dnskey[2]} ${key.algorithm} ${dnskey.subarray(4).toString('base64')}`);
  return { baseName, key: keyLines.join('\n') + '\n', private: privateLines.join('\n') + '\n' };
}

/** Builds a DnssecKey from an imported key (a shortcut for keyFromPkcs8 with its fields). */
export function importedToKey(imported: ImportedKey): DnssecKey {
  const privateKey = createPrivateKey({ key: imported.pkcs8, format: 'der', type: 'pkcs8' });
  return keyFromPrivateKey(privateKey, createPublicKey(privateKey), imported.algorithm, imported.flags);
}

interface KeyFile {
  zone: WireName;
  flags: number;
  algorithm: number;
  dnskey: Uint8Array;
  timing: KeyTiming;
}

function parseKeyFile(text: string): KeyFile {
  const timing: KeyTiming = {};
  let record: { line: number; tokens: string[] } | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (line.startsWith(';')) {
      const m = /^;\s*([A-Za-z]+):\s*(\d+)/.exec(line);
      if (m) setTiming(timing, m[1]!, m[2]!, `.key line ${i + 1}`);
      continue;
    }
    if (record !== undefined) fail(`.key line ${i + 1}: a second record; a .key file holds one DNSKEY`);
    record = { line: i + 1, tokens: line.replace(/;.*$/, '').trim().split(/\s+/) };
  }
  if (record === undefined) fail('.key file has no DNSKEY record');
  const where = `.key line ${record.line}`;
  const t = record.tokens;
  const at = t.findIndex((x) => x.toUpperCase() === 'DNSKEY');
  if (at < 1) fail(`${where}: not a DNSKEY record (expected "<zone> IN DNSKEY <flags> 3 <algorithm> <key>")`);
  for (const middle of t.slice(1, at)) {
    if (!/^(IN|\d+)$/i.test(middle)) fail(`${where}: unexpected "${middle}" before DNSKEY (only a TTL and class IN may stand there)`);
  }
  let zone: WireName;
  try {
    zone = parseName(t[0]!.endsWith('.') ? t[0]! : `${t[0]!}.`);
  } catch (e) {
    fail(`${where}: owner "${t[0]!}" is not a domain name: ${(e as Error).message}`);
  }
  const flags = integer(t[at + 1], 0xffff, `${where}: DNSKEY flags`);
  const protocol = integer(t[at + 2], 0xff, `${where}: DNSKEY protocol`);
  if (protocol !== 3) fail(`${where}: DNSKEY protocol is ${protocol}, not 3 (RFC 4034 §2.1.2)`);
  const algorithm = integer(t[at + 3], 0xff, `${where}: DNSKEY algorithm`);
  requireAlgorithm(algorithm, where);
  if (t.length <= at + 4) fail(`${where}: DNSKEY public key is missing`);
  const field = base64(t.slice(at + 4).join(''), `${where}: DNSKEY public key`);
  return { zone, flags, algorithm, dnskey: dnskeyRdata(flags, algorithm, field), timing };
}

interface PrivateFile {
  algorithm: number;
  fields: Map<string, { value: string; line: number }>;
  timing: KeyTiming;
}

function parsePrivateFile(text: string): PrivateFile {
  const fields = new Map<string, { value: string; line: number }>();
  const timing: KeyTiming = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith(';')) continue;
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (!m) fail(`.private line ${i + 1}: expected "Field: value", got "${line.slice(0, 40)}"`);
    const [, name, value] = m as unknown as [string, string, string];
    if (fields.has(name)) fail(`.private line ${i + 1}: field ${name} appears twice`);
    fields.set(name, { value: value.trim(), line: i + 1 });
    if (TIMING_FIELDS.some(([f]) => f === name)) setTiming(timing, name, value.trim(), `.private line ${i + 1}`);
  }
  const format = fields.get('Private-key-format');
  if (format === undefined) fail('.private file has no Private-key-format line');
  if (!/^v1\.[2-9]$/.test(format.value)) fail(`.private line ${format.line}: Private-key-format ${format.value} is not supported (v1.2 or v1.3)`);
  const alg = fields.get('Algorithm');
  if (alg === undefined) fail('.private file has no Algorithm field');
  const algorithm = integer(/^(\d+)/.exec(alg.value)?.[1], 0xff, `.private line ${alg.line}: Algorithm`);
  requireAlgorithm(algorithm, `.private line ${alg.line}`);
  return { algorithm, fields, timing };
}

function privateKeyFrom(algorithm: number, fields: PrivateFile['fields']): KeyObject {
  const field = (name: string): Buffer => {
    const f = fields.get(name);
    if (f === undefined) fail(`.private file has no ${name} field`);
    return base64(f.value, `.private line ${f.line}: ${name}`);
  };
  try {
    if (algorithm === DnssecAlgorithm.RSASHA256) {
      const jwk: JsonWebKey = { kty: 'RSA' };
      const values = new Map<string, Buffer>();
      for (const [name, prop] of RSA_FIELDS) {
        values.set(name, field(name));
        jwk[prop] = values.get(name)!.toString('base64url');
      }
      checkRsaComponents(values);
      return createPrivateKey({ key: jwk, format: 'jwk' });
    }
    let secret = field('PrivateKey');
    // BIND writes an ECDSA private scalar as an integer (OpenSSL BN_bn2bin): leading zero octets are
    // left out, so one key in 256 has 31 octets; an Ed25519 seed is always written whole
    if (algorithm !== DnssecAlgorithm.ED25519 && secret.length > 0 && secret.length < 32) secret = Buffer.concat([Buffer.alloc(32 - secret.length), secret]);
    if (secret.length !== 32) fail(`.private PrivateKey is ${secret.length} octets, not 32`);
    if (algorithm === DnssecAlgorithm.ED25519) {
      return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, secret]), format: 'der', type: 'pkcs8' });
    }
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(secret);
    const point = ecdh.getPublicKey(); // 04 ‖ x ‖ y
    const jwk: JsonWebKey = {
      kty: 'EC',
      crv: 'P-256',
      d: secret.toString('base64url'),
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    };
    return createPrivateKey({ key: jwk, format: 'jwk' });
  } catch (e) {
    if (e instanceof DnssecError) throw e;
    fail(`.private key is not a valid ${algorithmMnemonic(algorithm)} key: ${(e as Error).message}`);
  }
}

/**
 * OpenSSL signs with the CRT components only, so a wrong PrivateExponent would go unnoticed until
 * the key is exported; check that all eight numbers belong together.
 */
function checkRsaComponents(values: ReadonlyMap<string, Buffer>): void {
  const big = (name: string): bigint => BigInt(`0x${values.get(name)!.toString('hex') || '0'}`);
  const [n, e, d, p, q, dp, dq, qi] = RSA_FIELDS.map(([name]) => big(name)) as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  const bad = (what: string): never => fail(`.private RSA components are not consistent: ${what}`, 'MESHDNS_ERR_DNSSEC_KEY_MISMATCH');
  if (p < 2n || q < 2n || p * q !== n) bad('Prime1 × Prime2 is not the Modulus');
  if (d % (p - 1n) !== dp) bad('PrivateExponent does not fit Exponent1');
  if (d % (q - 1n) !== dq) bad('PrivateExponent does not fit Exponent2');
  if ((e * dp) % (p - 1n) !== 1n || (e * dq) % (q - 1n) !== 1n) bad('Exponent1/Exponent2 do not invert PublicExponent');
  if ((qi * q) % p !== 1n) bad('Coefficient is not Prime2⁻¹ mod Prime1');
}

function signsFor(algorithm: number, privateKey: KeyObject, publicKey: KeyObject): boolean {
  const probe = Buffer.from('meshdns key file check');
  const hash = algorithm === DnssecAlgorithm.ED25519 ? null : 'sha256';
  try {
    return verify(hash, probe, publicKey, sign(hash, probe, privateKey));
  } catch {
    return false;
  }
}

function setTiming(timing: KeyTiming, name: string, value: string, where: string): void {
  const prop = TIMING_FIELDS.find(([f]) => f === name)?.[1];
  if (prop === undefined) return; // other BIND fields (Revoke, DSPublish...) are not used here
  const t = parseKeyTime(value);
  if (t === undefined) fail(`${where}: ${name} "${value}" is not a YYYYMMDDHHMMSS time`);
  timing[prop] = t;
}

function requireAlgorithm(algorithm: number, where: string): void {
  if (algorithm !== DnssecAlgorithm.RSASHA256 && algorithm !== DnssecAlgorithm.ECDSAP256SHA256 && algorithm !== DnssecAlgorithm.ED25519) {
    fail(`${where}: DNSSEC algorithm ${algorithm} is not supported (8 RSASHA256, 13 ECDSAP256SHA256, 15 ED25519)`, 'MESHDNS_ERR_DNSSEC_ALGORITHM');
  }
}

function integer(text: string | undefined, max: number, what: string): number {
  if (text === undefined) fail(`${what} is missing`);
  if (!/^\d+$/.test(text) || Number(text) > max) fail(`${what} "${text}" is not a number 0..${max}`);
  return Number(text);
}

/** Strict base64: whole quantums, padding only at the end, nothing left over. */
function base64(text: string, what: string): Buffer {
  if (text === '') fail(`${what} is empty`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) fail(`${what} is not valid base64 (truncated or bad characters)`);
  const out = Buffer.from(text, 'base64');
  if (out.toString('base64') !== text) fail(`${what} is not canonical base64`);
  return out;
}

function b64(v: string | undefined): string {
  if (v === undefined) throw new DnssecError('private key lacks a component', 'MESHDNS_ERR_DNSSEC_KEY');
  return Buffer.from(v, 'base64url').toString('base64');
}
