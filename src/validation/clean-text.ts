/**
 * The string rule of the API: text swapd accepts from outside holds no NUL (Postgres text cannot store
 * it) and no lone UTF-16 surrogate (it has no UTF-8 form). JSON escapes (`\u0000`, `\ud800`) and URL
 * escapes can carry both, so every string is checked, not only raw bytes.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NUL = String.fromCharCode(0);

export function isCleanText(value: string): boolean {
  return !value.includes(NUL) && !LONE_SURROGATE.test(value);
}

/** The ajv format name every string schema of the API carries (agents/common.schema.json). */
export const CLEAN_TEXT_FORMAT = 'text';
