import type { Effect } from '../../agents/shared/agent.types.js';
import type { AssetView, PaymentView, PlanView } from '../../agents/shared/plan.types.js';
import type { CycleName, CycleRecord } from '../../fsm/index.js';

export interface IdempotencyKey {
  /**
   * 'request': a correlation_id, unique per plan and operation; 'payment': Odoo's payment_receipt_id,
   * unique across all plans.
   */
  scope: 'request' | 'payment';
  key: string;
  planId: string;
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

export interface LoadRequest {
  planId: string;
  assetIds: readonly string[];
  paymentIds: readonly string[];
  /** Lock the plan and its batteries (actions that write). */
  lock: boolean;
}

export interface LoadedRequest {
  plan: LoadedPlan;
  assets: AssetView[];
  payments: PaymentView[];
}

/** Everything a request writes: its cycles, its effects and its response, together. */
export interface RequestWrite {
  key: IdempotencyKey;
  /** The response as JSON text; stored for replays. */
  responseText: string;
  cycles: readonly CycleRecord[];
  effects: readonly Effect[];
  ctx: EffectContext;
}

/** The unit of work the router runs one request in: all of it commits, or none of it. */
export interface RequestTransaction {
  /**
   * Claims the key and, when it is new, takes the plan's row lock (if `lock`) and reads the plan with its
   * template, service states and cycles, its batteries and payments (null: no such plan). An existing
   * key comes back as such, with its stored answer. One database round trip.
   */
  claimAndLoad(
    key: IdempotencyKey,
    request: LoadRequest,
  ): Promise<Exclude<ClaimResult, { kind: 'claimed' }> | { kind: 'claimed'; loaded: LoadedRequest | null }>;
  /** The transaction's last step: the transaction commits with it (nothing may follow it). */
  write(write: RequestWrite): Promise<void>;
  /** The plan's PENDING and latest REJECTED payments and the named ones, with their ledger columns. */
  planPayments(planId: string, paymentIds: readonly string[]): Promise<PaymentView[]>;
}

/** One request of a group: its key and what it needs loaded (a group's members all lock). */
export interface GroupMember {
  key: IdempotencyKey;
  load: LoadRequest;
}

/** What the group's claim found for one member; `unknown`: its key exists but was not found again. */
export type GroupClaim =
  | Exclude<ClaimResult, { kind: 'claimed' }>
  | { kind: 'claimed'; loaded: LoadedRequest | null }
  | { kind: 'unknown' };

/**
 * The unit of work a group of requests runs in: one claim-lock-read for all, one write for all, one
 * commit. The members touch disjoint plans, batteries, payments and keys.
 */
export interface GroupTransaction {
  /**
   * Claims every member's key; for those that were new, locks the plans, then the batteries, then the
   * payments (each kind in id order) and reads them. One database round trip; results in member order.
   */
  claimAndLoad(members: readonly GroupMember[]): Promise<GroupClaim[]>;
  /**
   * Every member's writes together (one statement, plus the effects one statement cannot express, in
   * order, member by member); the keys in `dropped` (members refused before writing) are given back.
   * The group's last step: its transaction commits with it (nothing may follow it).
   */
  write(writes: readonly RequestWrite[], dropped: readonly IdempotencyKey[]): Promise<void>;
  planPayments(planId: string, paymentIds: readonly string[]): Promise<PaymentView[]>;
}

export interface RequestStore {
  transaction<T>(work: (tx: RequestTransaction) => Promise<T>): Promise<T>;
  /** Several requests in one transaction; absent when this store runs every request on its own. */
  groupTransaction?<T>(work: (tx: GroupTransaction) => Promise<T>): Promise<T>;
}
