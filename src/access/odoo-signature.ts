import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalText, jcsOrder } from '../validation/canonical-json.js';

/**
 * Signed Odoo callbacks: `signature` is the lower-case hex HMAC-SHA256, keyed with the shared secret,
 * of the RFC 8785 (JSON Canonicalization Scheme) form of the request object without its `signature`
 * member; `signed_at` (ISO 8601, inside the signed object) must be within five minutes of swapd's clock.
 */
export const SIGNATURE_MAX_SKEW_MS = 5 * 60 * 1000;
const HEX_SHA256 = /^[0-9a-f]{64}$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The exact text that is signed: the RFC 8785 form, written without recursion (the request is not yet
 * checked against its schema here, and a value nested 30,000 levels deep must still get its answer).
 */
export function signingInput(request: Readonly<Record<string, unknown>>): string {
  const { signature: _signature, ...signed } = request;
  return canonicalText(signed, jcsOrder);
}

export function signRequest(secret: string, request: Readonly<Record<string, unknown>>): string {
  return createHmac('sha256', secret).update(signingInput(request), 'utf8').digest('hex');
}

/** null when the signature is good and fresh; otherwise why it is not (never names the expected value). */
export function signatureProblem(
  secret: string,
  request: Readonly<Record<string, unknown>>,
  now: Date,
): string | null {
  const { signature, signed_at: signedAt } = request;
  if (signature === undefined) return 'the request is not signed (signature is missing)';
  if (typeof signature !== 'string' || !HEX_SHA256.test(signature))
    return 'signature must be 64 lower-case hex digits (HMAC-SHA256)';
  if (typeof signedAt !== 'string' || !ISO_8601.test(signedAt) || Number.isNaN(Date.parse(signedAt)))
    return 'signed_at must be an ISO 8601 date-time';
  if (Math.abs(now.getTime() - Date.parse(signedAt)) > SIGNATURE_MAX_SKEW_MS)
    return `signed_at ${signedAt} is more than 5 minutes from swapd's clock (${now.toISOString()})`;
  const expected = Buffer.from(signRequest(secret, request), 'hex');
  const given = Buffer.from(signature, 'hex');
  return timingSafeEqual(expected, given) ? null : 'signature does not match the request';
}

/** Actions whose requests come from Odoo and must be signed once a secret is configured. */
const SIGNED_ACTIONS = new Set(['CONFIRM_PAYMENT']);

/** The request pipeline's check: Odoo's callbacks signed with this secret; other actions unaffected. */
export function odooSignatureCheck(secret: string) {
  return (action: string, payload: Readonly<Record<string, unknown>>, now: Date): string | null =>
    SIGNED_ACTIONS.has(action) ? signatureProblem(secret, payload, now) : null;
}
