/** Key timing fields of BIND key files: YYYYMMDDHHMMSS in UTC, and the asctime comment BIND adds. */

export interface KeyTiming {
  created?: number;
  publish?: number;
  activate?: number;
  inactive?: number;
  delete?: number;
  syncPublish?: number;
  syncDelete?: number;
}

/** BIND field name → KeyTiming property, in the order BIND writes them. */
export const TIMING_FIELDS: ReadonlyArray<readonly [string, keyof KeyTiming]> = [
  ['Created', 'created'],
  ['Publish', 'publish'],
  ['Activate', 'activate'],
  ['Inactive', 'inactive'],
  ['Delete', 'delete'],
  ['SyncPublish', 'syncPublish'],
  ['SyncDelete', 'syncDelete'],
];

/** "20261207100538" → unix seconds; undefined when the text is not a valid timestamp. */
export function parseKeyTime(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return ms / 1000;
}

export function formatKeyTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Mon Dec  7 10:05:38 2026", as BIND prints it after the timestamp in .key comments. */
export function asctime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}
