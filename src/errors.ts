/**
 * The one error class of swapd and its code catalogue. The codes are the wire codes of the MQTT API
 * (SPEC §2.2) plus internal fault codes; each is declared once with its meaning and retryability.
 */
export const ERROR_CATALOGUE = {
  MALFORMED_PAYLOAD: {
    retryable: false,
    meaning: 'payload is not JSON, not an object, or over the size limit',
  },
  SCHEMA_VIOLATION: { retryable: false, meaning: "payload fails the action's JSON Schema" },
  TOPIC_MISMATCH: { retryable: false, meaning: 'action or plan_id in the payload differs from the topic' },
  UNKNOWN_ACTION: { retryable: false, meaning: 'the topic names an operation swapd does not have' },
  SERVICE_PLAN_NOT_FOUND: { retryable: false, meaning: 'no plan with that plan_id' },
  IDEMPOTENCY_CONFLICT: {
    retryable: false,
    meaning: "correlation_id (or Odoo's payment_receipt_id) reused with a different payload",
  },
  FSM_TRANSITION_REJECTED: { retryable: false, meaning: 'a cycle refused an input in its current state' },
  INVALID_VALUE: { retryable: false, meaning: 'a value is out of range for the asset or service' },
  SIGNATURE_INVALID: {
    retryable: false,
    meaning: "a signed callback's signature is missing, wrong or older than 5 minutes; nothing was applied",
  },
  SERVICE_UNAVAILABLE: {
    retryable: true,
    meaning: 'database or another dependency is down; nothing was applied',
  },
  INTERNAL_ERROR: { retryable: false, meaning: 'a defect in swapd; nothing was applied' },
  CONFIG_INVALID: { retryable: false, meaning: 'configuration failed validation' },
  NOT_FOUND: { retryable: false, meaning: 'a referenced record does not exist' },
  ALREADY_EXISTS: { retryable: false, meaning: 'a record with that id exists already' },
  SAFETY_CLEAR_REFUSED: {
    retryable: false,
    meaning: 'Safe State was not cleared: its cause is still present (or the slot cannot be seen)',
  },
  // Business refusals of the payment and lifecycle flows (answers with this signal and code).
  PAYMENT_PENDING_CONFIRMATION: {
    retryable: false,
    meaning:
      "quota exhausted while a station top-up awaits Odoo's confirmation (the payment is recorded); retry with a new correlation_id once it is confirmed. CLOSE_PLAN: payments still await Odoo",
  },
  PAYMENT_ALREADY_CONFIRMED: {
    retryable: false,
    meaning: 'Odoo rejected a payment it had confirmed before; a receipt outcome is final',
  },
  PAYMENT_PLAN_MISMATCH: {
    retryable: false,
    meaning: 'the payment receipt is recorded for another plan; nothing is changed',
  },
  EQUIPMENT_CHARGE_UNKNOWN: {
    retryable: false,
    meaning: 'no hardware reading of the outgoing battery and no kWh or SOC in the request: it is not issued',
  },
  EQUIPMENT_NOT_LOST: { retryable: false, meaning: 'RECOVER_BATTERY for a battery not reported lost' },
  PLAN_NOT_ACTIVE: { retryable: false, meaning: 'checkout refused: the plan is suspended or closed' },
  PLAN_CLOSED: {
    retryable: false,
    meaning: 'the plan is closed (COMPLETE): it cannot be suspended or resumed',
  },
  PLAN_HOLDS_BATTERY: { retryable: false, meaning: 'CLOSE_PLAN refused while the plan holds a battery' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorDetail {
  path: string;
  message: string;
}

export class SwapdError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: readonly ErrorDetail[];

  constructor(code: ErrorCode, message: string, options: { details?: ErrorDetail[]; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'SwapdError';
    this.code = code;
    this.retryable = ERROR_CATALOGUE[code].retryable;
    this.details = options.details ?? [];
  }
}

export function isSwapdError(err: unknown, code?: ErrorCode): err is SwapdError {
  return err instanceof SwapdError && (code === undefined || err.code === code);
}

/** Postgres/pg connection-level failures: the dependency is down, not the request wrong. */
const UNAVAILABLE_PG_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

export function isUnavailableError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_PG_CODES.has(code) || UNAVAILABLE_NODE_CODES.has(code)))
    return true;
  if (typeof code === 'string' && (code.startsWith('08') || code.startsWith('53') || code.startsWith('57P')))
    return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|pool is draining|PGlite is closed|not currently accepting connections|terminating connection/i.test(
    err.message,
  );
}
