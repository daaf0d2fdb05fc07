import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig, type ConfigOverrides } from '../config.js';

const USAGE = `usage: meshdns tls pin [--config FILE] [--data DIR]
       meshdns tls pin --cert FILE

pin  prints the SPKI pin of the certificate the tls and quic listeners present: base64 of the
     SHA-256 of its SubjectPublicKeyInfo, what peers configure (kdig +tls-pin, Knot cert-key,
     meshdns primaries[].pin). From tls.certFile when configured; otherwise the self-signed
     certificate kept in the data folder, made now if there is none yet (the server will use it).
     --cert FILE: the pin of any PEM certificate.
`;

export interface TlsIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: TlsIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** `meshdns tls pin`; argv is what follows "tls". Resolves to the exit code. */
export async function runTls(argv: string[], io: TlsIo = processIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '-h' || sub === '--help') {
    io.out(USAGE);
    return 0;
  }
  if (sub !== 'pin') {
    io.err(`meshdns tls: ${sub === undefined ? 'pin?' : `unexpected "${argv.join(' ')}"`}\n${USAGE}`);
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c' }, data: { type: 'string' }, cert: { type: 'string' } }, strict: true });
  const { pinOfPem } = await import('../tls/pin.js');
  if (values.cert !== undefined) {
    try {
      io.out(`${pinOfPem(readFileSync(values.cert, 'utf8'))}\n`);
      return 0;
    } catch (err) {
      io.err(`meshdns tls: "${values.cert}" is not a readable PEM certificate: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
      return 1;
    }
  }
  const overrides: ConfigOverrides = {};
  if (values.data !== undefined) overrides.data = values.data;
  let config;
  try {
    config = loadConfig(values.config, overrides);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.err(`meshdns tls: ${err.message}\n`);
    return 1;
  }
  const [{ CertificateSource }, { LmdbStore }] = await Promise.all([import('../tls/certificates.js'), import('../../zones/store/lmdb-store.js')]);
  const store = LmdbStore.open(config.data);
  try {
    const source = await CertificateSource.open({ ...config.tls, reloadOnChange: false }, store);
    io.out(`${source.current.pin}\n`);
    return 0;
  } catch (err) {
    io.err(`meshdns tls: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}
