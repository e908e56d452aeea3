import type { ActionHandler, BaseRequest } from '../handler.types.js';
import { refusal } from '../shared/agent.types.js';
import { toWire } from '../shared/decimal.js';
import { otherPlansPayment, type PaymentInput, type PaymentType } from '../shared/payments.js';
import { isSettlement, reject, settle } from '../shared/settle.js';
import schema from './request.schema.json' with { type: 'json' };

export interface ConfirmPaymentRequest extends BaseRequest {
  payment_receipt_id: string;
  amount: number;
  currency: string;
  payment_method: string;
  payment_type: PaymentType;
  payment_status?: 'CONFIRMED' | 'REJECTED';
  service_id?: string;
  payment_timestamp?: string;
  service_description?: string;
  merchant_station?: string;
}

function toPayment(req: ConfirmPaymentRequest): PaymentInput {
  return {
    payment_id: req.payment_receipt_id,
    odoo_receipt_id: req.payment_receipt_id,
    source: 'odoo',
    amount: req.amount,
    currency: req.currency,
    payment_method: req.payment_method,
    payment_type: req.payment_type,
    service_id: req.service_id ?? null,
    payment_timestamp: req.payment_timestamp ?? null,
    correlation_id: req.correlation_id,
    attendant_id: null,
    station: req.merchant_station ?? null,
    description: req.service_description ?? null,
  };
}

function unchanged(signal: string, metadata: Record<string, unknown>) {
  return { success: true, signals: [signal], metadata, fsmInputs: [], effects: [] };
}

/**
 * Odoo's payment callback (SPEC §2.3); Odoo retries, so the receipt id is the idempotency key and a
 * receipt's outcome (CONFIRMED or REJECTED) is final. A confirmation of money collected at the station
 * settles it (credit less any provisional credit given); a rejection reverses what was credited for it.
 */
export const confirmPayment: ActionHandler<ConfirmPaymentRequest> = {
  action: 'CONFIRM_PAYMENT',
  requestSchema: schema,
  readOnly: false,
  assetIds: () => [],
  paymentIds: (req) => [req.payment_receipt_id],
  planPayments: () => 'always',
  idempotencyKey: (req) => ({ scope: 'payment', key: req.payment_receipt_id }),
  decide(ctx, req) {
    const base = {
      payment_receipt_id: req.payment_receipt_id,
      payment_type: req.payment_type,
      amount: toWire(req.amount, ctx.plan.template.billing.currency_decimals),
      currency: req.currency,
    };
    const existing = ctx.payments.get(req.payment_receipt_id);
    const elsewhere = otherPlansPayment(ctx, existing);
    if (elsewhere) return refusal('PAYMENT_PLAN_MISMATCH', 'PAYMENT_PLAN_MISMATCH', elsewhere, base);
    if (existing?.status === 'REJECTED') {
      return unchanged('PAYMENT_ALREADY_REJECTED', { ...base, payment_status: 'REJECTED' });
    }
    if (req.payment_status === 'REJECTED') {
      if (existing?.status === 'CONFIRMED' && existing.source === 'odoo') {
        const message = `payment ${req.payment_receipt_id} was confirmed by Odoo already`;
        return refusal('PAYMENT_ALREADY_CONFIRMED', 'PAYMENT_ALREADY_CONFIRMED', message, base);
      }
      const outcome = reject(ctx, toPayment(req), existing);
      return {
        success: true,
        signals: outcome.signals,
        metadata: { ...base, ...outcome.metadata },
        fsmInputs: [],
        effects: outcome.effects,
      };
    }
    if (existing?.status === 'CONFIRMED') {
      // Credited already (the template credited the attendant's collection at once): record nothing twice.
      return unchanged('PAYMENT_ALREADY_CONFIRMED', base);
    }
    const outcome = settle(ctx, toPayment(req), existing);
    if (!isSettlement(outcome)) return outcome;
    return {
      success: true,
      signals: outcome.signals,
      metadata: {
        ...base,
        ...outcome.metadata,
        confirmed_pending_collection: existing?.status === 'PENDING',
      },
      fsmInputs: outcome.fsmInputs,
      effects: outcome.effects,
    };
  },
};
