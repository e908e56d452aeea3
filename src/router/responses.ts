import type { AgentResult } from '../../agents/shared/agent.types.js';
import { ERROR_CATALOGUE, type ErrorCode, type ErrorDetail } from '../errors.js';
import type { FlatResponse } from './envelope.js';

export interface ResponseBase {
  correlationId: string | null;
  planId: string;
  now: Date;
}

/** Codes whose signal is VALIDATION_FAILED (SPEC §2.2); the others are their own signal. */
const VALIDATION_CODES = new Set<string>([
  'MALFORMED_PAYLOAD',
  'SCHEMA_VIOLATION',
  'TOPIC_MISMATCH',
  'INVALID_VALUE',
]);

export function errorResponse(
  base: ResponseBase,
  code: ErrorCode,
  message: string,
  details: readonly ErrorDetail[] = [],
): FlatResponse {
  const retryable = ERROR_CATALOGUE[code].retryable;
  return {
    correlation_id: base.correlationId,
    plan_id: base.planId,
    timestamp: base.now.toISOString(),
    success: false,
    signals: [VALIDATION_CODES.has(code) ? 'VALIDATION_FAILED' : code],
    metadata: {},
    fsmInputs: [],
    error: { code, message, details: [...details], ...(retryable ? { retryable: true } : {}) },
  };
}

export function resultResponse(base: ResponseBase, result: AgentResult): FlatResponse {
  return {
    correlation_id: base.correlationId,
    plan_id: base.planId,
    timestamp: base.now.toISOString(),
    success: result.success,
    signals: result.signals,
    metadata: result.metadata,
    fsmInputs: result.fsmInputs,
    ...(result.error ? { error: result.error } : {}),
  };
}

/** The first answer again; it carries this request's correlation_id (an Odoo retry may bring a new one). */
export function replayResponse(stored: Record<string, unknown>, base: ResponseBase): FlatResponse {
  const original = stored as unknown as FlatResponse;
  return {
    ...original,
    correlation_id: base.correlationId,
    timestamp: base.now.toISOString(),
    signals: [...original.signals, 'IDEMPOTENT_OPERATION_DETECTED'],
    replayed: true,
  };
}
