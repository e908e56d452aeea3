import type { ErrorObject } from 'ajv';
import type { ErrorDetail } from '../errors.js';

/** ajv's errors as `{ path, message }`, with the offending property named where ajv knows it. */
export function toDetails(errors: readonly ErrorObject[] | null | undefined): ErrorDetail[] {
  return (errors ?? []).map((e) => {
    const extra = e.params as {
      additionalProperty?: string;
      missingProperty?: string;
      allowedValue?: unknown;
    };
    if (extra.additionalProperty)
      return { path: `${e.instancePath}/${extra.additionalProperty}`, message: 'is not allowed' };
    if (extra.missingProperty)
      return { path: `${e.instancePath}/${extra.missingProperty}`, message: 'is required' };
    const allowed = extra.allowedValue !== undefined ? ` ${JSON.stringify(extra.allowedValue)}` : '';
    return { path: e.instancePath || '/', message: `${e.message ?? 'is invalid'}${allowed}` };
  });
}
