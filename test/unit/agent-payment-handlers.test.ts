import { describe, expect, it } from 'vitest';
import {
  attendantPaymentId,
  type CollectPaymentRequest,
  collectPayment,
} from '../../agents/collect-payment/collect-payment.handler.js';
import {
  type ConfirmPaymentRequest,
  confirmPayment,
} from '../../agents/confirm-payment/confirm-payment.handler.js';
import type { AgentContext, PaymentView, PlanTemplate } from '../../agents/shared/plan.types.js';
import { aContext, aPlanView, kenyaTemplate } from '../builders/plan-view.js';
import { ENERGY, NETWORK, SWAPS } from '../builders/plans.js';

const settings = { kwhToleranceKwh: 0.5 };

const ctxOf = (payments: PaymentView[] = [], change: (t: PlanTemplate) => PlanTemplate = (t) => t) => {
  const base = aContext(aPlanView({ template: kenyaTemplate(change) }), []);
  return { ...base, payments: new Map(payments.map((p) => [p.payment_id, p])) } satisfies AgentContext;
};
const immediate = (t: PlanTemplate): PlanTemplate => ({
  ...t,
  billing: { ...t.billing, immediate_credit: true },
});
const known = (payment_id: string, status: PaymentView['status']): PaymentView => ({
  payment_id,
  status,
  amount: '10',
  payment_type: 'TOP_UP',
  source: 'attendant',
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

const confirm = (change: Partial<ConfirmPaymentRequest> = {}): ConfirmPaymentRequest => ({
  action: 'CONFIRM_PAYMENT',
  correlation_id: 'odoo-1',
  payment_receipt_id: 'RCPT-1',
  amount: 10,
  currency: 'USD',
  payment_method: 'MPESA',
  payment_type: 'TOP_UP',
  ...change,
});

describe('attendantPaymentId', () => {
  it('is the receipt id when the attendant has one, else ATT-<correlation_id>', () => {
    expect(attendantPaymentId('RCPT-9', 'c-1')).toBe('RCPT-9');
    expect(attendantPaymentId(undefined, 'c-1')).toBe('ATT-c-1');
  });
});

describe('COLLECT_PAYMENT', () => {
  it('declares its payment and no battery', () => {
    expect(collectPayment.readOnly).toBe(false);
    expect(collectPayment.assetIds(collect())).toEqual([]);
    expect(collectPayment.paymentIds?.(collect())).toEqual(['ATT-c-1']);
    expect(collectPayment.paymentIds?.(collect({ payment_receipt_id: 'RCPT-1' }))).toEqual(['RCPT-1']);
  });

  it('pending until Odoo confirms: recorded, announced by payment_collected (not payment_received), nothing credited', () => {
    expect(collectPayment.decide(ctxOf(), collect(), settings)).toEqual({
      success: true,
      signals: ['PAYMENT_RECORDED', 'PAYMENT_PENDING_CONFIRMATION'],
      metadata: {
        payment_id: 'ATT-c-1',
        payment_type: 'TOP_UP',
        amount: 10,
        currency: 'USD',
        payment_status: 'PENDING_CONFIRMATION',
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
            credited: '0',
            credit_service_id: null,
            provisional_amount: '0',
          },
        },
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
            provisional_credit: null,
            service_context: { transaction_id: 'c-1', attendant_id: 'ATT-1', correlation_id: 'c-1' },
          },
        },
      ],
    });
  });

  it('the template credits at once: confirmed, credited, the cycle told', () => {
    const result = collectPayment.decide(
      ctxOf([], immediate),
      collect({ payment_receipt_id: 'RCPT-2' }),
      settings,
    );
    expect(result.signals).toEqual(['PAYMENT_RECORDED', 'PAYMENT_CONFIRMED', 'QUOTA_TOPPED_UP']);
    expect(result.metadata).toEqual({
      payment_id: 'RCPT-2',
      payment_type: 'TOP_UP',
      amount: 10,
      currency: 'USD',
      payment_status: 'CONFIRMED',
      service_id: ENERGY,
      quota_before: 400,
      quota_after: 412.5,
      credited: 12.5,
      unit: 'kWh',
      unit_price: 0.8,
    });
    expect(result.fsmInputs).toEqual([
      { cycle: 'payment_cycle', input: 'PAYMENT_RECEIVED', params: { payment_type: 'TOP_UP' } },
    ]);
    expect(result.effects.map((e) => e.kind)).toEqual(['payment', 'quota', 'event']);
    expect(result.effects[1]).toEqual({ kind: 'quota', service_id: ENERGY, increment: '12.5' });
  });

  it('immediate_credit false or absent means pending', () => {
    const off = (t: PlanTemplate): PlanTemplate => ({
      ...t,
      billing: { ...t.billing, immediate_credit: false },
    });
    expect(collectPayment.decide(ctxOf([], off), collect(), settings).metadata.payment_status).toBe(
      'PENDING_CONFIRMATION',
    );
  });

  it('a named service, a RENEWAL and a DEPOSIT, credited at once', () => {
    const swaps = collectPayment.decide(
      ctxOf([], immediate),
      collect({ service_id: SWAPS, payment_amount: 5 }),
      settings,
    );
    expect(swaps.metadata).toMatchObject({ service_id: SWAPS, credited: 2 });
    const renewal = collectPayment.decide(
      ctxOf([], immediate),
      collect({ payment_type: 'RENEWAL', payment_amount: 25 }),
      settings,
    );
    expect(renewal.signals).toEqual(['PAYMENT_RECORDED', 'PAYMENT_CONFIRMED', 'PLAN_RENEWED']);
    expect(renewal.effects.map((e) => e.kind)).toEqual(['payment', 'renew_period', 'event']);
    const deposit = collectPayment.decide(
      ctxOf([], immediate),
      collect({ payment_type: 'DEPOSIT', payment_amount: 50 }),
      settings,
    );
    expect(deposit.signals).toEqual(['PAYMENT_RECORDED', 'PAYMENT_CONFIRMED']);
    expect(deposit.fsmInputs).toEqual([
      { cycle: 'payment_cycle', input: 'PAYMENT_RECEIVED', params: { payment_type: 'DEPOSIT' } },
    ]);
  });

  it('the amount is answered at the currency decimals, half up', () => {
    expect(
      collectPayment.decide(ctxOf(), collect({ payment_amount: 10.125 }), settings).metadata.amount,
    ).toBe(10.13);
    expect(
      collectPayment.decide(ctxOf(), collect({ payment_amount: 10.124 }), settings).metadata.amount,
    ).toBe(10.12);
  });

  it('Odoo confirmed this receipt first: nothing recorded twice', () => {
    for (const status of ['CONFIRMED', 'PENDING'] as const) {
      const result = collectPayment.decide(
        ctxOf([known('RCPT-1', status)]),
        collect({ payment_receipt_id: 'RCPT-1' }),
        settings,
      );
      expect(result).toEqual({
        success: true,
        signals: ['PAYMENT_ALREADY_RECORDED'],
        metadata: {
          payment_id: 'RCPT-1',
          payment_type: 'TOP_UP',
          amount: 10,
          currency: 'USD',
          payment_status: status,
        },
        fsmInputs: [],
        effects: [],
      });
    }
  });

  it('refuses another currency and an impossible top-up, recording nothing', () => {
    expect(collectPayment.decide(ctxOf(), collect({ currency: 'KES' }), settings)).toEqual({
      success: false,
      signals: ['CURRENCY_MISMATCH'],
      metadata: { currency: 'KES' },
      fsmInputs: [],
      effects: [],
      error: {
        code: 'CURRENCY_MISMATCH',
        message: 'payment in KES; plan plan-1 is billed in USD',
        details: [],
      },
    });
    expect(collectPayment.decide(ctxOf([], immediate), collect({ service_id: NETWORK }), settings)).toEqual({
      success: false,
      signals: ['TOPUP_NOT_AVAILABLE'],
      metadata: {},
      fsmInputs: [],
      effects: [],
      error: {
        code: 'TOPUP_NOT_AVAILABLE',
        message: `service ${NETWORK} has no unit price: it cannot be topped up`,
        details: [],
      },
    });
  });

  it('the optional fields of the request default to null', () => {
    const bare: CollectPaymentRequest = {
      action: 'COLLECT_PAYMENT',
      correlation_id: 'c-2',
      payment_amount: 1,
      payment_method: 'CASH',
      payment_type: 'DEPOSIT',
    };
    const result = collectPayment.decide(ctxOf(), bare, settings);
    const event = result.effects.find((e) => e.kind === 'event');
    expect(event?.kind === 'event' && event.payload).toMatchObject({
      payment_data: { merchant_station: null, payment_timestamp: null },
      service_context: { attendant_id: null },
    });
  });
});

describe('CONFIRM_PAYMENT (Odoo)', () => {
  it('keyed by the receipt id', () => {
    expect(confirmPayment.readOnly).toBe(false);
    expect(confirmPayment.assetIds(confirm())).toEqual([]);
    expect(confirmPayment.paymentIds?.(confirm())).toEqual(['RCPT-1']);
    expect(confirmPayment.idempotencyKey?.(confirm())).toEqual({ scope: 'payment', key: 'RCPT-1' });
  });

  it('a TOP_UP: confirmed and credited', () => {
    const req = confirm({
      service_id: ENERGY,
      payment_timestamp: '2026-01-05T07:58:00Z',
      service_description: 'Energy top-up',
      merchant_station: 'STATION_XYZ',
    });
    const result = confirmPayment.decide(ctxOf(), req, settings);
    expect(result).toEqual({
      success: true,
      signals: ['PAYMENT_CONFIRMED', 'QUOTA_TOPPED_UP'],
      metadata: {
        payment_receipt_id: 'RCPT-1',
        payment_type: 'TOP_UP',
        amount: 10,
        currency: 'USD',
        payment_status: 'CONFIRMED',
        service_id: ENERGY,
        quota_before: 400,
        quota_after: 412.5,
        credited: 12.5,
        unit: 'kWh',
        unit_price: 0.8,
        confirmed_pending_collection: false,
      },
      fsmInputs: [{ cycle: 'payment_cycle', input: 'PAYMENT_RECEIVED', params: { payment_type: 'TOP_UP' } }],
      effects: [
        {
          kind: 'payment',
          payment: {
            payment_id: 'RCPT-1',
            source: 'odoo',
            status: 'CONFIRMED',
            amount: '10',
            currency: 'USD',
            payment_method: 'MPESA',
            payment_type: 'TOP_UP',
            service_id: ENERGY,
            odoo_receipt_id: 'RCPT-1',
            correlation_id: 'odoo-1',
            payment_timestamp: '2026-01-05T07:58:00Z',
            credited: '12.5',
            credit_service_id: ENERGY,
            provisional_amount: '0',
          },
        },
        { kind: 'quota', service_id: ENERGY, increment: '12.5' },
        {
          kind: 'event',
          event_type: 'PAYMENT_RECEIVED',
          topic: 'event/abs/payment/plan/plan-1/payment_received',
          payload: {
            event_type: 'PAYMENT_RECEIVED',
            plan_id: 'plan-1',
            customer_id: 'CUST-001',
            payment_receipt_id: 'RCPT-1',
            payment_data: {
              amount: 10,
              currency: 'USD',
              payment_method: 'MPESA',
              payment_type: 'TOP_UP',
              status: 'CONFIRMED',
              odoo_receipt_id: 'RCPT-1',
              payment_id: 'RCPT-1',
              service_description: 'Energy top-up',
              merchant_station: 'STATION_XYZ',
              payment_timestamp: '2026-01-05T07:58:00Z',
            },
            credit: { service_id: ENERGY, unit: 'kWh', credited_now: 12.5, credited_total: 12.5 },
            service_context: { transaction_id: 'odoo-1', attendant_id: null, correlation_id: 'odoo-1' },
            fsm_inputs: [{ cycle: 'payment_cycle', input: 'PAYMENT_RECEIVED' }],
          },
        },
      ],
    });
  });

  it('confirms a collection the attendant recorded as pending', () => {
    const result = confirmPayment.decide(ctxOf([known('RCPT-1', 'PENDING')]), confirm(), settings);
    expect(result.success).toBe(true);
    expect(result.metadata.confirmed_pending_collection).toBe(true);
    expect(result.effects.map((e) => e.kind)).toEqual(['payment_update', 'quota', 'event']);
    expect(result.effects[0]).toMatchObject({
      kind: 'payment_update',
      update: { payment_id: 'RCPT-1', status: 'CONFIRMED', amount: '10', credited: '12.5' },
    });
  });

  const ledgered = (
    payment_id: string,
    status: PaymentView['status'],
    source: string,
    credited: string,
    plan_id = 'plan-1',
  ): PaymentView => ({
    ...known(payment_id, status),
    source,
    ledger: {
      plan_id,
      currency: 'USD',
      payment_method: 'CASH',
      credited,
      credit_service_id: credited === '0' ? null : ENERGY,
      provisional_amount: credited === '0' ? '0' : '8',
      reversed: '0',
      unrecovered: '0',
      created_at: '2026-01-05T07:00:00Z',
      rejected_at: null,
    },
  });
  const rejected = confirm({ payment_status: 'REJECTED' });
  const base = { payment_receipt_id: 'RCPT-1', payment_type: 'TOP_UP', amount: 10, currency: 'USD' };

  it.each([
    ['never seen: stored REJECTED', [], ['PAYMENT_REJECTED'], ['payment', 'event']],
    [
      'pending, uncredited',
      [ledgered('RCPT-1', 'PENDING', 'attendant', '0')],
      ['PAYMENT_REJECTED'],
      ['payment_update', 'event'],
    ],
    [
      'pending, credited provisionally: the credit taken back',
      [ledgered('RCPT-1', 'PENDING', 'attendant', '10')],
      ['PAYMENT_REJECTED', 'CREDIT_REVERSED'],
      ['payment_update', 'quota', 'event'],
    ],
    [
      'credited at once at the counter: the credit taken back',
      [ledgered('RCPT-1', 'CONFIRMED', 'attendant', '12.5')],
      ['PAYMENT_REJECTED', 'CREDIT_REVERSED'],
      ['payment_update', 'quota', 'event'],
    ],
  ] as const)('REJECTED, %s', (_name, payments, signals, kinds) => {
    const result = confirmPayment.decide(ctxOf([...payments]), rejected, settings);
    expect(result.success).toBe(true);
    expect(result.signals).toEqual(signals);
    expect(result.effects.map((e) => e.kind)).toEqual(kinds);
    expect(result.metadata).toMatchObject({ ...base, payment_status: 'REJECTED' });
    expect(result.effects.at(-1)).toMatchObject({ kind: 'event', event_type: 'PAYMENT_REJECTED' });
  });

  it('REJECTED is final: a second rejection or a later confirmation changes nothing', () => {
    const done = [ledgered('RCPT-1', 'REJECTED', 'attendant', '10')];
    for (const req of [rejected, confirm()]) {
      expect(confirmPayment.decide(ctxOf(done), req, settings)).toEqual({
        success: true,
        signals: ['PAYMENT_ALREADY_REJECTED'],
        metadata: { ...base, payment_status: 'REJECTED' },
        fsmInputs: [],
        effects: [],
      });
    }
  });

  it("refuses to reject what Odoo confirmed, and another plan's receipt", () => {
    const odoo = [ledgered('RCPT-1', 'CONFIRMED', 'odoo', '12.5')];
    expect(confirmPayment.decide(ctxOf(odoo), rejected, settings)).toEqual({
      success: false,
      signals: ['PAYMENT_ALREADY_CONFIRMED'],
      metadata: base,
      fsmInputs: [],
      effects: [],
      error: {
        code: 'PAYMENT_ALREADY_CONFIRMED',
        message: 'payment RCPT-1 was confirmed by Odoo already',
        details: [],
      },
    });
    const other = [ledgered('RCPT-1', 'PENDING', 'attendant', '0', 'plan-9')];
    expect(confirmPayment.decide(ctxOf(other), rejected, settings)).toEqual({
      success: false,
      signals: ['PAYMENT_PLAN_MISMATCH'],
      metadata: base,
      fsmInputs: [],
      effects: [],
      error: {
        code: 'PAYMENT_PLAN_MISMATCH',
        message: 'payment RCPT-1 is recorded for plan plan-9, not plan-1',
        details: [],
      },
    });
  });

  it('already confirmed (credited at once at the counter): nothing twice', () => {
    expect(
      confirmPayment.decide(ctxOf([known('RCPT-1', 'CONFIRMED')]), confirm({ amount: 10.005 }), settings),
    ).toEqual({
      success: true,
      signals: ['PAYMENT_ALREADY_CONFIRMED'],
      metadata: { payment_receipt_id: 'RCPT-1', payment_type: 'TOP_UP', amount: 10.01, currency: 'USD' },
      fsmInputs: [],
      effects: [],
    });
  });

  it('RENEWAL and DEPOSIT', () => {
    const renewal = confirmPayment.decide(
      ctxOf(),
      confirm({ payment_type: 'RENEWAL', amount: 25 }),
      settings,
    );
    expect(renewal.signals).toEqual(['PAYMENT_CONFIRMED', 'PLAN_RENEWED']);
    expect(renewal.effects.map((e) => e.kind)).toEqual(['payment', 'renew_period', 'event']);
    const deposit = confirmPayment.decide(
      ctxOf(),
      confirm({ payment_type: 'DEPOSIT', amount: 50 }),
      settings,
    );
    expect(deposit.signals).toEqual(['PAYMENT_CONFIRMED']);
    expect(deposit.metadata).toEqual({
      payment_receipt_id: 'RCPT-1',
      payment_type: 'DEPOSIT',
      amount: 50,
      currency: 'USD',
      payment_status: 'CONFIRMED',
      confirmed_pending_collection: false,
    });
  });

  it('refuses another currency', () => {
    expect(confirmPayment.decide(ctxOf(), confirm({ currency: 'EUR' }), settings)).toEqual({
      success: false,
      signals: ['CURRENCY_MISMATCH'],
      metadata: { currency: 'EUR' },
      fsmInputs: [],
      effects: [],
      error: {
        code: 'CURRENCY_MISMATCH',
        message: 'payment in EUR; plan plan-1 is billed in USD',
        details: [],
      },
    });
  });

  it('optional fields default to null', () => {
    const result = confirmPayment.decide(ctxOf(), confirm({ payment_type: 'DEPOSIT' }), settings);
    expect(result.effects[0]).toMatchObject({ payment: { service_id: null, payment_timestamp: null } });
    const event = result.effects.find((e) => e.kind === 'event');
    expect(event?.kind === 'event' && event.payload.payment_data).toMatchObject({
      service_description: null,
      merchant_station: null,
    });
  });
});
