import { ConfigError, loadConfig } from '../config.js';

const USAGE = `usage: meshdns config schema
       meshdns config check FILE

schema  prints the JSON Schema of meshdns.yaml, for editors: save it and start meshdns.yaml with
        # yaml-language-server: $schema=./meshdns.schema.json
check   reads FILE as "meshdns serve --config FILE" would and reports the first problem
`;

export interface ConfigIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: ConfigIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** `meshdns config schema|check`; argv is what follows "config". Resolves to the exit code. */
export async function runConfig(argv: string[], io: ConfigIo = processIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '-h' || sub === '--help') {
    io.out(USAGE);
    return 0;
  }
  if (sub === 'schema' && rest.length === 0) {
    const { configJsonSchema } = await import('../config/schema.js');
    io.out(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    return 0;
  }
  if (sub === 'check' && rest.length === 1) {
    try {
      const config = loadConfig(rest[0]);
      io.out(`${rest[0]}: ok (${config.listen.length} listen address${config.listen.length === 1 ? '' : 'es'}, ${config.zones.length} zone entr${config.zones.length === 1 ? 'y' : 'ies'})\n`);
      return 0;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      io.err(`meshdns config: ${err.message}\n`);
      return 1;
    }
  }
  io.err(`meshdns config: ${sub === undefined ? 'schema or check?' : `unexpected "${argv.join(' ')}"`}\n${USAGE}`);
  return 2;
}
