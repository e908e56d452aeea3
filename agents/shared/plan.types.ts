import type { BatteryReading } from '../../src/ports/scanner.js';

/** What a plan template says about one service (templates/*.json, service_configurations[]). */
export interface ServiceConfig {
  readonly service_id: string;
  readonly name?: string;
  readonly quota: number;
  readonly tracks_asset: boolean;
  readonly unit: string;
  readonly decimal_precision: number;
  readonly usage_metric: 'COUNT' | 'ENERGY' | 'DURATION';
  readonly unit_price: string;
  /** Whether each swap uses one unit; default: COUNT services that track the battery. */
  readonly counts_swaps?: boolean;
}

export interface AgentParams {
  readonly electricity_tracking: {
    readonly enabled: boolean;
    readonly default_battery_capacity_kwh: number;
    readonly decimal_precision: number;
    readonly soc_telemetry_timeout_seconds: number;
    readonly kwh_mismatch_tolerance_kwh?: number;
    readonly min_outgoing_soc_pct?: number;
  };
  readonly service_completion: {
    readonly require_payment_confirmation: boolean;
    readonly receipt_generation_enabled: boolean;
    readonly event_publishing_enabled: boolean;
    /** The payment_type COMPLETE_SERVICE applies when the request names none (default TOP_UP). */
    readonly default_payment_type?: 'DEPOSIT' | 'TOP_UP' | 'RENEWAL' | 'SWAP_FEE';
    /**
     * Station top-ups credited at once, before Odoo confirms them, up to this much money (plan's
     * currency) outstanding per plan; reversed if Odoo rejects the payment. Absent or 0: wait for Odoo.
     */
    readonly provisional_credit_limit?: number;
  };
}

export interface PlanTemplate {
  readonly template_id: string;
  readonly version: number;
  readonly name: string;
  readonly currency: string;
  readonly billing: {
    readonly period_days: number;
    readonly grace_period_days: number;
    readonly deposit_required: boolean;
    readonly deposit_amount: string;
    readonly renewal_price: string;
    readonly currency_decimals: number;
    readonly immediate_credit?: boolean;
  };
  readonly service_configurations: readonly ServiceConfig[];
  readonly agent_params: AgentParams;
}

export interface ServiceStateView {
  readonly service_id: string;
  /** Exact decimals as strings. */
  readonly used: string;
  readonly quota: string;
  readonly current_asset: string | null;
}

export interface CycleView {
  readonly state: string;
  readonly deadline_at: string | null;
  readonly deadline_input: string | null;
}

export interface PlanView {
  readonly plan_id: string;
  readonly customer_id: string;
  readonly status: string;
  readonly template: PlanTemplate;
  readonly serviceStates: readonly ServiceStateView[];
  readonly cycles: { readonly service_cycle: CycleView; readonly payment_cycle: CycleView };
  /** A battery checked in on its own, waiting for the checkout that completes the swap. */
  readonly returned: { readonly asset_id: string; readonly kwh: string; readonly at: string } | null;
}

export type AssetStatus = 'IN_STOCK' | 'ISSUED' | 'LOST' | 'FAULTED' | 'RETIRED';

export interface AssetView {
  readonly asset_id: string;
  readonly capacity_kwh: string;
  readonly station_id: string | null;
  readonly status: AssetStatus;
  readonly holder_plan_id: string | null;
}

/** Everything a handler may look at; gathered by the router before it calls the handler. */
export interface PaymentView {
  readonly payment_id: string;
  readonly status: 'PENDING' | 'CONFIRMED' | 'REJECTED';
  readonly amount: string;
  readonly payment_type: string | null;
  readonly source: string;
  /** The ledger columns; loaded for actions that read the plan's open payments (planPayments). */
  readonly ledger?: PaymentLedgerView;
}

export interface PaymentLedgerView {
  readonly plan_id: string;
  readonly currency: string;
  readonly payment_method: string;
  readonly credited: string;
  readonly credit_service_id: string | null;
  readonly provisional_amount: string;
  readonly reversed: string;
  readonly unrecovered: string;
  readonly created_at: string;
  readonly rejected_at: string | null;
}

export interface AgentContext {
  readonly plan: PlanView;
  readonly assets: ReadonlyMap<string, AssetView>;
  readonly payments: ReadonlyMap<string, PaymentView>;
  readonly readings: ReadonlyMap<string, BatteryReading>;
  readonly now: Date;
  readonly siteId: string;
}
