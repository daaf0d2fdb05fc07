/** A config that cannot be used: the message names the file, the key path, the value and why. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'MESHDNS_ERR_CONFIG';
}

/** Throws a ConfigError for `key` (a path such as `zones[2].origin`); never returns. */
export type Fail = (key: string, value: unknown, why: string) => never;

/** `where: key: "value" why` — the one shape every config error has, from the schema pass or a code check. */
export function failIn(where: string): Fail {
  return (key, value, why) => {
    throw new ConfigError(`${where}: ${key}: ${value === undefined ? '' : `${JSON.stringify(value)} `}${why}`);
  };
}
