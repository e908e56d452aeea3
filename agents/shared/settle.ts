import { type AgentResult, type Effect, type FsmInput, invalidValue, refusal } from './agent.types.js';
import { type Dec, dec, roundTo, toStored, toWire } from './decimal.js';
import {
  type CreditSummary,
  creditEffects,
  creditedOf,
  outstandingProvisional,
  type PaymentInput,
  paymentCollectedEvent,
  paymentCycleInputs,
  paymentReceivedEvent,
  paymentRecord,
  paymentRejectedEvent,
  type Reversal,
  type TopUp,
  topUpFor,
  topUpMetadata,
} from './payments.js';
import type { AgentContext, PaymentView, PlanTemplate } from './plan.types.js';
import { remaining, serviceConfig, stateOf } from './quota.js';

export interface Settlement {
  effects: Effect[];
  fsmInputs: FsmInput[];
  metadata: Record<string, unknown>;
  signals: string[];
  /** Units this step adds to (or, negative, takes from) a service's quota. */
  topUp: TopUp | null;
  status: 'CONFIRMED' | 'PENDING';
}

/**
 * How a payment taken at the station counts: at once (`immediate`: the template does not wait for Odoo),
 * credited provisionally up to a limit until Odoo confirms or rejects it (`provisional`, TOP_UP only),
 * or not before Odoo confirms it (`wait`, the default).
 */
export type PaymentMode = 'immediate' | 'provisional' | 'wait';

export function paymentMode(template: PlanTemplate): PaymentMode {
  const completion = template.agent_params.service_completion;
  if (!completion.require_payment_confirmation || template.billing.immediate_credit === true)
    return 'immediate';
  return (completion.provisional_credit_limit ?? 0) > 0 ? 'provisional' : 'wait';
}

function checkCurrency(ctx: AgentContext, p: PaymentInput): AgentResult | null {
  if (p.currency === ctx.plan.template.currency) return null;
  const message = `payment in ${p.currency}; plan ${ctx.plan.plan_id} is billed in ${ctx.plan.template.currency}`;
  return refusal('CURRENCY_MISMATCH', 'CURRENCY_MISMATCH', message, { currency: p.currency });
}

/** A TOP_UP needs a service with a price; other payment types need nothing more. */
function topUpOf(ctx: AgentContext, p: PaymentInput, money: Dec | number): TopUp | AgentResult | null {
  if (p.payment_type !== 'TOP_UP') return null;
  const topUp = topUpFor(ctx, p.service_id, money);
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

/** Credit taken back from a service as far as the customer has not used it; the rest is unrecovered. */
function takeBack(ctx: AgentContext, serviceId: string, units: Dec) {
  const state = stateOf(ctx.plan, serviceId);
  const room = state ? remaining(state) : dec(0);
  const reversed = minOf(units, room.isNegative() ? dec(0) : room);
  return { reversed, unrecovered: units.minus(reversed) };
}

function minOf(a: Dec, b: Dec): Dec {
  return a.lte(b) ? a : b;
}

function summary(t: TopUp, now: Dec, total: Dec): CreditSummary {
  const p = t.config.decimal_precision;
  return {
    service_id: t.service_id,
    unit: t.config.unit,
    credited_now: toWire(now, p),
    credited_total: toWire(total, p),
  };
}

/**
 * Money that counts now (Odoo confirmed it, or the template credits at once): stored CONFIRMED, the
 * payment_cycle told, a TOP_UP credited in full (less what a provisional credit gave already), a
 * RENEWAL's new period, and the one payment_received event.
 */
export function settle(
  ctx: AgentContext,
  given: PaymentInput,
  existing?: PaymentView,
): Settlement | AgentResult {
  const p = rounded(ctx, given);
  if (isRefusal(p)) return p;
  const refused = checkCurrency(ctx, p);
  if (refused) return refused;
  const full = topUpOf(ctx, p, p.amount);
  if (isRefusal(full)) return full;
  const already = existing?.ledger?.credit_service_id === full?.service_id ? creditedOf(existing) : dec(0);
  const delta = full ? full.credit.minus(already) : dec(0);
  const effects: Effect[] = [];
  let reversal = { reversed: dec(0), unrecovered: dec(0) };
  let applied = delta;
  if (full && delta.isNegative()) {
    // Odoo confirmed less than the station credited provisionally: take the difference back.
    reversal = takeBack(ctx, full.service_id, delta.neg());
    applied = reversal.reversed.neg();
    effects.push({ kind: 'quota', service_id: full.service_id, increment: toStored(applied) });
  }
  const priorService = existing?.ledger?.credit_service_id ?? null;
  if (priorService && priorService !== full?.service_id && creditedOf(existing).gt(0)) {
    // Odoo confirmed it as something other than the top-up credited provisionally: that credit goes.
    reversal = takeBack(ctx, priorService, creditedOf(existing));
    const back = toStored(reversal.reversed.neg());
    if (!reversal.reversed.isZero())
      effects.push({ kind: 'quota', service_id: priorService, increment: back });
  }
  const ledger = { credited: full?.credit ?? dec(0), service_id: full?.service_id ?? null };
  effects.push(
    existing
      ? {
          kind: 'payment_update',
          update: {
            payment_id: p.payment_id,
            status: 'CONFIRMED',
            amount: toStored(p.amount),
            credited: toStored(ledger.credited),
            credit_service_id: ledger.service_id,
            ...(reversal.reversed.isZero() ? {} : { reversed: toStored(reversal.reversed) }),
            ...(reversal.unrecovered.isZero() ? {} : { unrecovered: toStored(reversal.unrecovered) }),
          },
        }
      : { kind: 'payment', payment: paymentRecord(p, 'CONFIRMED', ledger) },
  );
  if (!delta.isNegative())
    effects.push(...creditEffects(ctx, p.payment_type, delta, full?.service_id ?? null));
  const fsmInputs = paymentCycleInputs(p.payment_type);
  const topUp = full ? { ...full, credit: applied } : null;
  effects.push(paymentReceivedEvent(ctx, p, fsmInputs, full ? summary(full, applied, full.credit) : null));
  const signals = [
    'PAYMENT_CONFIRMED',
    ...(applied.gt(0) ? ['QUOTA_TOPPED_UP'] : []),
    ...(p.payment_type === 'RENEWAL' ? ['PLAN_RENEWED'] : []),
  ];
  const metadata = {
    payment_status: 'CONFIRMED',
    payment_type: p.payment_type,
    ...(topUp ? topUpMetadata(topUp) : {}),
    ...(full && !already.isZero()
      ? { provisionally_credited_before: toWire(already, full.config.decimal_precision) }
      : {}),
  };
  return { effects, fsmInputs, metadata, signals, topUp, status: 'CONFIRMED' };
}

/**
 * Money the attendant took that Odoo has yet to confirm: stored PENDING and announced by
 * payment_collected. With `provisional`, a TOP_UP is credited at once for as much of its money as the
 * template's provisional_credit_limit leaves (outstanding provisional money of the plan counted).
 * An `existing` payment (recorded PENDING earlier, uncredited) is only credited, not announced again.
 */
export function recordPending(
  ctx: AgentContext,
  given: PaymentInput,
  provisional: boolean,
  existing?: PaymentView,
): Settlement | AgentResult {
  const p = rounded(ctx, given);
  if (isRefusal(p)) return p;
  const refused = checkCurrency(ctx, p);
  if (refused) return refused;
  const probe = topUpOf(ctx, p, p.amount);
  if (isRefusal(probe)) return probe;
  const limit = dec(ctx.plan.template.agent_params.service_completion.provisional_credit_limit ?? 0);
  let money = dec(0);
  let topUp: TopUp | null = null;
  if (provisional && probe) {
    const room = limit.minus(outstandingProvisional(ctx, p.payment_id));
    money = room.lte(0) ? dec(0) : minOf(dec(p.amount), room);
    const credit = topUpOf(ctx, p, money) as TopUp;
    if (credit.credit.isZero()) money = dec(0);
    else topUp = credit;
  }
  const ledger = {
    credited: topUp?.credit ?? dec(0),
    service_id: topUp?.service_id ?? null,
    provisional_amount: money,
  };
  const effects: Effect[] = [];
  const decimals = ctx.plan.template.billing.currency_decimals;
  const provisionalSummary = topUp
    ? { ...summary(topUp, topUp.credit, topUp.credit), amount: toWire(money, decimals) }
    : null;
  if (existing) {
    if (!topUp)
      return {
        effects: [],
        fsmInputs: [],
        metadata: { payment_status: 'PENDING_CONFIRMATION' },
        signals: ['PAYMENT_PENDING_CONFIRMATION'],
        topUp: null,
        status: 'PENDING',
      };
    effects.push({
      kind: 'payment_update',
      update: {
        payment_id: p.payment_id,
        status: 'PENDING',
        credited: toStored(ledger.credited),
        credit_service_id: ledger.service_id,
        provisional_amount: toStored(money),
      },
    });
  } else {
    effects.push({ kind: 'payment', payment: paymentRecord(p, 'PENDING', ledger) });
  }
  if (topUp) effects.push({ kind: 'quota', service_id: topUp.service_id, increment: toStored(topUp.credit) });
  if (!existing) effects.push(paymentCollectedEvent(ctx, p, provisionalSummary));
  return {
    effects,
    fsmInputs: [],
    metadata: {
      payment_status: 'PENDING_CONFIRMATION',
      payment_type: p.payment_type,
      ...(topUp
        ? { provisional_credit: { ...topUpMetadata(topUp), provisional_amount: toWire(money, decimals) } }
        : {}),
    },
    signals: ['PAYMENT_PENDING_CONFIRMATION', ...(topUp ? ['PROVISIONAL_CREDIT_APPLIED'] : [])],
    topUp,
    status: 'PENDING',
  };
}

export interface Rejection {
  effects: Effect[];
  metadata: Record<string, unknown>;
  signals: string[];
}

/**
 * Odoo rejected a payment: it is stored REJECTED, and whatever was credited for it (provisionally, or
 * at once) is taken back as far as the customer has not used it; what was used already is recorded as
 * unrecovered and shown by IDENTIFY_CUSTOMER.
 */
export function reject(ctx: AgentContext, p: PaymentInput, existing: PaymentView | undefined): Rejection {
  const credited = creditedOf(existing);
  const serviceId = existing?.ledger?.credit_service_id ?? null;
  const config = serviceId ? serviceConfig(ctx.plan, serviceId) : undefined;
  const back = serviceId && credited.gt(0) ? takeBack(ctx, serviceId, credited) : null;
  const effects: Effect[] = [];
  if (existing) {
    effects.push({
      kind: 'payment_update',
      update: {
        payment_id: p.payment_id,
        status: 'REJECTED',
        reversed: toStored(back?.reversed ?? 0),
        unrecovered: toStored(back?.unrecovered ?? 0),
      },
    });
  } else {
    effects.push({ kind: 'payment', payment: paymentRecord(p, 'REJECTED') });
  }
  if (back && serviceId && back.reversed.gt(0)) {
    effects.push({ kind: 'quota', service_id: serviceId, increment: toStored(back.reversed.neg()) });
  }
  const precision = config?.decimal_precision ?? 0;
  const reversal: Reversal | null =
    back && serviceId
      ? {
          service_id: serviceId,
          unit: config?.unit ?? '',
          credited: toWire(credited, precision),
          reversed: toWire(back.reversed, precision),
          unrecovered: toWire(back.unrecovered, precision),
        }
      : null;
  const amount = existing ? dec(existing.amount) : dec(p.amount);
  effects.push(
    paymentRejectedEvent(
      ctx,
      {
        payment_id: p.payment_id,
        amount,
        currency: p.currency,
        payment_type: existing?.payment_type ?? p.payment_type,
      },
      p.correlation_id,
      reversal,
    ),
  );
  const signals = [
    'PAYMENT_REJECTED',
    ...(back?.reversed.gt(0) ? ['CREDIT_REVERSED'] : []),
    ...(back?.unrecovered.gt(0) ? ['CREDIT_UNRECOVERED'] : []),
  ];
  return {
    effects,
    signals,
    metadata: { payment_status: 'REJECTED', previous_status: existing?.status ?? null, reversal },
  };
}

export function isSettlement(value: Settlement | AgentResult): value is Settlement {
  return !('success' in value);
}
