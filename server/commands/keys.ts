import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { AdminClient, CommandError } from './admin-client.js';
import { formatStatus, type DsJson, type KeyJson, type StatusJson } from './keys-format.js';

const USAGE = `usage: meshdns keys list ZONE
       meshdns keys generate ZONE [--role zsk|ksk|csk]
       meshdns keys roll ZONE zsk|ksk|csk
       meshdns keys import ZONE K<zone>+<alg>+<tag>[.key|.private]
       meshdns keys export ZONE KEY [--private] [--out DIR]
       meshdns keys ds ZONE
       meshdns keys ds-seen ZONE [KEYTAG]
options: --server URL  --token TOKEN | --token-file FILE  --config FILE  --data DIR  --json

Talks to the admin API of a running meshdns (keys live in its LMDB). The server is --server, or
admin.listen of the config (--config; the default is 127.0.0.1:8053); the token is --token,
--token-file, MESHDNS_API_TOKEN, the config's admin.token/tokenFile, or <data>/admin.token.

list     the zone's keys (role, tag, algorithm, state, timestamps), next key event, earliest RRSIG expiry
generate a new key now: starts a roll of the role given (default: the zone's CSK if it has one, else
         its ZSK). A zone's first keys are made when it is first signed (give it a policy).
roll     the same, with the role required
import   BIND key files (dnssec-keygen, Knot keymgr): reads the .key and .private beside each other
export   a key (by id or key tag) as BIND files: the .key on stdout, or both files into --out DIR;
         the .private file only with --private
ds       DS records for the parent, one per line
ds-seen  the parent serves the new DS (of KEYTAG, or of every submitted key): a KSK/CSK roll goes on
`;

export interface KeysIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const processIo: KeysIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
};

const ROLES = ['zsk', 'ksk', 'csk'] as const;
type Role = (typeof ROLES)[number];

/** `meshdns keys ...`; argv is what follows "keys". Resolves to the exit code. */
export async function runKeys(argv: string[], io: KeysIo = processIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        server: { type: 'string' }, token: { type: 'string' }, 'token-file': { type: 'string' },
        config: { type: 'string', short: 'c' }, data: { type: 'string' }, json: { type: 'boolean' },
        role: { type: 'string' }, private: { type: 'boolean' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return usage(io, (err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const [sub, zone, ...rest] = positionals;
  if (sub === undefined) return usage(io, 'which keys command?');
  if (!SUBCOMMANDS.has(sub)) return usage(io, `unknown keys command "${sub}"`);
  if (zone === undefined) return usage(io, `keys ${sub} needs a ZONE`);
  const origin = zone.endsWith('.') ? zone : `${zone}.`;
  try {
    const client = AdminClient.resolve({
      ...(values.server === undefined ? {} : { server: values.server }),
      ...(values.token === undefined ? {} : { token: values.token }),
      ...(values['token-file'] === undefined ? {} : { tokenFile: values['token-file'] }),
      ...(values.config === undefined ? {} : { config: values.config }),
      ...(values.data === undefined ? {} : { data: values.data }),
    }, io.env);
    const zonePath = `/api/v1/zones/${encodeURIComponent(origin)}`;
    const json = values.json === true;
    const print = (value: unknown, human: () => string) => io.out(json ? `${JSON.stringify(value, null, 2)}\n` : human());

    switch (sub) {
      case 'list': {
        if (rest.length > 0) return usage(io, `unexpected "${rest.join(' ')}"`);
        const status = await client.request<StatusJson>('GET', `${zonePath}/keys`);
        print(status, () => formatStatus(status));
        return 0;
      }
      case 'generate':
      case 'roll': {
        const roleText = values.role ?? (sub === 'roll' ? rest[0] : undefined);
        if (rest.length > (sub === 'roll' && values.role === undefined ? 1 : 0)) return usage(io, `unexpected "${rest.join(' ')}"`);
        let role: Role;
        if (roleText === undefined) {
          if (sub === 'roll') return usage(io, 'keys roll needs the role: zsk, ksk or csk');
          role = defaultRole(await client.request<StatusJson>('GET', `${zonePath}/keys`));
        } else {
          if (!(ROLES as readonly string[]).includes(roleText)) return usage(io, `role "${roleText}" is not zsk, ksk or csk`);
          role = roleText as Role;
        }
        const status = await client.request<StatusJson>('POST', `${zonePath}/keys/roll`, { role });
        print(status, () => `${role.toUpperCase()} roll started for ${status.origin}\n${formatStatus(status)}`);
        return 0;
      }
      case 'import': {
        if (rest.length !== 1) return usage(io, 'keys import needs one key file name (K<zone>+<alg>+<tag>, with or without .key/.private)');
        const base = rest[0]!.replace(/\.(key|private)$/, '');
        const key = readKeyFile(`${base}.key`);
        const priv = readKeyFile(`${base}.private`);
        const imported = await client.request<KeyJson>('POST', `${zonePath}/keys`, { key, private: priv });
        print(imported, () => `imported ${basename(base)} into ${origin}: ${imported.role.toUpperCase()} tag ${imported.keyTag}, state ${imported.state}, id ${imported.id}\n`);
        return 0;
      }
      case 'export': {
        if (rest.length !== 1) return usage(io, 'keys export needs the key: its id or key tag (see keys list)');
        const query = values.private ? '?private=true' : '';
        const files = await client.request<{ baseName: string; key: string; private?: string }>('GET', `${zonePath}/keys/${encodeURIComponent(rest[0]!)}/export${query}`);
        if (values.out !== undefined) {
          const written = writeKeyFiles(values.out, files);
          print({ baseName: files.baseName, files: written }, () => written.map((f) => `${f}\n`).join(''));
        } else {
          print(files, () => files.key + (files.private ?? ''));
        }
        return 0;
      }
      case 'ds': {
        if (rest.length > 0) return usage(io, `unexpected "${rest.join(' ')}"`);
        const ds = await client.request<DsJson>('GET', `${zonePath}/ds`);
        if (!json && ds.ds.length === 0) io.err(`meshdns keys: ${origin} has no key whose DS belongs at the parent\n`);
        print(ds, () => ds.text);
        return 0;
      }
      case 'ds-seen': {
        if (rest.length > 1) return usage(io, `unexpected "${rest.slice(1).join(' ')}"`);
        const tag = rest[0];
        if (tag !== undefined && !/^[0-9]{1,5}$/.test(tag)) return usage(io, `KEYTAG "${tag}" is not a key tag (0-65535)`);
        const status = await client.request<StatusJson>('POST', `${zonePath}/keys/ds-seen`, tag === undefined ? {} : { keyTag: Number(tag) });
        print(status, () => `DS ${tag === undefined ? 'of every submitted key' : `of key ${tag}`} recorded as seen at the parent of ${status.origin}\n${formatStatus(status)}`);
        return 0;
      }
    }
    return usage(io, `unknown keys command "${sub}"`);
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    io.err(`meshdns keys: ${err.message}\n`);
    return 1;
  }
}

const SUBCOMMANDS = new Set(['list', 'generate', 'roll', 'import', 'export', 'ds', 'ds-seen']);

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

function usage(io: KeysIo, problem: string): number {
  io.err(`meshdns keys: ${problem}\n${USAGE}`);
  return 2;
}
