import type { ActionHandler, BaseRequest } from '../handler.types.js';
import { toWire } from '../shared/decimal.js';
import type { PaymentInput, PaymentType } from '../shared/payments.js';
import { isSettlement, settle } from '../shared/settle.js';
import schema from './request.schema.json' with { type: 'json' };

export interface ConfirmPaymentRequest extends BaseRequest {
  payment_receipt_id: string;
  amount: number;
  currency: string;
  payment_method: string;
  payment_type: PaymentType;
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

/** Odoo's payment callback (SPEC §2.3); Odoo retries, so the receipt id is the idempotency key. */
export const confirmPayment: ActionHandler<ConfirmPaymentRequest> = {
  action: 'CONFIRM_PAYMENT',
  requestSchema: schema,
  readOnly: false,
  assetIds: () => [],
  paymentIds: (req) => [req.payment_receipt_id],
  idempotencyKey: (req) => ({ scope: 'payment', key: req.payment_receipt_id }),
  decide(ctx, req) {
    const base = {
      payment_receipt_id: req.payment_receipt_id,
      payment_type: req.payment_type,
      amount: toWire(req.amount, ctx.plan.template.billing.currency_decimals),
      currency: req.currency,
    };
    const existing = ctx.payments.get(req.payment_receipt_id);
    if (existing?.status === 'CONFIRMED') {
      // Credited already (the template credited the attendant's collection at once): record nothing twice.
      return {
        success: true,
        signals: ['PAYMENT_ALREADY_CONFIRMED'],
        metadata: base,
        fsmInputs: [],
        effects: [],
      };
    }
    const outcome = settle(ctx, toPayment(req));
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
