import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { GENERATED_TOKEN_FILE } from '../admin/token.js';
import { CommandError } from './program.js';

export { CommandError };

/** The config a command reads when none is given: meshdns.yaml in the current folder, if there is one. */
export const DEFAULT_CONFIG_FILE = 'meshdns.yaml';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Where a command finds the running server's admin API, as given on its command line. */
export interface ServerOptions {
  server?: string;
  token?: string;
  tokenFile?: string;
  config?: string;
  data?: string;
}

/**
 * The admin API of a running meshdns: `--server` or the config's admin.listen (--config, else
 * ./meshdns.yaml when it exists, else the defaults: 127.0.0.1:8053); the token from --token, --token-file, MESHDNS_API_TOKEN, the
 * config's admin.token/admin.tokenFile, or the file the server generates, <data>/admin.token.
 */
export class AdminClient {
  private constructor(readonly url: string, private readonly token: string) {}

  static resolve(opts: ServerOptions, env: NodeJS.ProcessEnv): AdminClient {
    let config: Config | undefined;
    const readConfig = (): Config => {
      if (config) return config;
      try {
        const file = opts.config ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
        config = loadConfig(file, opts.data === undefined ? {} : { data: opts.data }, env);
      } catch (err) {
        if (err instanceof ConfigError) throw new CommandError(`${err.message} (or give --server and --token)`);
        throw err;
      }
      return config;
    };
    let url = opts.server;
    if (url === undefined) {
      const admin = readConfig().admin;
      if (!admin) throw new CommandError('the config turns the admin API off (admin: false); give --server URL');
      url = `http://${hostForUrl(admin.listen.host)}:${admin.listen.port}`;
    }
    if (!/^https?:\/\//.test(url)) url = `http://${url}`;
    return new AdminClient(url.replace(/\/+$/, ''), findToken(opts, env, readConfig));
  }

  /** One API call; a 4xx/5xx becomes a CommandError with the server's one-line message. */
  async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const { text, parsed } = await this.send(method, path, body);
    if (parsed === undefined && text !== '') throw new CommandError(`the answer from ${this.url}${path} is not JSON: is --server a meshdns admin API?`);
    return parsed as T;
  }

  /** One API call answered with text (a zone export). */
  async text(path: string): Promise<string> {
    return (await this.send('GET', path)).text;
  }

  private async send(method: Method, path: string, body?: unknown): Promise<{ text: string; parsed: unknown }> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CommandError(`cannot reach meshdns at ${this.url}: ${cause?.code ?? cause?.message ?? (err as Error).message} (is it running? --server URL)`);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const { error, field } = (parsed ?? {}) as { error?: unknown; field?: unknown };
      throw new CommandError(typeof error === 'string' ? error : `HTTP ${res.status} from ${this.url}${path}`, res.status, typeof field === 'string' ? field : undefined);
    }
    return { text, parsed };
  }
}

function findToken(opts: ServerOptions, env: NodeJS.ProcessEnv, readConfig: () => Config): string {
  if (opts.token !== undefined) return opts.token;
  if (opts.tokenFile !== undefined) return readToken(opts.tokenFile, '--token-file');
  const fromEnv = env['MESHDNS_API_TOKEN'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const config = readConfig();
  if (config.admin?.token !== undefined) return config.admin.token;
  return readToken(join(config.data, GENERATED_TOKEN_FILE), 'the generated token file');
}

function readToken(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CommandError(`${what} "${file}" cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (give --token, --token-file, MESHDNS_API_TOKEN, or --data DIR of the server)`);
  }
  const token = text.trim();
  if (token === '') throw new CommandError(`${what} "${file}" is empty`);
  return token;
}

/** A wildcard listener is reached over loopback; IPv6 goes in brackets. */
function hostForUrl(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
