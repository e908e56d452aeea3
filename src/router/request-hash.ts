import { createHash } from 'node:crypto';
import { canonicalText } from '../validation/canonical-json.js';

/** Keys in the order the canonical form has always used: sorted, integer-like keys first as JS orders them. */
function orderedKeys(value: Record<string, unknown>): string[] {
  const sorted = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.keys(Object.fromEntries(sorted));
}

/**
 * The canonical JSON text of a value: object keys sorted, undefined members left out, no whitespace.
 * Built without recursion, so no nesting depth can overflow the call stack; the text is byte for byte
 * what `JSON.stringify` of the recursively key-sorted value gives.
 */
export function canonicalJson(root: unknown): string {
  return canonicalText(root, orderedKeys);
}

/**
 * Identity of a request for idempotency: its fields in canonical order, without the send timestamp
 * and without the correlation_id (the key itself, or for Odoo a per-retry id beside the receipt key),
 * nor a callback's signature and signing time.
 */
export function requestHash(operation: string, request: Record<string, unknown>): string {
  // A retried Odoo callback is signed again: its signature and signed_at are not part of its identity.
  const {
    timestamp: _sent,
    correlation_id: _key,
    signed_at: _signedAt,
    signature: _signature,
    ...fields
  } = request;
  return createHash('sha256')
    .update(operation)
    .update('\n')
    .update(canonicalJson(fields))
    .digest('base64url');
}
