import type { AgentResult } from './agent.types.js';
import { toWire } from './decimal.js';
import { pendingPayments } from './payments.js';
import type { AgentContext } from './plan.types.js';

/** The plan's station payments awaiting Odoo, as the attendant app shows them. */
export function pendingPaymentsWire(ctx: AgentContext): Record<string, unknown>[] {
  const decimals = ctx.plan.template.billing.currency_decimals;
  return pendingPayments(ctx).map((v) => ({
    payment_receipt_id: v.payment_id,
    payment_type: v.payment_type,
    amount: toWire(v.amount, decimals),
    provisional_credit: Number(v.ledger?.credited ?? 0),
    credit_service_id: v.ledger?.credit_service_id ?? null,
    collected_at: v.ledger?.created_at ?? null,
  }));
}

/**
 * A quota refusal while a station top-up of this plan awaits Odoo: the answer says so (the swap can go
 * through once Odoo confirms it), nothing else changes.
 */
export function withPendingTopUp(ctx: AgentContext, result: AgentResult): AgentResult {
  const pending = pendingPaymentsWire(ctx).filter((p) => p.payment_type === 'TOP_UP');
  if (pending.length === 0) return result;
  const ids = pending.map((p) => p.payment_receipt_id).join(', ');
  return {
    ...result,
    signals: [...result.signals, 'PAYMENT_PENDING_CONFIRMATION'],
    metadata: { ...result.metadata, pending_payments: pending },
    error: {
      code: 'PAYMENT_PENDING_CONFIRMATION',
      message: `quota exhausted; top-up ${ids} awaits Odoo's confirmation: retry with a new correlation_id once it is confirmed`,
      details: [],
    },
  };
}
