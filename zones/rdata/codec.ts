import type { WireName } from '../name.js';

/**
 * One token of a record's rdata as the zone-file lexer hands it over: `value` is the raw text with
 * escape sequences (`\X`, `\DDD`) left in place and surrounding quotes removed; `quoted` tells
 * whether it was written inside double quotes (TXT and friends care, `\#` must not be quoted).
 */
export interface Token {
  value: string;
  quoted: boolean;
}

export interface TextContext {
  /** Origin that relative names in the rdata are completed with. */
  origin: WireName;
}

export class RdataError extends Error {
  override name = 'RdataError';
  readonly code = 'MESHDNS_ERR_RDATA';
}

/**
 * Presentation ⇄ wire for one RR type. Wire rdata is always uncompressed, with embedded names in
 * the case they were written.
 */
export interface RdataCodec {
  readonly type: number;
  /** Presentation tokens → wire rdata; throws RdataError naming the bad field and value. */
  fromText(tokens: readonly Token[], ctx: TextContext): Uint8Array;
  /** Wire rdata → presentation text as kdig / named-compilezone print it; throws RdataError. */
  toText(rdata: Uint8Array): string;
}
