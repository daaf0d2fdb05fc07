import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { DEFAULT_CONFIG_FILE } from './admin-client.js';
import { printer, processIo, UsageError, type Io } from './program.js';

/** `meshdns config schema|check [FILE]` */
export function registerConfig(program: Command, io: Io = processIo): void {
  const config = program.command('config').summary('print the config schema, check a config file')
    .description('The config file meshdns.yaml: its JSON Schema for editors, and a check of a file.');
  config.command('schema')
    .description('print the JSON Schema of meshdns.yaml, for editors: save it and start meshdns.yaml with\n' +
      '# yaml-language-server: $schema=./meshdns.schema.json')
    .action(async () => {
      const { configJsonSchema } = await import('../config/schema.js');
      io.out(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });
  config.command('check')
    .description('read FILE as "meshdns serve --config FILE" would: shape, values, files it names, and the ' +
      'cross-references (ACL names, TSIG keys, DNSSEC policies); the first problem is reported in one line')
    .argument('[FILE]', `the config file (default: ./${DEFAULT_CONFIG_FILE})`)
    .option('--json', 'print JSON for scripts instead of text for people')
    .action((fileArg: string | undefined, o: { json?: boolean }) => {
      const file = fileArg ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
      if (file === undefined) throw new UsageError(`config check needs a FILE (there is no ./${DEFAULT_CONFIG_FILE} here)`);
      // a ConfigError is the one-line answer: `meshdns config: FILE: key: "value" why`, exit status 1
      const checked = loadConfig(file, {}, io.env);
      printer(io, o.json)(summary(file, checked), () => humanSummary(file, checked));
    });
}

function summary(file: string, c: Config) {
  return {
    file, ok: true,
    listen: c.listen.map((l) => l.text),
    zones: c.zones.map((z) => z.origin),
    zoneDir: c.zoneDir ?? null,
    data: c.data,
    admin: c.admin ? { listen: c.admin.listen.text, tokenSource: c.admin.tokenSource } : null,
    acls: [...c.replication.rules.keys()],
    policies: [...c.dnssec.policies.keys()],
    warnings: c.dnssec.warnings,
  };
}

function humanSummary(file: string, c: Config): string {
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  const lines = [
    `${file}: ok (${n(c.listen.length, 'listen address', 'listen addresses')}, ${n(c.zones.length, 'zone entry', 'zone entries')})`,
    `  ${n(c.replication.rules.size, 'ACL', 'ACLs')}, ${n(c.dnssec.policies.size, 'DNSSEC policy', 'DNSSEC policies')}; ` +
      `admin API ${c.admin ? `on ${c.admin.listen.text}` : 'off'}; data in ${c.data}${c.zoneDir ? `; zone folder ${c.zoneDir}` : ''}`,
    ...(c.kubernetes ? [`  kubernetes: ${c.kubernetes.sources.join(', ')} into ${c.kubernetes.zones.join(', ')} (${c.kubernetes.kubeconfig ? `kubeconfig ${c.kubernetes.kubeconfig}` : 'in-cluster service account'})`] : []),
    ...c.dnssec.warnings.map((w) => `  warning: ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}
