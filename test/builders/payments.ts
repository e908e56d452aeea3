import type { AgentResult } from '../../agents/shared/agent.types.js';
import type { PaymentInput } from '../../agents/shared/payments.js';
import type {
  AgentContext,
  PaymentLedgerView,
  PaymentView,
  PlanTemplate,
} from '../../agents/shared/plan.types.js';
import { isSettlement, type Settlement } from '../../agents/shared/settle.js';
import { aContext, aPlanView, kenyaTemplate } from './plan-view.js';

/** A payment as the pure settlement functions take it: Odoo's 10 USD top-up RCPT-1 unless changed. */
export function aPaymentInput(change: Partial<PaymentInput> = {}): PaymentInput {
  return {
    payment_id: 'RCPT-1',
    odoo_receipt_id: 'RCPT-1',
    source: 'odoo',
    amount: 10,
    currency: 'USD',
    payment_method: 'MPESA',
    payment_type: 'TOP_UP',
    service_id: null,
    payment_timestamp: '2026-01-05T07:58:00Z',
    correlation_id: 'c-1',
    attendant_id: 'ATT-1',
    station: 'STATION_XYZ',
    description: 'Top-up',
    ...change,
  };
}

/**
 * A payment as the router loads it for plan-1, with its ledger: a 10 USD station top-up taken at
 * 07:00, nothing credited, unless changed.
 */
export function aPaymentView(
  payment_id: string,
  status: PaymentView['status'],
  change: Partial<PaymentView> = {},
  ledger: Partial<PaymentLedgerView> = {},
): PaymentView {
  return {
    payment_id,
    status,
    amount: '10',
    payment_type: 'TOP_UP',
    source: 'attendant',
    ledger: {
      plan_id: 'plan-1',
      currency: 'USD',
      payment_method: 'CASH',
      credited: '0',
      credit_service_id: null,
      provisional_amount: '0',
      reversed: '0',
      unrecovered: '0',
      created_at: '2026-01-05T07:00:00Z',
      rejected_at: null,
      ...ledger,
    },
    ...change,
  };
}

/** The same payment loaded without its ledger (only by payment id). */
export function aBarePaymentView(
  payment_id: string,
  status: PaymentView['status'],
  change: Partial<PaymentView> = {},
): PaymentView {
  const { ledger: _ledger, ...rest } = aPaymentView(payment_id, status, change);
  return rest;
}

/** A pending station top-up of plan-1 with `amount` units credited on `service` for `provisional` USD. */
export function aCreditedPending(id: string, amount: string, service: string | null, provisional = '0') {
  return aPaymentView(
    id,
    'PENDING',
    {},
    { credited: amount, credit_service_id: service, provisional_amount: provisional },
  );
}

type Completion = PlanTemplate['agent_params']['service_completion'];

/** The Kenya template with its service_completion (and billing) changed. */
export function completionTemplate(
  completion: Partial<Completion>,
  billing: Partial<PlanTemplate['billing']> = {},
): PlanTemplate {
  return kenyaTemplate((t) => ({
    ...t,
    billing: { ...t.billing, ...billing },
    agent_params: {
      ...t.agent_params,
      service_completion: { ...t.agent_params.service_completion, ...completion },
    },
  }));
}

/** plan-1 (6 of 10 swaps, 344.5 of 400 kWh unless `used` says otherwise) with these payments loaded. */
export function paymentsContext(
  payments: PaymentView[] = [],
  template: PlanTemplate = kenyaTemplate(),
  used = { swaps: '6', kwh: '344.5' },
): AgentContext {
  return {
    ...aContext(aPlanView({ template }, used), []),
    payments: new Map(payments.map((v) => [v.payment_id, v])),
  };
}

/** The settlement, or the test fails with the refusal's signals. */
export function settled(result: Settlement | AgentResult): Settlement {
  if (!isSettlement(result)) throw new Error(`refused: ${result.signals.join(',')}`);
  return result;
}
