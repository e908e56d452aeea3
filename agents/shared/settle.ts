import { type AgentResult, type Effect, type FsmInput, invalidValue, refusal } from './agent.types.js';
import { dec, roundTo, toWire } from './decimal.js';
import {
  creditEffects,
  type PaymentInput,
  paymentCycleInput,
  paymentReceivedEvent,
  paymentRecord,
  type TopUp,
  topUpFor,
  topUpMetadata,
} from './payments.js';
import type { AgentContext } from './plan.types.js';

export interface Settlement {
  effects: Effect[];
  fsmInputs: FsmInput[];
  metadata: Record<string, unknown>;
  signals: string[];
  topUp: TopUp | null;
}

function checkCurrency(ctx: AgentContext, p: PaymentInput): AgentResult | null {
  if (p.currency === ctx.plan.template.currency) return null;
  const message = `payment in ${p.currency}; plan ${ctx.plan.plan_id} is billed in ${ctx.plan.template.currency}`;
  return refusal('CURRENCY_MISMATCH', 'CURRENCY_MISMATCH', message, { currency: p.currency });
}

/** A TOP_UP needs a service with a price; other payment types need nothing more. */
function topUpOf(ctx: AgentContext, p: PaymentInput): TopUp | AgentResult | null {
  if (p.payment_type !== 'TOP_UP') return null;
  const topUp = topUpFor(ctx, p.service_id, p.amount);
  return typeof topUp === 'string' ? refusal('TOPUP_NOT_AVAILABLE', 'TOPUP_NOT_AVAILABLE', topUp) : topUp;
}

/**
 * The one rounding of a payment's amount: to the currency's decimals, half up (as `toWire` reports it).
 * What is stored, announced, reported and credited all come from this one value, and an amount that
 * rounds to nothing (1e-300) is refused: money that counts is at least one unit of the currency's
 * smallest denomination.
 */
function rounded(ctx: AgentContext, p: PaymentInput): PaymentInput | AgentResult {
  const decimals = ctx.plan.template.billing.currency_decimals;
  const amount = roundTo(p.amount, decimals);
  if (amount.gt(0)) return { ...p, amount: toWire(amount, decimals) };
  const path = p.source === 'odoo' ? '/amount' : '/payment_amount';
  const smallest = dec(10).pow(-decimals).toFixed(decimals);
  return invalidValue(
    path,
    `${p.amount} ${p.currency} rounds to nothing; the smallest payment is ${smallest}`,
  );
}

function isRefusal(value: unknown): value is AgentResult {
  return value !== null && typeof value === 'object' && 'signals' in value;
}

/**
 * Money that counts now (Odoo confirmed it, or the template credits at once): the payment stored as
 * CONFIRMED, the payment_cycle told, a TOP_UP's credit or a RENEWAL's new period, the event queued.
 */
export function settle(ctx: AgentContext, given: PaymentInput): Settlement | AgentResult {
  const p = rounded(ctx, given);
  if (isRefusal(p)) return p;
  const refused = checkCurrency(ctx, p);
  if (refused) return refused;
  const topUp = topUpOf(ctx, p);
  if (isRefusal(topUp)) return topUp;
  const fsmInputs = [paymentCycleInput(p.payment_type)];
  const effects: Effect[] = [
    { kind: 'payment', payment: paymentRecord(p, 'CONFIRMED') },
    ...creditEffects(ctx, p.payment_type, topUp),
    paymentReceivedEvent(ctx, p, 'CONFIRMED', fsmInputs),
  ];
  const signals = [
    'PAYMENT_CONFIRMED',
    ...(topUp ? ['QUOTA_TOPPED_UP'] : []),
    ...(p.payment_type === 'RENEWAL' ? ['PLAN_RENEWED'] : []),
  ];
  const metadata = { payment_status: 'CONFIRMED', ...(topUp ? topUpMetadata(topUp) : {}) };
  return { effects, fsmInputs, metadata, signals, topUp };
}

/** Money the attendant took that Odoo has yet to confirm: stored PENDING, announced, not yet credited. */
export function recordPending(ctx: AgentContext, given: PaymentInput): Settlement | AgentResult {
  const p = rounded(ctx, given);
  if (isRefusal(p)) return p;
  const refused = checkCurrency(ctx, p);
  if (refused) return refused;
  const topUp = topUpOf(ctx, p);
  if (isRefusal(topUp)) return topUp;
  return {
    effects: [
      { kind: 'payment', payment: paymentRecord(p, 'PENDING') },
      paymentReceivedEvent(ctx, p, 'PENDING_CONFIRMATION', []),
    ],
    fsmInputs: [],
    metadata: { payment_status: 'PENDING_CONFIRMATION' },
    signals: ['PAYMENT_PENDING_CONFIRMATION'],
    topUp: null,
  };
}

export function isSettlement(value: Settlement | AgentResult): value is Settlement {
  return !('success' in value);
}
