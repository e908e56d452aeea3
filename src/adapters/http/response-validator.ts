import type { ErrorDetail } from '../../errors.js';
import { createAjv, type ValidateFunction } from '../../validation/ajv.js';
import { toDetails } from '../../validation/details.js';
import { SPEC003_SCHEMAS } from '../../validation/spec003/spec003-validator.js';
import errorSchema from './schemas/error.response.schema.json' with { type: 'json' };
import fleetSchema from './schemas/fleet.response.schema.json' with { type: 'json' };
import historySchema from './schemas/history.response.schema.json' with { type: 'json' };
import statusSchema from './schemas/status.response.schema.json' with { type: 'json' };
import versionSchema from './schemas/version.response.schema.json' with { type: 'json' };

/** The JSON Schemas of the operator HTTP responses (src/adapters/http/schemas/), by name. */
export const HTTP_RESPONSE_SCHEMAS = {
  error: errorSchema,
  status: statusSchema,
  fleet: fleetSchema,
  history: historySchema,
  version: versionSchema,
} as const;
export type HttpResponseSchema = keyof typeof HTTP_RESPONSE_SCHEMAS;

/** Checks a response body against its schema before it is sent (the SPEC-003 schemas are referenced). */
export class HttpResponseValidator {
  readonly #validators = new Map<HttpResponseSchema, ValidateFunction>();

  constructor() {
    const ajv = createAjv();
    ajv.addSchema(SPEC003_SCHEMAS.envelope);
    for (const payload of Object.values(SPEC003_SCHEMAS.payloads)) ajv.addSchema(payload);
    for (const [name, schema] of Object.entries(HTTP_RESPONSE_SCHEMAS))
      this.#validators.set(name as HttpResponseSchema, ajv.compile(schema));
  }

  check(name: HttpResponseSchema, body: unknown): ErrorDetail[] | null {
    const validate = this.#validators.get(name) as ValidateFunction;
    return validate(body) ? null : toDetails(validate.errors);
  }
}
