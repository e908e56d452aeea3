import type { AgentResult } from './shared/agent.types.js';
import type { AgentContext } from './shared/plan.types.js';

/** The fields every request carries once the router has normalised its envelope. */
export interface BaseRequest {
  action: string;
  correlation_id: string;
  plan_id?: string;
  timestamp?: string;
  attendant_id?: string;
  attendant_station?: string;
}

export type PlanPaymentsNeed = 'always' | 'on-refusal' | 'never';

export interface HandlerSettings {
  /** App vs hardware kWh difference above which the hardware wins and KWH_MISMATCH is signalled. */
  readonly kwhToleranceKwh: number;
}

/**
 * One action: its wire name, its request schema, which batteries it needs (loaded and locked by the
 * router), which batteries the station hardware should be asked about, and a pure decision.
 */
export interface ActionHandler<R extends BaseRequest = BaseRequest> {
  readonly action: string;
  readonly requestSchema: object;
  /** Read-only actions take no row locks and write nothing but their idempotency record. */
  readonly readOnly: boolean;
  assetIds(request: R): string[];
  /** Payments the decision needs to see (by payment id). */
  paymentIds?(request: R): string[];
  /**
   * Whether to load the plan's open payments (PENDING, and the latest REJECTED) with their ledger,
   * besides the ones named by paymentIds: `always`, `on-refusal` (only when the first decision refuses:
   * it is taken again with them, which keeps the hot path at one read), or `never` (the default).
   */
  planPayments?(request: R): PlanPaymentsNeed;
  /** The idempotency key when it is not the correlation_id (Odoo's payment_receipt_id). */
  idempotencyKey?(request: R): { scope: 'payment'; key: string };
  decide(ctx: AgentContext, request: R, settings: HandlerSettings): AgentResult;
}
