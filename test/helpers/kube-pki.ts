// Key material for the test API server, made per start with openssl: a CA, a serving certificate
// for 127.0.0.1, client certificates for test users, and the service-account signing key pair.
// EC P-256 throughout: a whole set takes ~60 ms, where RSA keys would take seconds.
import { execFile } from 'node:child_process';
import { generateKeyPair } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KubePki {
  readonly caFile: string;
  readonly caKeyFile: string;
  readonly servingCertFile: string;
  readonly servingKeyFile: string;
  readonly serviceAccountKeyFile: string;
  readonly serviceAccountPublicKeyFile: string;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { timeout: 30_000 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error('openssl is not installed: apt-get install -y openssl (.ci/run installs it)');
    throw new Error(`openssl ${args.slice(0, 2).join(' ')} failed: ${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
}

/** A minimal config of our own, so no default extension of the system's openssl.cnf (CA:TRUE) slips in. */
async function writeOpensslConfig(dir: string): Promise<string> {
  const file = path.join(dir, 'openssl.cnf');
  await writeFile(file, '[req]\ndistinguished_name = dn\n[dn]\n');
  return file;
}

const NEW_EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** `/`, `=`, `+`, `,` and `\` would otherwise end a field of openssl's -subj. */
function subjectValue(value: string): string {
  return value.replace(/[\\/=+,]/g, (c) => `\\${c}`);
}

async function serviceAccountKeys(dir: string): Promise<{ keyFile: string; publicKeyFile: string }> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const keyFile = path.join(dir, 'service-account.key');
  const publicKeyFile = path.join(dir, 'service-account.pub');
  await Promise.all([writeFile(keyFile, privateKey, { mode: 0o600 }), writeFile(publicKeyFile, publicKey)]);
  return { keyFile, publicKeyFile };
}

export async function createKubePki(dir: string): Promise<KubePki> {
  const config = await writeOpensslConfig(dir);
  const caFile = path.join(dir, 'ca.crt');
  const caKeyFile = path.join(dir, 'ca.key');
  const servingCertFile = path.join(dir, 'apiserver.crt');
  const servingKeyFile = path.join(dir, 'apiserver.key');
  const serviceAccount = serviceAccountKeys(dir);
  await openssl([
    'req', '-config', config, '-x509', ...NEW_EC_KEY, '-keyout', caKeyFile, '-out', caFile, '-days', '7',
    '-subj', '/CN=meshdns-test-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await openssl([
    'req', '-config', config, '-x509', ...NEW_EC_KEY, '-keyout', servingKeyFile, '-out', servingCertFile, '-days', '7',
    '-CA', caFile, '-CAkey', caKeyFile, '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-addext', 'extendedKeyUsage=serverAuth',
    '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature',
  ]);
  const { keyFile, publicKeyFile } = await serviceAccount;
  return { caFile, caKeyFile, servingCertFile, servingKeyFile, serviceAccountKeyFile: keyFile, serviceAccountPublicKeyFile: publicKeyFile };
}

/**
 * A client certificate signed by the test CA: the API server (--client-ca-file) takes the common
 * name as the user name and each organization as a group, so users need no restart to exist.
 */
export async function createClientCertificate(dir: string, pki: KubePki, fileStem: string, user: string, groups: readonly string[]): Promise<{ certFile: string; keyFile: string }> {
  const config = path.join(dir, 'openssl.cnf');
  const certFile = path.join(dir, `${fileStem}.crt`);
  const keyFile = path.join(dir, `${fileStem}.key`);
  const subject = `/CN=${subjectValue(user)}${groups.map((g) => `/O=${subjectValue(g)}`).join('')}`;
  await openssl([
    'req', '-config', config, '-x509', ...NEW_EC_KEY, '-keyout', keyFile, '-out', certFile, '-days', '7',
    '-CA', pki.caFile, '-CAkey', pki.caKeyFile, '-subj', subject,
    '-addext', 'extendedKeyUsage=clientAuth', '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'keyUsage=critical,digitalSignature',
  ]);
  return { certFile, keyFile };
}
