import type { ActionHandler, BaseRequest } from '../handler.types.js';
import { refusal } from '../shared/agent.types.js';
import { toWire } from '../shared/decimal.js';
import { otherPlansPayment, type PaymentInput, type PaymentType } from '../shared/payments.js';
import { isSettlement, paymentMode, recordPending, settle } from '../shared/settle.js';
import schema from './request.schema.json' with { type: 'json' };

export interface CollectPaymentRequest extends BaseRequest {
  payment_amount: number;
  currency?: string;
  payment_method: string;
  payment_type: PaymentType;
  payment_receipt_id?: string;
  service_id?: string;
}

export function attendantPaymentId(receiptId: string | undefined, correlationId: string): string {
  return receiptId ?? `ATT-${correlationId}`;
}

function toPayment(
  ctx: { plan: { template: { currency: string } } },
  req: CollectPaymentRequest,
): PaymentInput {
  return {
    payment_id: attendantPaymentId(req.payment_receipt_id, req.correlation_id),
    odoo_receipt_id: req.payment_receipt_id ?? null,
    source: 'attendant',
    amount: req.payment_amount,
    currency: req.currency ?? ctx.plan.template.currency,
    payment_method: req.payment_method,
    payment_type: req.payment_type,
    service_id: req.service_id ?? null,
    payment_timestamp: req.timestamp ?? null,
    correlation_id: req.correlation_id,
    attendant_id: req.attendant_id ?? null,
    station: req.attendant_station ?? null,
    description: 'Collected by the attendant at the station',
  };
}

/**
 * A payment taken at the station: pending until Odoo confirms it (payment_collected), unless the
 * template credits at once (payment_received) or credits a TOP_UP provisionally up to its limit.
 */
export const collectPayment: ActionHandler<CollectPaymentRequest> = {
  action: 'COLLECT_PAYMENT',
  requestSchema: schema,
  readOnly: false,
  assetIds: () => [],
  paymentIds: (req) => [attendantPaymentId(req.payment_receipt_id, req.correlation_id)],
  planPayments: () => 'always',
  decide(ctx, req) {
    const payment = toPayment(ctx, req);
    const existing = ctx.payments.get(payment.payment_id);
    const base = {
      payment_id: payment.payment_id,
      payment_type: req.payment_type,
      amount: toWire(req.payment_amount, ctx.plan.template.billing.currency_decimals),
      currency: payment.currency,
    };
    const elsewhere = otherPlansPayment(ctx, existing);
    if (elsewhere) return refusal('PAYMENT_PLAN_MISMATCH', 'PAYMENT_PLAN_MISMATCH', elsewhere, base);
    if (existing) {
      // Odoo's confirmation of this receipt arrived first: the money is in; nothing to add.
      return {
        success: true,
        signals: ['PAYMENT_ALREADY_RECORDED'],
        metadata: { ...base, payment_status: existing.status },
        fsmInputs: [],
        effects: [],
      };
    }
    const mode = paymentMode(ctx.plan.template);
    const outcome =
      mode === 'immediate' ? settle(ctx, payment) : recordPending(ctx, payment, mode === 'provisional');
    if (!isSettlement(outcome)) return outcome;
    return {
      success: true,
      signals: ['PAYMENT_RECORDED', ...outcome.signals],
      metadata: { ...base, ...outcome.metadata },
      fsmInputs: outcome.fsmInputs,
      effects: outcome.effects,
    };
  },
};
