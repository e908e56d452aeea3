import {
  type CompleteServiceRequest,
  completeService,
} from '../../agents/complete-service/complete-service.handler.js';
import type { Effect } from '../../agents/shared/agent.types.js';
import type { AgentContext, PaymentView, PlanTemplate } from '../../agents/shared/plan.types.js';
import { aContext, anAsset, aPlanView, kenyaTemplate } from './plan-view.js';
import { ENERGY, SWAPS } from './plans.js';

/*
 * COMPLETE_SERVICE with a payment, for the pure handler: the seed swap (BAT-12345 back at 4.8 kWh,
 * BAT-67890 out at 30.4 kWh: 25.6 kWh and one swap used) paid 10 USD by MPESA under receipt RCPT-5,
 * the three templates (at once, provisional up to 8 USD, wait for Odoo), and the parts of the results
 * they are expected to give.
 */

export const settings = { kwhToleranceKwh: 0.5 };
export const held = anAsset('BAT-12345', { status: 'ISSUED', holder_plan_id: 'plan-1' });
export const fresh = anAsset('BAT-67890');

export const request = (change: Partial<CompleteServiceRequest> = {}): CompleteServiceRequest => ({
  action: 'COMPLETE_SERVICE',
  correlation_id: 'tx-1',
  incoming_battery_id: 'BAT-12345',
  incoming_kwh: 4.8,
  outgoing_battery_id: 'BAT-67890',
  outgoing_kwh: 30.4,
  payment_occurred: true,
  payment_amount: 10,
  payment_receipt_id: 'RCPT-5',
  payment_method: 'MPESA',
  attendant_id: 'ATT-1',
  attendant_station: 'STATION_XYZ',
  transaction_timestamp: '2026-01-05T07:59:00Z',
  ...change,
});

export type Completion = PlanTemplate['agent_params']['service_completion'];
export const templateWith = (completion: Partial<Completion>) =>
  kenyaTemplate((t) => ({
    ...t,
    agent_params: {
      ...t.agent_params,
      service_completion: { ...t.agent_params.service_completion, ...completion },
    },
  }));
export const IMMEDIATE = templateWith({ require_payment_confirmation: false });
export const PROVISIONAL = templateWith({ provisional_credit_limit: 8 });
export const WAIT = kenyaTemplate();

export const ctxOf = (
  template: PlanTemplate,
  payments: PaymentView[] = [],
  kwhUsed = '344.5',
  assets = [held, fresh],
): AgentContext => ({
  ...aContext(aPlanView({ template }, { swaps: '6', kwh: kwhUsed }), assets),
  payments: new Map(payments.map((p) => [p.payment_id, p])),
});
export const decide = (ctx: AgentContext, change: Partial<CompleteServiceRequest> = {}) =>
  completeService.decide(ctx, request(change), settings);

export const paymentData = (status: string, type = 'TOP_UP') => ({
  amount: 10,
  currency: 'USD',
  payment_method: 'MPESA',
  payment_type: type,
  status,
  odoo_receipt_id: 'RCPT-5',
  payment_id: 'RCPT-5',
  service_description: 'Battery swap at the station',
  merchant_station: 'STATION_XYZ',
  payment_timestamp: '2026-01-05T07:59:00Z',
});
export const serviceContext = { transaction_id: 'tx-1', attendant_id: 'ATT-1', correlation_id: 'tx-1' };
export const record = (status: string, credited = '0', service: string | null = null, provisional = '0') => ({
  kind: 'payment',
  payment: {
    payment_id: 'RCPT-5',
    source: 'attendant',
    status,
    amount: '10',
    currency: 'USD',
    payment_method: 'MPESA',
    payment_type: 'TOP_UP',
    service_id: null,
    odoo_receipt_id: 'RCPT-5',
    correlation_id: 'tx-1',
    payment_timestamp: '2026-01-05T07:59:00Z',
    credited,
    credit_service_id: service,
    provisional_amount: provisional,
  },
});
export const collected = (provisional: Record<string, unknown> | null) => ({
  event_type: 'PAYMENT_COLLECTED',
  plan_id: 'plan-1',
  customer_id: 'CUST-001',
  payment_receipt_id: 'RCPT-5',
  payment_data: paymentData('PENDING_CONFIRMATION'),
  provisional_credit: provisional,
  service_context: serviceContext,
});
export const collectedEffect = (provisional: Record<string, unknown> | null): Effect => ({
  kind: 'event',
  event_type: 'PAYMENT_COLLECTED',
  topic: 'event/abs/payment/plan/plan-1/payment_collected',
  payload: collected(provisional),
});
export const swapEffects: Effect[] = [
  { kind: 'usage', service_id: SWAPS, increment: '1' },
  { kind: 'usage', service_id: ENERGY, increment: '25.6' },
  {
    kind: 'asset',
    asset_id: 'BAT-12345',
    status: 'IN_STOCK',
    holder_plan_id: null,
    station_id: 'STATION_XYZ',
  },
  { kind: 'asset', asset_id: 'BAT-67890', status: 'ISSUED', holder_plan_id: 'plan-1' },
  { kind: 'current_asset', service_id: SWAPS, asset_id: 'BAT-67890' },
];
export const quotaUpdates = [
  { service_id: SWAPS, used_before: 6, used_after: 7, increment: 1 },
  { service_id: ENERGY, used_before: 344.5, used_after: 370.1, increment: 25.6 },
];
export const electricity = {
  incoming_kwh: 4.8,
  outgoing_kwh: 30.4,
  net_delivered_kwh: 25.6,
  incoming_kwh_source: 'app',
  outgoing_kwh_source: 'app',
};
export const paymentMeta = (status: string, type = 'TOP_UP', source = 'template') => ({
  payment_receipt_id: 'RCPT-5',
  payment_type: type,
  payment_type_source: source,
  payment_status: status,
});
