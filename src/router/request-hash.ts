import { createHash } from 'node:crypto';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  }
  return value;
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
    .update(JSON.stringify(canonical(fields)))
    .digest('base64url');
}
