import type { ValidateFunction } from 'ajv';
import commonSchema from '../../agents/common.schema.json' with { type: 'json' };
import { type ErrorDetail, SwapdError } from '../errors.js';
import { createAjv } from './ajv.js';
import { toDetails } from './details.js';

export type Validation = { ok: true } | { ok: false; details: ErrorDetail[] };

/**
 * Every message schema, compiled once at start-up: a schema that does not compile stops swapd.
 * Keys are the schema names (an action, or an outbound message kind).
 */
export class MessageValidator {
  readonly #compiled = new Map<string, ValidateFunction>();
  readonly #ajv = createAjv();

  constructor(schemas: Record<string, object>, shared: object[] = []) {
    this.#ajv.addSchema(commonSchema);
    for (const schema of shared) this.#ajv.addSchema(schema);
    for (const [name, schema] of Object.entries(schemas)) {
      try {
        this.#compiled.set(name, this.#ajv.compile(schema));
      } catch (cause) {
        throw new SwapdError('INTERNAL_ERROR', `message schema ${name} does not compile`, { cause });
      }
    }
  }

  has(name: string): boolean {
    return this.#compiled.has(name);
  }

  validate(name: string, value: unknown): Validation {
    const validate = this.#compiled.get(name);
    if (!validate) throw new SwapdError('INTERNAL_ERROR', `no schema named ${name}`);
    return validate(value) ? { ok: true } : { ok: false, details: toDetails(validate.errors) };
  }
}
