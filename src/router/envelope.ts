/**
 * Two payload shapes reach swapd: the canonical flat one `{ action, correlation_id, ...fields }` and
 * the deployed app's envelope `{ timestamp, plan_id, correlation_id, actor, data: { action, ... } }`.
 * Both are normalised to the flat request; the response goes back in the shape that came in.
 */
export type Shape = 'flat' | 'envelope';

export interface Normalised {
  shape: Shape;
  request: Record<string, unknown>;
  /** The payload as it came, for the envelope's own schema. */
  envelope: Record<string, unknown>;
  correlationId: string | null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function isEnvelope(payload: Record<string, unknown>): boolean {
  return isObject(payload.data) && (isObject(payload.actor) || !('action' in payload));
}

export function normalise(payload: Record<string, unknown>): Normalised {
  if (!isEnvelope(payload)) {
    const id = payload.correlation_id;
    return {
      shape: 'flat',
      request: payload,
      envelope: payload,
      correlationId: typeof id === 'string' ? id : null,
    };
  }
  const data = payload.data as Record<string, unknown>;
  const request: Record<string, unknown> = { ...data };
  for (const key of ['correlation_id', 'plan_id', 'timestamp'] as const) {
    if (payload[key] !== undefined && request[key] === undefined) request[key] = payload[key];
  }
  const id = request.correlation_id;
  return { shape: 'envelope', request, envelope: payload, correlationId: typeof id === 'string' ? id : null };
}

export interface FlatResponse {
  correlation_id: string | null;
  plan_id: string;
  timestamp: string;
  success: boolean;
  signals: string[];
  metadata: Record<string, unknown>;
  fsmInputs: unknown[];
  error?: {
    code: string;
    message: string;
    details: { path: string; message: string }[];
    retryable?: boolean;
  };
  replayed?: boolean;
}

export function render(shape: Shape, response: FlatResponse, action: string | null): Record<string, unknown> {
  if (shape === 'flat') return { ...response };
  const { correlation_id, plan_id, timestamp, ...rest } = response;
  return {
    timestamp,
    plan_id,
    correlation_id,
    actor: { type: 'agent', id: 'swapd' },
    data: { ...(action ? { action } : {}), ...rest },
  };
}
