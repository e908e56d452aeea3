import type { Effect, FsmInput, PaymentRecord, PaymentStatus } from './agent.types.js';
import { type Dec, dec, floorTo, toStored, toWire } from './decimal.js';
import { eventTopics } from './events.js';
import type { AgentContext, PaymentView, ServiceConfig } from './plan.types.js';
import { energyService, serviceConfig, stateOf } from './quota.js';

/** SWAP_FEE pays for the swap itself: recorded and reported, it credits nothing and moves no cycle. */
export type PaymentType = 'DEPOSIT' | 'TOP_UP' | 'RENEWAL' | 'SWAP_FEE';

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
  /** Units added to the quota by this step. */
  credit: Dec;
}

/** TOP_UP buys money / unit_price units of the service (the energy one by default), rounded down. */
export function topUpFor(ctx: AgentContext, serviceId: string | null, money: Dec | number): TopUp | string {
  const config = serviceId ? serviceConfig(ctx.plan, serviceId) : energyService(ctx.plan)?.config;
  if (!config)
    return serviceId
      ? `service ${serviceId} is not in this plan`
      : 'this plan has no energy service to top up';
  const state = stateOf(ctx.plan, config.service_id);
  if (!state) return `service ${config.service_id} has no state on this plan`;
  if (dec(config.unit_price).lte(0))
    return `service ${config.service_id} has no unit price: it cannot be topped up`;
  const credit = floorTo(dec(money).div(config.unit_price), config.decimal_precision);
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

export function paymentRecord(
  p: PaymentInput,
  status: PaymentStatus,
  ledger: { credited?: Dec; service_id?: string | null; provisional_amount?: Dec } = {},
): PaymentRecord {
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
    credited: toStored(ledger.credited ?? 0),
    credit_service_id: ledger.service_id ?? null,
    provisional_amount: toStored(ledger.provisional_amount ?? 0),
  };
}

/** The payment_cycle input of money that counts; a swap fee has none (the cycle tracks being paid up). */
export function paymentCycleInputs(type: PaymentType): FsmInput[] {
  if (type === 'SWAP_FEE') return [];
  return [{ cycle: 'payment_cycle', input: 'PAYMENT_RECEIVED', params: { payment_type: type } }];
}

function paymentData(ctx: AgentContext, p: PaymentInput, status: string): Record<string, unknown> {
  return {
    amount: toWire(p.amount, ctx.plan.template.billing.currency_decimals),
    currency: p.currency,
    payment_method: p.payment_method,
    payment_type: p.payment_type,
    status,
    odoo_receipt_id: p.odoo_receipt_id,
    payment_id: p.payment_id,
    service_description: p.description,
    merchant_station: p.station,
    payment_timestamp: p.payment_timestamp,
  };
}

function serviceContext(p: PaymentInput): Record<string, unknown> {
  return {
    transaction_id: p.correlation_id,
    attendant_id: p.attendant_id,
    correlation_id: p.correlation_id,
  };
}

export interface CreditSummary {
  service_id: string;
  unit: string;
  /** Units added to the quota for this payment in this step. */
  credited_now: number;
  /** Units credited for this payment in total. */
  credited_total: number;
}

/**
 * payment_received (seed 002 §4.1's shape): the money counts now — Odoo confirmed it, or the template
 * credits at once. Published once per payment; `payment_receipt_id` matches its payment_collected.
 */
export function paymentReceivedEvent(
  ctx: AgentContext,
  p: PaymentInput,
  fsmInputs: FsmInput[],
  credit: CreditSummary | null,
): Effect {
  return {
    kind: 'event',
    event_type: 'PAYMENT_RECEIVED',
    topic: eventTopics.paymentReceived(ctx.plan.plan_id),
    payload: {
      event_type: 'PAYMENT_RECEIVED',
      plan_id: ctx.plan.plan_id,
      customer_id: ctx.plan.customer_id,
      payment_receipt_id: p.payment_id,
      payment_data: paymentData(ctx, p, 'CONFIRMED'),
      credit,
      service_context: serviceContext(p),
      fsm_inputs: fsmInputs.map((i) => ({ cycle: i.cycle, input: i.input })),
    },
  };
}

/** payment_collected: money taken at the station that waits for Odoo's confirmation (it does not count yet). */
export function paymentCollectedEvent(
  ctx: AgentContext,
  p: PaymentInput,
  provisional: (CreditSummary & { amount: number }) | null,
): Effect {
  return {
    kind: 'event',
    event_type: 'PAYMENT_COLLECTED',
    topic: eventTopics.paymentCollected(ctx.plan.plan_id),
    payload: {
      event_type: 'PAYMENT_COLLECTED',
      plan_id: ctx.plan.plan_id,
      customer_id: ctx.plan.customer_id,
      payment_receipt_id: p.payment_id,
      payment_data: paymentData(ctx, p, 'PENDING_CONFIRMATION'),
      provisional_credit: provisional,
      service_context: serviceContext(p),
    },
  };
}

export interface Reversal {
  service_id: string;
  unit: string;
  credited: number;
  reversed: number;
  unrecovered: number;
}

/** payment_rejected: Odoo refused a payment; any credit given for it is taken back as far as it is unused. */
export function paymentRejectedEvent(
  ctx: AgentContext,
  payment: { payment_id: string; amount: Dec; currency: string; payment_type: string | null },
  correlationId: string,
  reversal: Reversal | null,
): Effect {
  return {
    kind: 'event',
    event_type: 'PAYMENT_REJECTED',
    topic: eventTopics.paymentRejected(ctx.plan.plan_id),
    payload: {
      event_type: 'PAYMENT_REJECTED',
      plan_id: ctx.plan.plan_id,
      customer_id: ctx.plan.customer_id,
      payment_receipt_id: payment.payment_id,
      payment_data: {
        amount: toWire(payment.amount, ctx.plan.template.billing.currency_decimals),
        currency: payment.currency,
        payment_type: payment.payment_type,
        status: 'REJECTED',
      },
      reversal,
      service_context: { correlation_id: correlationId },
    },
  };
}

/** Effects of money that counts now: a TOP_UP's credit, the new period of a RENEWAL. */
export function creditEffects(
  ctx: AgentContext,
  type: PaymentType,
  credit: Dec | null,
  serviceId: string | null,
) {
  const effects: Effect[] = [];
  if (type === 'TOP_UP' && credit && serviceId && !credit.isZero()) {
    effects.push({ kind: 'quota', service_id: serviceId, increment: toStored(credit) });
  }
  if (type === 'RENEWAL') {
    const quotas = ctx.plan.template.service_configurations.map((c) => ({
      service_id: c.service_id,
      quota: String(c.quota),
    }));
    effects.push({ kind: 'renew_period', quotas });
  }
  return effects;
}

/** Units credited so far for a payment (provisionally, while it is PENDING). */
export function creditedOf(view: PaymentView | undefined): Dec {
  return dec(view?.ledger?.credited ?? 0);
}

/** Money of this plan's station payments credited before Odoo confirmed them, still unconfirmed. */
export function outstandingProvisional(ctx: AgentContext, exceptId: string | null): Dec {
  let total = dec(0);
  for (const view of ctx.payments.values()) {
    if (view.status !== 'PENDING' || view.payment_id === exceptId) continue;
    if (view.ledger && view.ledger.plan_id !== ctx.plan.plan_id) continue;
    total = total.plus(view.ledger?.provisional_amount ?? 0);
  }
  return total;
}

export function pendingPayments(ctx: AgentContext): PaymentView[] {
  return [...ctx.payments.values()].filter(
    (v) => v.status === 'PENDING' && (!v.ledger || v.ledger.plan_id === ctx.plan.plan_id),
  );
}

/** A receipt already recorded for another plan is not this plan's money: refused, nothing changes. */
export function otherPlansPayment(ctx: AgentContext, view: PaymentView | undefined): string | null {
  const owner = view?.ledger?.plan_id;
  if (!view || !owner || owner === ctx.plan.plan_id) return null;
  return `payment ${view.payment_id} is recorded for plan ${owner}, not ${ctx.plan.plan_id}`;
}
