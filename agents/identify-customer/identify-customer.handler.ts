import type { ActionHandler, BaseRequest } from '../handler.types.js';
import { refusal } from '../shared/agent.types.js';
import { toWire } from '../shared/decimal.js';
import { pendingPaymentsWire } from '../shared/pending.js';
import type { AgentContext } from '../shared/plan.types.js';
import { serviceConfig } from '../shared/quota.js';
import { planSummary } from '../shared/summary.js';
import schema from './request.schema.json' with { type: 'json' };

export interface IdentifyCustomerRequest extends BaseRequest {
  customer_id?: string;
  qr_code_data?: string;
}

/** Payments Odoo rejected (latest first): what was credited for each, taken back, and left unrecovered. */
function rejectedPayments(ctx: AgentContext): Record<string, unknown>[] {
  const decimals = ctx.plan.template.billing.currency_decimals;
  return [...ctx.payments.values()]
    .filter((v) => v.status === 'REJECTED' && v.ledger?.plan_id === ctx.plan.plan_id)
    .sort((a, b) => String(b.ledger?.rejected_at).localeCompare(String(a.ledger?.rejected_at)))
    .map((v) => {
      const serviceId = v.ledger?.credit_service_id ?? null;
      const p = serviceId ? (serviceConfig(ctx.plan, serviceId)?.decimal_precision ?? 0) : 0;
      return {
        payment_receipt_id: v.payment_id,
        payment_type: v.payment_type,
        amount: toWire(v.amount, decimals),
        credit_service_id: serviceId,
        credited: toWire(v.ledger?.credited ?? 0, p),
        reversed: toWire(v.ledger?.reversed ?? 0, p),
        unrecovered: toWire(v.ledger?.unrecovered ?? 0, p),
        rejected_at: v.ledger?.rejected_at ?? null,
      };
    });
}

export const identifyCustomer: ActionHandler<IdentifyCustomerRequest> = {
  action: 'IDENTIFY_CUSTOMER',
  requestSchema: schema,
  readOnly: true,
  assetIds: () => [],
  planPayments: () => 'always',
  decide(ctx, req) {
    if (req.customer_id && req.customer_id !== ctx.plan.customer_id) {
      return refusal(
        'CUSTOMER_MISMATCH',
        'CUSTOMER_MISMATCH',
        `plan ${ctx.plan.plan_id} belongs to another customer`,
      );
    }
    const pending = pendingPaymentsWire(ctx);
    const rejected = rejectedPayments(ctx);
    const owing = rejected.some((r) => Number(r.unrecovered) > 0);
    // A rejection is signalled for one billing period; the list keeps the latest ones.
    const since = ctx.now.getTime() - ctx.plan.template.billing.period_days * 86_400_000;
    const recent = rejected.some((r) => Date.parse(String(r.rejected_at)) >= since);
    return {
      success: true,
      signals: [
        'CUSTOMER_IDENTIFIED',
        ...(pending.length > 0 ? ['PAYMENT_PENDING_CONFIRMATION'] : []),
        ...(recent ? ['PAYMENT_REJECTED'] : []),
        ...(owing ? ['CREDIT_UNRECOVERED'] : []),
      ],
      metadata: { ...planSummary(ctx.plan), payments: { pending, rejected } },
      fsmInputs: [],
      effects: [],
    };
  },
};
