import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { AdminClient, CommandError } from './admin-client.js';
import { formatStatus, type DsJson, type KeyJson, type StatusJson } from './keys-format.js';
import { printer, processIo, UsageError, withConnection, type ConnectionOptions, type Io } from './program.js';

const ABOUT = 'DNSSEC keys of a running meshdns (they live in its LMDB), over its admin API. A zone\'s first keys are made ' +
  'when it is first signed (give it a policy); generate and roll start a roll, ds-seen lets a KSK or CSK roll go on once the parent serves the new DS.';

const ROLES = ['zsk', 'ksk', 'csk'] as const;
type Role = (typeof ROLES)[number];

/** `meshdns keys list|generate|roll|import|export|ds|ds-seen ZONE ...` */
export function registerKeys(program: Command, io: Io = processIo): void {
  const keys = program.command('keys').summary('DNSSEC keys of a running server: list, generate, roll, import, export, ds, ds-seen').description(ABOUT);
  const connect = (o: ConnectionOptions) => AdminClient.resolve(o, io.env);
  const zonePath = (zone: string) => `/api/v1/zones/${encodeURIComponent(zone.endsWith('.') ? zone : `${zone}.`)}`;

  withConnection(keys.command('list').description('the zone\'s keys, its next key event and earliest RRSIG expiry').argument('<ZONE>'))
    .action(async (zone: string, o: ConnectionOptions) => {
      const status = await connect(o).request<StatusJson>('GET', `${zonePath(zone)}/keys`);
      printer(io, o.json)(status, () => formatStatus(status));
    });

  const roll = async (zone: string, roleText: string | undefined, o: ConnectionOptions) => {
    const client = connect(o);
    let role: Role;
    if (roleText === undefined) {
      role = defaultRole(await client.request<StatusJson>('GET', `${zonePath(zone)}/keys`));
    } else {
      if (!(ROLES as readonly string[]).includes(roleText)) throw new UsageError(`role "${roleText}" is not zsk, ksk or csk`);
      role = roleText as Role;
    }
    const status = await client.request<StatusJson>('POST', `${zonePath(zone)}/keys/roll`, { role });
    printer(io, o.json)(status, () => `${role.toUpperCase()} roll started for ${status.origin}\n${formatStatus(status)}`);
  };
  withConnection(keys.command('generate').description('a new key now, starting a roll (default role: the zone\'s CSK, else its ZSK)').argument('<ZONE>'))
    .option('--role <ROLE>', 'zsk, ksk or csk')
    .action((zone: string, o: ConnectionOptions & { role?: string }) => roll(zone, o.role, o));
  withConnection(keys.command('roll').description('start a roll of the ZSK, KSK or CSK').argument('<ZONE>').argument('<ROLE>', 'zsk, ksk or csk'))
    .action((zone: string, role: string, o: ConnectionOptions) => roll(zone, role, o));

  withConnection(keys.command('import').description('import a BIND key pair (K<zone>+<alg>+<tag>.key and .private)').argument('<ZONE>').argument('<KEYFILE>', 'K<zone>+<alg>+<tag>, with or without .key/.private'))
    .action(async (zone: string, file: string, o: ConnectionOptions) => {
      const base = file.replace(/\.(key|private)$/, '');
      const key = readKeyFile(`${base}.key`);
      const priv = readKeyFile(`${base}.private`);
      const imported = await connect(o).request<KeyJson>('POST', `${zonePath(zone)}/keys`, { key, private: priv });
      printer(io, o.json)(imported, () => `imported ${basename(base)} into ${zone.endsWith('.') ? zone : `${zone}.`}: ${imported.role.toUpperCase()} tag ${imported.keyTag}, state ${imported.state}, id ${imported.id}\n`);
    });

  withConnection(keys.command('export').description('a key as BIND files: the .key on stdout, or the files into --out DIR').argument('<ZONE>').argument('<KEY>', 'its id or key tag (keys list)'))
    .option('--private', 'the .private file too')
    .option('--out <DIR>', 'write the files into DIR')
    .action(async (zone: string, keyId: string, o: ConnectionOptions & { private?: boolean; out?: string }) => {
      const query = o.private ? '?private=true' : '';
      const files = await connect(o).request<{ baseName: string; key: string; private?: string }>('GET', `${zonePath(zone)}/keys/${encodeURIComponent(keyId)}/export${query}`);
      const print = printer(io, o.json);
      if (o.out !== undefined) {
        const written = writeKeyFiles(o.out, files);
        print({ baseName: files.baseName, files: written }, () => written.map((f) => `${f}\n`).join(''));
      } else {
        print(files, () => files.key + (files.private ?? ''));
      }
    });

  withConnection(keys.command('ds').description('DS records for the parent, one per line').argument('<ZONE>'))
    .action(async (zone: string, o: ConnectionOptions) => {
      const ds = await connect(o).request<DsJson>('GET', `${zonePath(zone)}/ds`);
      if (!o.json && ds.ds.length === 0) io.err(`meshdns keys: ${ds.origin} has no key whose DS belongs at the parent\n`);
      printer(io, o.json)(ds, () => ds.text);
    });

  withConnection(keys.command('ds-seen').description('the parent serves the new DS: a KSK/CSK roll goes on').argument('<ZONE>').argument('[KEYTAG]', 'the key whose DS is seen (default: every submitted key)'))
    .action(async (zone: string, tag: string | undefined, o: ConnectionOptions) => {
      if (tag !== undefined && !/^[0-9]{1,5}$/.test(tag)) throw new UsageError(`KEYTAG "${tag}" is not a key tag (0-65535)`);
      const status = await connect(o).request<StatusJson>('POST', `${zonePath(zone)}/keys/ds-seen`, tag === undefined ? {} : { keyTag: Number(tag) });
      printer(io, o.json)(status, () => `DS ${tag === undefined ? 'of every submitted key' : `of key ${tag}`} recorded as seen at the parent of ${status.origin}\n${formatStatus(status)}`);
    });
}

/** `generate` without --role: the role that signs the zone data (its CSK, else its ZSK). */
function defaultRole(status: StatusJson): Role {
  const live = status.keys.filter((k) => k.state !== 'removed');
  if (live.length === 0) {
    throw new CommandError(`${status.origin} has no keys yet: give it a DNSSEC policy (zones[].dnssec or defaults.dnssec) and meshdns makes its first keys when it signs it, or import keys (keys import)`);
  }
  return live.some((k) => k.role === 'csk') ? 'csk' : 'zsk';
}

function readKeyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CommandError(`"${file}" cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The .key file, and the .private file readable by its owner only. */
function writeKeyFiles(dir: string, files: { baseName: string; key: string; private?: string }): string[] {
  const keyFile = join(dir, `${files.baseName}.key`);
  const written = [keyFile];
  try {
    writeFileSync(keyFile, files.key);
    if (files.private !== undefined) {
      const privateFile = join(dir, `${files.baseName}.private`);
      // an existing file keeps its mode through writeFileSync: narrow it before the key goes in
      if (existsSync(privateFile)) chmodSync(privateFile, 0o600);
      writeFileSync(privateFile, files.private, { mode: 0o600 });
      written.push(privateFile);
    }
  } catch (err) {
    throw new CommandError(`cannot write into "${dir}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return written;
}
