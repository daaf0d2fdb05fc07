/** Arrays and objects nested deeper than this are refused before parsing (no request needs 10). */
export const MAX_JSON_DEPTH = 64;

/**
 * True when the JSON text opens more than `max` arrays or objects at once. Strings are skipped
 * (brackets inside them do not count). A cheap scan before JSON.parse: the parser, the schema
 * validator and the error path all recurse per level, and 100,000 levels overflow the stack.
 */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}
