import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig, type ConfigOverrides } from '../config.js';
import { CommandError, printer, processIo, type Io } from './program.js';

/** `meshdns tls pin [--config FILE] [--data DIR] | --cert FILE` */
export function registerTls(program: Command, io: Io = processIo): void {
  const tls = program.command('tls').summary('the SPKI pin of the DoT/DoQ certificate').description('The certificate of the tls and quic listeners.');
  tls.command('pin')
    .description('print the SPKI pin of the certificate the tls and quic listeners present: base64 of the SHA-256 of its ' +
      'SubjectPublicKeyInfo, what peers configure (kdig +tls-pin, Knot cert-key, meshdns primaries[].pin). From ' +
      'tls.certFile when configured; otherwise the self-signed certificate kept in the data folder, made now if ' +
      'there is none yet (the server will use it).')
    .option('-c, --config <FILE>', 'meshdns.yaml')
    .option('--data <DIR>', 'the data folder')
    .option('--cert <FILE>', 'the pin of any PEM certificate instead')
    .option('--json', 'print {"pin": ...} for scripts')
    .action(async (o: { config?: string; data?: string; cert?: string; json?: boolean }) => {
      const print = (pin: string) => printer(io, o.json)({ pin }, () => `${pin}\n`);
      const { pinOfPem } = await import('../tls/pin.js');
      if (o.cert !== undefined) {
        let pem: string;
        try {
          pem = readFileSync(o.cert, 'utf8');
          print(pinOfPem(pem));
        } catch (err) {
          throw new CommandError(`"${o.cert}" is not a readable PEM certificate: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
        return;
      }
      const overrides: ConfigOverrides = {};
      if (o.data !== undefined) overrides.data = o.data;
      const config = loadConfig(o.config, overrides, io.env);
      const [{ CertificateSource }, { LmdbStore }] = await Promise.all([import('../tls/certificates.js'), import('../../zones/store/lmdb-store.js')]);
      const store = LmdbStore.open(config.data);
      try {
        const source = await CertificateSource.open({ ...config.tls, reloadOnChange: false }, store);
        print(source.current.pin);
      } catch (err) {
        throw new CommandError((err as Error).message);
      } finally {
        await store.close();
      }
    });
}
