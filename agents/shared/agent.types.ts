import type { FsmInput } from '../../fsm/index.js';
import type { AssetStatus } from './plan.types.js';

export type { FsmInput } from '../../fsm/index.js';

/** A change the router applies in the request's transaction, after the cycles accepted the inputs. */
export type Effect =
  | { kind: 'usage'; service_id: string; increment: string }
  | { kind: 'quota'; service_id: string; increment: string }
  | { kind: 'current_asset'; service_id: string; asset_id: string | null }
  | {
      kind: 'asset';
      asset_id: string;
      status: AssetStatus;
      holder_plan_id: string | null;
      station_id?: string | null;
    }
  | { kind: 'event'; event_type: string; topic: string; payload: Record<string, unknown> }
  | { kind: 'payment'; payment: PaymentRecord }
  | { kind: 'payment_update'; update: PaymentUpdate }
  | { kind: 'plan_status'; status: PlanStatus }
  | { kind: 'returned'; asset_id: string | null; kwh: string | null }
  | { kind: 'renew_period'; quotas: { service_id: string; quota: string }[] }
  | {
      kind: 'audit';
      audit_kind: string;
      requester: string | null;
      decision: string;
      details: Record<string, unknown>;
    };

export type PaymentStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED';
export type PlanStatus = 'ACTIVE' | 'SUSPENDED' | 'COMPLETE';

/** A payment's ledger moving on: confirmed (with Odoo's amount), credited further, or rejected and reversed. */
export interface PaymentUpdate {
  payment_id: string;
  status: PaymentStatus;
  /** Odoo's amount when it confirms; the stored amount otherwise. */
  amount?: string;
  /** Units credited for this payment so far, in total. */
  credited?: string;
  credit_service_id?: string | null;
  provisional_amount?: string;
  reversed?: string;
  unrecovered?: string;
}

export interface PaymentRecord {
  payment_id: string;
  source: 'attendant' | 'odoo';
  status: PaymentStatus;
  amount: string;
  currency: string;
  payment_method: string;
  payment_type: string | null;
  service_id: string | null;
  odoo_receipt_id: string | null;
  correlation_id: string | null;
  payment_timestamp: string | null;
  /** Units credited for this payment (at once, or provisionally while PENDING). */
  credited: string;
  credit_service_id: string | null;
  /** The part of the amount credited before Odoo confirmed it (provisional credit). */
  provisional_amount: string;
}

export interface WireError {
  code: string;
  message: string;
  details: { path: string; message: string }[];
  retryable?: boolean;
}

/** What every handler returns: a value, refusals included. Faults are thrown instead. */
export interface AgentResult {
  success: boolean;
  signals: string[];
  metadata: Record<string, unknown>;
  fsmInputs: FsmInput[];
  effects: Effect[];
  error?: WireError;
}

export function refusal(
  signal: string,
  code: string,
  message: string,
  metadata: Record<string, unknown> = {},
): AgentResult {
  return {
    success: false,
    signals: [signal],
    metadata,
    fsmInputs: [],
    effects: [],
    error: { code, message, details: [] },
  };
}

/** A value the schema allowed but the plan or battery does not (kWh above capacity, …): nothing is kept. */
export function invalidValue(path: string, message: string): AgentResult {
  const result = refusal('VALIDATION_FAILED', 'INVALID_VALUE', `${path}: ${message}`);
  result.error?.details.push({ path, message });
  return result;
}
