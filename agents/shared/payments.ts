import type { Effect, FsmInput, PaymentRecord } from './agent.types.js';
import { type Dec, dec, floorTo, toStored, toWire } from './decimal.js';
import { eventTopics } from './events.js';
import type { AgentContext, ServiceConfig } from './plan.types.js';
import { energyService, serviceConfig, stateOf } from './quota.js';

export type PaymentType = 'DEPOSIT' | 'TOP_UP' | 'RENEWAL';

export interface PaymentInput {
  payment_id: string;
  odoo_receipt_id: string | null;
  source: 'attendant' | 'odoo';
  amount: number;
  currency: string;
  payment_method: string;
  payment_type: PaymentType;
  service_id: string | null;
  payment_timestamp: string | null;
  correlation_id: string;
  attendant_id: string | null;
  station: string | null;
  description: string | null;
}

export interface TopUp {
  service_id: string;
  config: ServiceConfig;
  quota_before: Dec;
  credit: Dec;
}

/** TOP_UP buys amount / unit_price units of the service (the energy one by default), rounded down. */
export function topUpFor(ctx: AgentContext, serviceId: string | null, amount: number): TopUp | string {
  const config = serviceId ? serviceConfig(ctx.plan, serviceId) : energyService(ctx.plan)?.config;
  if (!config)
    return serviceId
      ? `service ${serviceId} is not in this plan`
      : 'this plan has no energy service to top up';
  const state = stateOf(ctx.plan, config.service_id);
  if (!state) return `service ${config.service_id} has no state on this plan`;
  if (dec(config.unit_price).lte(0))
    return `service ${config.service_id} has no unit price: it cannot be topped up`;
  const credit = floorTo(dec(amount).div(config.unit_price), config.decimal_precision);
  return { service_id: config.service_id, config, quota_before: dec(state.quota), credit };
}

export function topUpMetadata(t: TopUp): Record<string, unknown> {
  const p = t.config.decimal_precision;
  return {
    service_id: t.service_id,
    quota_before: toWire(t.quota_before, p),
    quota_after: toWire(t.quota_before.plus(t.credit), p),
    credited: toWire(t.credit, p),
    unit: t.config.unit,
    unit_price: Number(t.config.unit_price),
  };
}

export function paymentRecord(p: PaymentInput, status: PaymentRecord['status']): PaymentRecord {
  return {
    payment_id: p.payment_id,
    source: p.source,
    status,
    amount: toStored(p.amount),
    currency: p.currency,
    payment_method: p.payment_method,
    payment_type: p.payment_type,
    service_id: p.service_id,
    odoo_receipt_id: p.odoo_receipt_id,
    correlation_id: p.correlation_id,
    payment_timestamp: p.payment_timestamp,
  };
}

export function paymentCycleInput(type: PaymentType): FsmInput {
  return { cycle: 'payment_cycle', input: 'PAYMENT_RECEIVED', params: { payment_type: type } };
}

/** The payment_received event, in seed 002 §4.1's shape. */
export function paymentReceivedEvent(
  ctx: AgentContext,
  p: PaymentInput,
  status: string,
  fsmInputs: FsmInput[],
): Effect {
  const decimals = ctx.plan.template.billing.currency_decimals;
  return {
    kind: 'event',
    event_type: 'PAYMENT_RECEIVED',
    topic: eventTopics.paymentReceived(ctx.plan.plan_id),
    payload: {
      event_type: 'PAYMENT_RECEIVED',
      plan_id: ctx.plan.plan_id,
      customer_id: ctx.plan.customer_id,
      payment_data: {
        amount: toWire(p.amount, decimals),
        currency: p.currency,
        payment_method: p.payment_method,
        payment_type: p.payment_type,
        status,
        odoo_receipt_id: p.odoo_receipt_id,
        payment_id: p.payment_id,
        service_description: p.description,
        merchant_station: p.station,
        payment_timestamp: p.payment_timestamp,
      },
      service_context: {
        transaction_id: p.correlation_id,
        attendant_id: p.attendant_id,
        correlation_id: p.correlation_id,
      },
      fsm_inputs: fsmInputs.map((i) => ({ cycle: i.cycle, input: i.input })),
    },
  };
}

/** Effects of money that counts now: the credit of a TOP_UP, the new period of a RENEWAL. */
export function creditEffects(ctx: AgentContext, type: PaymentType, topUp: TopUp | null): Effect[] {
  if (type === 'TOP_UP' && topUp && !topUp.credit.isZero()) {
    return [{ kind: 'quota', service_id: topUp.service_id, increment: toStored(topUp.credit) }];
  }
  if (type === 'RENEWAL') {
    const quotas = ctx.plan.template.service_configurations.map((c) => ({
      service_id: c.service_id,
      quota: String(c.quota),
    }));
    return [{ kind: 'renew_period', quotas }];
  }
  return [];
}
