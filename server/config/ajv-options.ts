import type { Options } from 'ajv';

/**
 * How the config schema is compiled, shared by the generator and the test that compares a fresh
 * compile with the committed validator. The schema is ours and fixed, so it is not checked against
 * the meta-schema (as the admin API does); strict mode still refuses a keyword ajv does not know.
 * `verbose` hands each error its schema node, where the message and the secret marking live.
 */
export const AJV_OPTIONS: Options = {
  allErrors: false, strict: true, validateSchema: false, verbose: true, useDefaults: false, coerceTypes: false,
  // shared sub-schemas (generate-validator.ts hoistRepeated) stay functions of their own
  inlineRefs: false,
  code: { source: true, esm: true, lines: true },
};

/** Our own annotation keywords (see schema.ts); ajv must know them in strict mode. */
export const ANNOTATIONS = ['errorMessage', 'upcoming'];
