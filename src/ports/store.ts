import type { Effect } from '../../agents/shared/agent.types.js';
import type { AssetView, PaymentView, PlanView } from '../../agents/shared/plan.types.js';
import type { CycleName, CycleRecord } from '../../fsm/index.js';

export interface IdempotencyKey {
  /** 'request' for correlation_id, 'payment' for Odoo's payment_receipt_id. */
  scope: 'request' | 'payment';
  key: string;
  planId: string | null;
  operation: string;
  requestHash: string;
}

export type ClaimResult =
  | { kind: 'claimed' }
  | { kind: 'existing'; requestHash: string; response: Record<string, unknown> | null };

export interface LoadedPlan {
  view: PlanView;
  cycles: Record<CycleName, CycleRecord>;
}

export interface EffectContext {
  planId: string;
  correlationId: string | null;
  now: Date;
}

/** The unit of work the router runs one request in: all of it commits, or none of it. */
export interface RequestTransaction {
  claimKey(key: IdempotencyKey): Promise<ClaimResult>;
  loadPlan(planId: string, lock: boolean): Promise<LoadedPlan | null>;
  loadAssets(assetIds: readonly string[], lock: boolean): Promise<AssetView[]>;
  loadPayments(paymentIds: readonly string[]): Promise<PaymentView[]>;
  saveCycles(planId: string, records: readonly CycleRecord[], now: Date): Promise<void>;
  applyEffects(effects: readonly Effect[], ctx: EffectContext): Promise<void>;
  storeResponse(key: IdempotencyKey, response: Record<string, unknown>): Promise<void>;
}

export interface RequestStore {
  transaction<T>(work: (tx: RequestTransaction) => Promise<T>): Promise<T>;
  /** A quick look for a replay before any transaction is opened. */
  findKey(
    scope: IdempotencyKey['scope'],
    key: string,
  ): Promise<Exclude<ClaimResult, { kind: 'claimed' }> | null>;
}
