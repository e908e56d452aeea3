import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { CLEAN_TEXT_FORMAT, isCleanText } from './clean-text.js';
import { freeFormKeyword } from './free-form.js';

export type { ValidateFunction } from 'ajv';

export interface AjvOptions {
  /** Fill defaults from the schema (configuration); messages are never altered. */
  useDefaults?: boolean;
}

/**
 * The one ajv factory: all errors, strict schemas, no type coercion, formats enabled, plus the API's
 * string rule (`"format": "text"`: no NUL, no unpaired surrogate) and the `freeForm` keyword that bounds
 * the depth and size of free-form values.
 */
export function createAjv(options: AjvOptions = {}): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    coerceTypes: false,
    useDefaults: options.useDefaults ?? false,
  });
  addFormats.default(ajv);
  ajv.addFormat(CLEAN_TEXT_FORMAT, { type: 'string', validate: isCleanText });
  ajv.addKeyword(freeFormKeyword);
  return ajv;
}
