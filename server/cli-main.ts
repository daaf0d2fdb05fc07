import { runCli } from './commands/cli-program.js';

runCli(process.argv.slice(2)).then(
  // exit once stdout has taken everything (a zone export into a pipe is not cut short)
  (code) => process.stdout.write('', () => process.exit(code)),
  (err: unknown) => {
    // operator errors were one line already (runCli); what arrives here is a bug worth its stack
    process.stderr.write(`meshdns: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
