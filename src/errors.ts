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
  IDEMPOTENCY_CONFLICT: { retryable: false, meaning: 'correlation_id reused with a different payload' },
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
