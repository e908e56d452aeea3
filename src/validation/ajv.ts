import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export type { ValidateFunction } from 'ajv';

export interface AjvOptions {
  /** Fill defaults from the schema (configuration); messages are never altered. */
  useDefaults?: boolean;
}

/** The one ajv factory: all errors, strict schemas, no type coercion, formats enabled. */
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
  return ajv;
}
