import { describe, expect, it } from 'vitest';
import type { AgentResult } from '../../agents/shared/agent.types.js';
import {
  creditEffects,
  type PaymentInput,
  paymentCycleInput,
  paymentReceivedEvent,
  paymentRecord,
  type TopUp,
  topUpFor,
  topUpMetadata,
} from '../../agents/shared/payments.js';
import type { PlanTemplate } from '../../agents/shared/plan.types.js';
import { isSettlement, recordPending, type Settlement, settle } from '../../agents/shared/settle.js';
import { aContext, aPlanView, kenyaTemplate } from '../builders/plan-view.js';
import { ENERGY, NETWORK, SWAPS } from '../builders/plans.js';

const payment = (change: Partial<PaymentInput> = {}): PaymentInput => ({
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
});

const ctxWith = (change: (t: PlanTemplate) => PlanTemplate = (t) => t) =>
  aContext(aPlanView({ template: kenyaTemplate(change) }), []);
const ctx = ctxWith();
const priced = (serviceId: string, unit_price: string) =>
  ctxWith((t) => ({
    ...t,
    service_configurations: t.service_configurations.map((c) =>
      c.service_id === serviceId ? { ...c, unit_price } : c,
    ),
  }));

const topUpOf = (c: typeof ctx, serviceId: string | null, amount: number): TopUp => {
  const t = topUpFor(c, serviceId, amount);
  if (typeof t === 'string') throw new Error(t);
  return t;
};

describe('topUpFor: amount ÷ unit price, rounded down to the service precision', () => {
  // Energy at 0.80 per kWh, precision 1.
  it.each([
    [10, '12.5'],
    [1, '1.2'], // 1.25 → 1.2 (half up would give 1.3)
    [0.76, '0.9'], // 0.95 → 0.9 (half up would give 1.0)
    [0.79, '0.9'], // 0.9875 → 0.9
    [0.8, '1'],
    [0.07, '0'],
  ] as const)('%d USD of energy → %s kWh', (amount, credit) => {
    const t = topUpOf(ctx, null, amount);
    expect(t.credit.toFixed()).toBe(credit);
    expect(t.service_id).toBe(ENERGY);
    expect(t.quota_before.toFixed()).toBe('400');
    expect(t.config.unit).toBe('kWh');
  });

  it('a named service: 12.49 USD of swaps at 2.50 buys 4 swaps (4.996 rounded down)', () => {
    const t = topUpOf(ctx, SWAPS, 12.49);
    expect(t).toMatchObject({ service_id: SWAPS });
    expect(t.credit.toFixed()).toBe('4');
    expect(topUpOf(ctx, SWAPS, 12.5).credit.toFixed()).toBe('5');
  });

  it.each([
    ['svc-unknown', 'service svc-unknown is not in this plan'],
    [NETWORK, `service ${NETWORK} has no unit price: it cannot be topped up`],
  ])('%s → %s', (serviceId, message) => {
    expect(topUpFor(ctx, serviceId, 10)).toBe(message);
  });

  it('a unit price of 0 cannot be topped up; 0.01 can', () => {
    expect(topUpFor(priced(ENERGY, '0'), null, 10)).toBe(
      `service ${ENERGY} has no unit price: it cannot be topped up`,
    );
    expect(topUpFor(priced(ENERGY, '-1'), null, 10)).toBe(
      `service ${ENERGY} has no unit price: it cannot be topped up`,
    );
    expect(topUpOf(priced(ENERGY, '0.01'), null, 1).credit.toFixed()).toBe('100');
  });

  it('a plan without an energy service has nothing to top up by default', () => {
    const c = ctxWith((t) => ({
      ...t,
      service_configurations: t.service_configurations.filter((s) => s.usage_metric !== 'ENERGY'),
    }));
    expect(topUpFor(c, null, 10)).toBe('this plan has no energy service to top up');
  });

  it('a service with no state on the plan cannot be topped up', () => {
    const plan = aPlanView({
      serviceStates: aPlanView().serviceStates.filter((s) => s.service_id !== SWAPS),
    });
    expect(topUpFor(aContext(plan, []), SWAPS, 10)).toBe(`service ${SWAPS} has no state on this plan`);
  });
});

describe('topUpMetadata', () => {
  it('quota before, after and the credit at the service precision', () => {
    expect(topUpMetadata(topUpOf(ctx, null, 10))).toEqual({
      service_id: ENERGY,
      quota_before: 400,
      quota_after: 412.5,
      credited: 12.5,
      unit: 'kWh',
      unit_price: 0.8,
    });
  });
});

describe('paymentRecord and paymentCycleInput', () => {
  it('stores the amount as exact text and every field as given', () => {
    expect(paymentRecord(payment({ amount: 12.3 }), 'PENDING')).toEqual({
      payment_id: 'RCPT-1',
      source: 'odoo',
      status: 'PENDING',
      amount: '12.3',
      currency: 'USD',
      payment_method: 'MPESA',
      payment_type: 'TOP_UP',
      service_id: null,
      odoo_receipt_id: 'RCPT-1',
      correlation_id: 'c-1',
      payment_timestamp: '2026-01-05T07:58:00Z',
    });
  });

  it.each(['DEPOSIT', 'TOP_UP', 'RENEWAL'] as const)('PAYMENT_RECEIVED(%s)', (type) => {
    expect(paymentCycleInput(type)).toEqual({
      cycle: 'payment_cycle',
      input: 'PAYMENT_RECEIVED',
      params: { payment_type: type },
    });
  });
});

describe('paymentReceivedEvent', () => {
  it("seed 002 §4.1's shape; the amount at the currency's decimals, half up", () => {
    const inputs = [paymentCycleInput('TOP_UP')];
    expect(paymentReceivedEvent(ctx, payment({ amount: 0.125 }), 'CONFIRMED', inputs)).toEqual({
      kind: 'event',
      event_type: 'PAYMENT_RECEIVED',
      topic: 'event/abs/payment/plan/plan-1/payment_received',
      payload: {
        event_type: 'PAYMENT_RECEIVED',
        plan_id: 'plan-1',
        customer_id: 'CUST-001',
        payment_data: {
          amount: 0.13,
          currency: 'USD',
          payment_method: 'MPESA',
          payment_type: 'TOP_UP',
          status: 'CONFIRMED',
          odoo_receipt_id: 'RCPT-1',
          payment_id: 'RCPT-1',
          service_description: 'Top-up',
          merchant_station: 'STATION_XYZ',
          payment_timestamp: '2026-01-05T07:58:00Z',
        },
        service_context: { transaction_id: 'c-1', attendant_id: 'ATT-1', correlation_id: 'c-1' },
        fsm_inputs: [{ cycle: 'payment_cycle', input: 'PAYMENT_RECEIVED' }],
      },
    });
  });

  it('0.124 rounds down to 0.12', () => {
    const event = paymentReceivedEvent(ctx, payment({ amount: 0.124 }), 'PENDING_CONFIRMATION', []);
    expect(event.kind === 'event' && event.payload.payment_data).toMatchObject({ amount: 0.12 });
  });
});

describe('creditEffects', () => {
  it('a TOP_UP credits its quota; a zero credit or no top-up changes nothing', () => {
    expect(creditEffects(ctx, 'TOP_UP', topUpOf(ctx, null, 10))).toEqual([
      { kind: 'quota', service_id: ENERGY, increment: '12.5' },
    ]);
    expect(creditEffects(ctx, 'TOP_UP', topUpOf(ctx, null, 0.07))).toEqual([]);
    expect(creditEffects(ctx, 'TOP_UP', null)).toEqual([]);
  });

  it("a RENEWAL starts a new period with every service's template quota", () => {
    expect(creditEffects(ctx, 'RENEWAL', null)).toEqual([
      {
        kind: 'renew_period',
        quotas: [
          { service_id: SWAPS, quota: '10' },
          { service_id: ENERGY, quota: '400' },
          { service_id: NETWORK, quota: '100000000' },
        ],
      },
    ]);
  });

  it('a DEPOSIT credits nothing, even with a top-up computed', () => {
    expect(creditEffects(ctx, 'DEPOSIT', null)).toEqual([]);
    expect(creditEffects(ctx, 'DEPOSIT', topUpOf(ctx, null, 10))).toEqual([]);
  });
});

const settled = (result: Settlement | AgentResult): Settlement => {
  if (!isSettlement(result)) throw new Error(`refused: ${result.signals.join(',')}`);
  return result;
};

const refusal = (signal: string, message: string, metadata: Record<string, unknown> = {}): AgentResult => ({
  success: false,
  signals: [signal],
  metadata,
  fsmInputs: [],
  effects: [],
  error: { code: signal, message, details: [] },
});

describe('settle: money that counts now', () => {
  it('TOP_UP: stored CONFIRMED, the quota credited, the cycle told, the event queued', () => {
    const p = payment();
    const fsmInputs = [paymentCycleInput('TOP_UP')];
    expect(settled(settle(ctx, p))).toEqual({
      effects: [
        { kind: 'payment', payment: paymentRecord(p, 'CONFIRMED') },
        { kind: 'quota', service_id: ENERGY, increment: '12.5' },
        paymentReceivedEvent(ctx, p, 'CONFIRMED', fsmInputs),
      ],
      fsmInputs,
      metadata: { payment_status: 'CONFIRMED', ...topUpMetadata(topUpOf(ctx, null, 10)) },
      signals: ['PAYMENT_CONFIRMED', 'QUOTA_TOPPED_UP'],
      topUp: topUpOf(ctx, null, 10),
    });
  });

  it('RENEWAL: a new period, PLAN_RENEWED', () => {
    const p = payment({ payment_type: 'RENEWAL', amount: 25 });
    const fsmInputs = [paymentCycleInput('RENEWAL')];
    expect(settled(settle(ctx, p))).toEqual({
      effects: [
        { kind: 'payment', payment: paymentRecord(p, 'CONFIRMED') },
        ...creditEffects(ctx, 'RENEWAL', null),
        paymentReceivedEvent(ctx, p, 'CONFIRMED', fsmInputs),
      ],
      fsmInputs,
      metadata: { payment_status: 'CONFIRMED' },
      signals: ['PAYMENT_CONFIRMED', 'PLAN_RENEWED'],
      topUp: null,
    });
  });

  it('DEPOSIT: stored and told to the cycle, nothing credited', () => {
    const p = payment({ payment_type: 'DEPOSIT', amount: 50 });
    const fsmInputs = [paymentCycleInput('DEPOSIT')];
    expect(settled(settle(ctx, p))).toEqual({
      effects: [
        { kind: 'payment', payment: paymentRecord(p, 'CONFIRMED') },
        paymentReceivedEvent(ctx, p, 'CONFIRMED', fsmInputs),
      ],
      fsmInputs,
      metadata: { payment_status: 'CONFIRMED' },
      signals: ['PAYMENT_CONFIRMED'],
      topUp: null,
    });
  });

  it('a TOP_UP too small to buy one unit of precision is confirmed, credits nothing, still says topped up', () => {
    const result = settled(settle(ctx, payment({ amount: 0.07 })));
    expect(result.effects.map((e) => e.kind)).toEqual(['payment', 'event']);
    expect(result.signals).toEqual(['PAYMENT_CONFIRMED', 'QUOTA_TOPPED_UP']);
    expect(result.metadata).toMatchObject({ credited: 0, quota_after: 400 });
  });

  it('refuses another currency, changing nothing', () => {
    expect(settle(ctx, payment({ currency: 'KES' }))).toEqual(
      refusal('CURRENCY_MISMATCH', 'payment in KES; plan plan-1 is billed in USD', { currency: 'KES' }),
    );
  });

  it('refuses a TOP_UP of a service that cannot be topped up', () => {
    expect(settle(ctx, payment({ service_id: NETWORK }))).toEqual(
      refusal('TOPUP_NOT_AVAILABLE', `service ${NETWORK} has no unit price: it cannot be topped up`),
    );
  });

  it('a RENEWAL or DEPOSIT names no service and needs no price', () => {
    expect(isSettlement(settle(ctx, payment({ payment_type: 'RENEWAL', service_id: NETWORK })))).toBe(true);
    expect(isSettlement(settle(ctx, payment({ payment_type: 'DEPOSIT', service_id: 'svc-unknown' })))).toBe(
      true,
    );
  });
});

describe('recordPending: money the attendant took, waiting for Odoo', () => {
  it.each(['TOP_UP', 'RENEWAL', 'DEPOSIT'] as const)(
    '%s: stored PENDING and announced; nothing credited',
    (type) => {
      const p = payment({ payment_type: type, source: 'attendant' });
      expect(settled(recordPending(ctx, p))).toEqual({
        effects: [
          { kind: 'payment', payment: paymentRecord(p, 'PENDING') },
          paymentReceivedEvent(ctx, p, 'PENDING_CONFIRMATION', []),
        ],
        fsmInputs: [],
        metadata: { payment_status: 'PENDING_CONFIRMATION' },
        signals: ['PAYMENT_PENDING_CONFIRMATION'],
        topUp: null,
      });
    },
  );

  it('refuses another currency and an impossible TOP_UP as settle does', () => {
    expect(recordPending(ctx, payment({ currency: 'XOF' }))).toEqual(
      refusal('CURRENCY_MISMATCH', 'payment in XOF; plan plan-1 is billed in USD', { currency: 'XOF' }),
    );
    expect(recordPending(ctx, payment({ service_id: 'svc-unknown' }))).toEqual(
      refusal('TOPUP_NOT_AVAILABLE', 'service svc-unknown is not in this plan'),
    );
  });
});
