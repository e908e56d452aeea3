import { describe, expect, it } from 'vitest';
import {
  type CollectPaymentRequest,
  collectPayment,
} from '../../agents/collect-payment/collect-payment.handler.js';
import {
  type ConfirmPaymentRequest,
  confirmPayment,
} from '../../agents/confirm-payment/confirm-payment.handler.js';
import type { AgentContext, PaymentView, PlanTemplate } from '../../agents/shared/plan.types.js';
import { aPaymentView } from '../builders/payments.js';
import { aContext, aPlanView, kenyaTemplate } from '../builders/plan-view.js';
import { ENERGY } from '../builders/plans.js';

/* COLLECT_PAYMENT under a provisional credit limit and CONFIRM_PAYMENT's rejection, in full. */

const settings = { kwhToleranceKwh: 0.5 };
const PROVISIONAL = kenyaTemplate((t) => ({
  ...t,
  agent_params: {
    ...t.agent_params,
    service_completion: { ...t.agent_params.service_completion, provisional_credit_limit: 8 },
  },
}));
const ctxOf = (payments: PaymentView[] = [], template: PlanTemplate = kenyaTemplate()): AgentContext => ({
  ...aContext(aPlanView({ template }), []),
  payments: new Map(payments.map((p) => [p.payment_id, p])),
});

const collect = (change: Partial<CollectPaymentRequest> = {}): CollectPaymentRequest => ({
  action: 'COLLECT_PAYMENT',
  correlation_id: 'c-1',
  payment_amount: 10,
  payment_method: 'CASH',
  payment_type: 'TOP_UP',
  attendant_id: 'ATT-1',
  attendant_station: 'STATION_XYZ',
  timestamp: '2026-01-05T07:58:00Z',
  ...change,
});

describe('COLLECT_PAYMENT under a provisional credit limit of 8 USD', () => {
  it('reads the plan’s open payments', () => {
    expect(collectPayment.planPayments?.(collect())).toBe('always');
  });

  it('a 10 USD top-up: 8 USD credited at once as 10 kWh, recorded PENDING, announced with the credit', () => {
    expect(collectPayment.decide(ctxOf([], PROVISIONAL), collect(), settings)).toEqual({
      success: true,
      signals: ['PAYMENT_RECORDED', 'PAYMENT_PENDING_CONFIRMATION', 'PROVISIONAL_CREDIT_APPLIED'],
      metadata: {
        payment_id: 'ATT-c-1',
        payment_type: 'TOP_UP',
        amount: 10,
        currency: 'USD',
        payment_status: 'PENDING_CONFIRMATION',
        provisional_credit: {
          service_id: ENERGY,
          quota_before: 400,
          quota_after: 410,
          credited: 10,
          unit: 'kWh',
          unit_price: 0.8,
          provisional_amount: 8,
        },
      },
      fsmInputs: [],
      effects: [
        {
          kind: 'payment',
          payment: {
            payment_id: 'ATT-c-1',
            source: 'attendant',
            status: 'PENDING',
            amount: '10',
            currency: 'USD',
            payment_method: 'CASH',
            payment_type: 'TOP_UP',
            service_id: null,
            odoo_receipt_id: null,
            correlation_id: 'c-1',
            payment_timestamp: '2026-01-05T07:58:00Z',
            credited: '10',
            credit_service_id: ENERGY,
            provisional_amount: '8',
          },
        },
        { kind: 'quota', service_id: ENERGY, increment: '10' },
        {
          kind: 'event',
          event_type: 'PAYMENT_COLLECTED',
          topic: 'event/abs/payment/plan/plan-1/payment_collected',
          payload: {
            event_type: 'PAYMENT_COLLECTED',
            plan_id: 'plan-1',
            customer_id: 'CUST-001',
            payment_receipt_id: 'ATT-c-1',
            payment_data: {
              amount: 10,
              currency: 'USD',
              payment_method: 'CASH',
              payment_type: 'TOP_UP',
              status: 'PENDING_CONFIRMATION',
              odoo_receipt_id: null,
              payment_id: 'ATT-c-1',
              service_description: 'Collected by the attendant at the station',
              merchant_station: 'STATION_XYZ',
              payment_timestamp: '2026-01-05T07:58:00Z',
            },
            provisional_credit: {
              service_id: ENERGY,
              unit: 'kWh',
              credited_now: 10,
              credited_total: 10,
              amount: 8,
            },
            service_context: { transaction_id: 'c-1', attendant_id: 'ATT-1', correlation_id: 'c-1' },
          },
        },
      ],
    });
  });

  it('the limit used up by another pending top-up: recorded, nothing credited', () => {
    const other = aPaymentView(
      'P-0',
      'PENDING',
      {},
      { credited: '10', credit_service_id: ENERGY, provisional_amount: '8' },
    );
    const result = collectPayment.decide(ctxOf([other], PROVISIONAL), collect(), settings);
    expect(result.signals).toEqual(['PAYMENT_RECORDED', 'PAYMENT_PENDING_CONFIRMATION']);
    expect(result.effects.map((e) => e.kind)).toEqual(['payment', 'event']);
  });

  it("another plan's receipt: refused, nothing recorded", () => {
    const other = aPaymentView('RCPT-1', 'PENDING', {}, { plan_id: 'plan-9' });
    expect(
      collectPayment.decide(ctxOf([other]), collect({ payment_receipt_id: 'RCPT-1' }), settings),
    ).toEqual({
      success: false,
      signals: ['PAYMENT_PLAN_MISMATCH'],
      metadata: { payment_id: 'RCPT-1', payment_type: 'TOP_UP', amount: 10, currency: 'USD' },
      fsmInputs: [],
      effects: [],
      error: {
        code: 'PAYMENT_PLAN_MISMATCH',
        message: 'payment RCPT-1 is recorded for plan plan-9, not plan-1',
        details: [],
      },
    });
  });
});

describe('CONFIRM_PAYMENT: a rejection in full', () => {
  const confirm = (change: Partial<ConfirmPaymentRequest> = {}): ConfirmPaymentRequest => ({
    action: 'CONFIRM_PAYMENT',
    correlation_id: 'odoo-1',
    payment_receipt_id: 'RCPT-1',
    amount: 10,
    currency: 'USD',
    payment_method: 'MPESA',
    payment_type: 'TOP_UP',
    payment_status: 'REJECTED',
    ...change,
  });

  it('reads the plan’s open payments', () => {
    expect(confirmPayment.planPayments?.(confirm())).toBe('always');
  });

  it('a pending top-up credited 10 kWh provisionally: REJECTED, the 10 kWh taken back, payment_rejected', () => {
    const existing = aPaymentView(
      'RCPT-1',
      'PENDING',
      {},
      { credited: '10', credit_service_id: ENERGY, provisional_amount: '8' },
    );
    const reversal = { service_id: ENERGY, unit: 'kWh', credited: 10, reversed: 10, unrecovered: 0 };
    expect(confirmPayment.decide(ctxOf([existing]), confirm(), settings)).toEqual({
      success: true,
      signals: ['PAYMENT_REJECTED', 'CREDIT_REVERSED'],
      metadata: {
        payment_receipt_id: 'RCPT-1',
        payment_type: 'TOP_UP',
        amount: 10,
        currency: 'USD',
        payment_status: 'REJECTED',
        previous_status: 'PENDING',
        reversal,
      },
      fsmInputs: [],
      effects: [
        {
          kind: 'payment_update',
          update: { payment_id: 'RCPT-1', status: 'REJECTED', reversed: '10', unrecovered: '0' },
        },
        { kind: 'quota', service_id: ENERGY, increment: '-10' },
        {
          kind: 'event',
          event_type: 'PAYMENT_REJECTED',
          topic: 'event/abs/payment/plan/plan-1/payment_rejected',
          payload: {
            event_type: 'PAYMENT_REJECTED',
            plan_id: 'plan-1',
            customer_id: 'CUST-001',
            payment_receipt_id: 'RCPT-1',
            payment_data: { amount: 10, currency: 'USD', payment_type: 'TOP_UP', status: 'REJECTED' },
            reversal,
            service_context: { correlation_id: 'odoo-1' },
          },
        },
      ],
    });
  });
});
