import { describe, expect, it } from 'vitest';
import type { AgentResult } from '../../agents/shared/agent.types.js';
import { dec } from '../../agents/shared/decimal.js';
import {
  creditEffects,
  type PaymentInput,
  paymentCollectedEvent,
  paymentCycleInputs,
  paymentReceivedEvent,
  paymentRecord,
  type TopUp,
  topUpFor,
  topUpMetadata,
} from '../../agents/shared/payments.js';
import type { PaymentView, PlanTemplate } from '../../agents/shared/plan.types.js';
import { isSettlement, recordPending, reject, type Settlement, settle } from '../../agents/shared/settle.js';
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

describe('paymentRecord and paymentCycleInputs', () => {
  it('stores the amount as exact text, every field as given, and an empty ledger by default', () => {
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
      credited: '0',
      credit_service_id: null,
      provisional_amount: '0',
    });
  });

  it('stores the ledger it is given', () => {
    const ledger = { credited: dec('12.5'), service_id: ENERGY, provisional_amount: dec('10') };
    expect(paymentRecord(payment(), 'PENDING', ledger)).toMatchObject({
      credited: '12.5',
      credit_service_id: ENERGY,
      provisional_amount: '10',
    });
  });

  it.each(['DEPOSIT', 'TOP_UP', 'RENEWAL'] as const)('PAYMENT_RECEIVED(%s)', (type) => {
    expect(paymentCycleInputs(type)).toEqual([
      { cycle: 'payment_cycle', input: 'PAYMENT_RECEIVED', params: { payment_type: type } },
    ]);
  });

  it('a SWAP_FEE moves no cycle', () => {
    expect(paymentCycleInputs('SWAP_FEE')).toEqual([]);
  });
});

describe('paymentReceivedEvent', () => {
  it("seed 002 §4.1's shape; the amount at the currency's decimals, half up", () => {
    const inputs = paymentCycleInputs('TOP_UP');
    const credit = { service_id: ENERGY, unit: 'kWh', credited_now: 1, credited_total: 1 };
    expect(paymentReceivedEvent(ctx, payment({ amount: 0.125 }), inputs, credit)).toEqual({
      kind: 'event',
      event_type: 'PAYMENT_RECEIVED',
      topic: 'event/abs/payment/plan/plan-1/payment_received',
      payload: {
        event_type: 'PAYMENT_RECEIVED',
        plan_id: 'plan-1',
        customer_id: 'CUST-001',
        payment_receipt_id: 'RCPT-1',
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
        credit,
        service_context: { transaction_id: 'c-1', attendant_id: 'ATT-1', correlation_id: 'c-1' },
        fsm_inputs: [{ cycle: 'payment_cycle', input: 'PAYMENT_RECEIVED' }],
      },
    });
  });

  it('0.124 rounds down to 0.12', () => {
    const event = paymentReceivedEvent(ctx, payment({ amount: 0.124 }), [], null);
    expect(event.kind === 'event' && event.payload.payment_data).toMatchObject({ amount: 0.12 });
  });
});

describe('creditEffects', () => {
  it('a TOP_UP credits its quota; a zero credit or no top-up changes nothing', () => {
    expect(creditEffects(ctx, 'TOP_UP', dec('12.5'), ENERGY)).toEqual([
      { kind: 'quota', service_id: ENERGY, increment: '12.5' },
    ]);
    expect(creditEffects(ctx, 'TOP_UP', dec(0), ENERGY)).toEqual([]);
    expect(creditEffects(ctx, 'TOP_UP', null, ENERGY)).toEqual([]);
    expect(creditEffects(ctx, 'TOP_UP', dec('12.5'), null)).toEqual([]);
  });

  it("a RENEWAL starts a new period with every service's template quota", () => {
    expect(creditEffects(ctx, 'RENEWAL', null, null)).toEqual([
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

  it.each(['DEPOSIT', 'SWAP_FEE'] as const)('a %s credits nothing, even with a credit computed', (type) => {
    expect(creditEffects(ctx, type, null, null)).toEqual([]);
    expect(creditEffects(ctx, type, dec('12.5'), ENERGY)).toEqual([]);
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

const energyCredit = (now: number, total: number) => ({
  service_id: ENERGY,
  unit: 'kWh',
  credited_now: now,
  credited_total: total,
});

describe('settle: money that counts now', () => {
  it('TOP_UP: stored CONFIRMED with its credit, the quota credited, the cycle told, payment_received', () => {
    const p = payment();
    const fsmInputs = paymentCycleInputs('TOP_UP');
    const topUp = topUpOf(ctx, null, 10);
    expect(settled(settle(ctx, p))).toEqual({
      effects: [
        {
          kind: 'payment',
          payment: paymentRecord(p, 'CONFIRMED', { credited: dec('12.5'), service_id: ENERGY }),
        },
        { kind: 'quota', service_id: ENERGY, increment: '12.5' },
        paymentReceivedEvent(ctx, p, fsmInputs, energyCredit(12.5, 12.5)),
      ],
      fsmInputs,
      metadata: { payment_status: 'CONFIRMED', payment_type: 'TOP_UP', ...topUpMetadata(topUp) },
      signals: ['PAYMENT_CONFIRMED', 'QUOTA_TOPPED_UP'],
      topUp,
      status: 'CONFIRMED',
    });
  });

  it('RENEWAL: a new period, PLAN_RENEWED', () => {
    const p = payment({ payment_type: 'RENEWAL', amount: 25 });
    const fsmInputs = paymentCycleInputs('RENEWAL');
    expect(settled(settle(ctx, p))).toEqual({
      effects: [
        { kind: 'payment', payment: paymentRecord(p, 'CONFIRMED', { credited: dec(0), service_id: null }) },
        ...creditEffects(ctx, 'RENEWAL', null, null),
        paymentReceivedEvent(ctx, p, fsmInputs, null),
      ],
      fsmInputs,
      metadata: { payment_status: 'CONFIRMED', payment_type: 'RENEWAL' },
      signals: ['PAYMENT_CONFIRMED', 'PLAN_RENEWED'],
      topUp: null,
      status: 'CONFIRMED',
    });
  });

  it.each([
    ['DEPOSIT', 50, paymentCycleInputs('DEPOSIT')],
    ['SWAP_FEE', 2.5, []],
  ] as const)('%s: stored and announced, nothing credited', (type, amount, fsmInputs) => {
    const p = payment({ payment_type: type, amount });
    expect(settled(settle(ctx, p))).toEqual({
      effects: [
        { kind: 'payment', payment: paymentRecord(p, 'CONFIRMED', { credited: dec(0), service_id: null }) },
        paymentReceivedEvent(ctx, p, [...fsmInputs], null),
      ],
      fsmInputs,
      metadata: { payment_status: 'CONFIRMED', payment_type: type },
      signals: ['PAYMENT_CONFIRMED'],
      topUp: null,
      status: 'CONFIRMED',
    });
  });

  it('a TOP_UP too small to buy one unit of precision is confirmed and credits nothing', () => {
    const result = settled(settle(ctx, payment({ amount: 0.07 })));
    expect(result.effects.map((e) => e.kind)).toEqual(['payment', 'event']);
    expect(result.signals).toEqual(['PAYMENT_CONFIRMED']);
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

  it('confirming a payment credited provisionally credits only the rest', () => {
    const existing = pendingView('RCPT-1', { credited: '6.2', provisional_amount: '5' });
    const result = settled(settle(ctx, payment(), existing));
    expect(result.effects).toContainEqual({ kind: 'quota', service_id: ENERGY, increment: '6.3' });
    expect(result.metadata).toMatchObject({ provisionally_credited_before: 6.2, credited: 6.3 });
  });
});

const pendingView = (
  payment_id: string,
  ledger: { credited: string; provisional_amount: string; plan_id?: string },
): PaymentView => ({
  payment_id,
  status: 'PENDING',
  amount: '10',
  payment_type: 'TOP_UP',
  source: 'attendant',
  ledger: {
    plan_id: ledger.plan_id ?? 'plan-1',
    currency: 'USD',
    payment_method: 'CASH',
    credited: ledger.credited,
    credit_service_id: ledger.credited === '0' ? null : ENERGY,
    provisional_amount: ledger.provisional_amount,
    reversed: '0',
    unrecovered: '0',
    created_at: '2026-01-05T07:00:00Z',
    rejected_at: null,
  },
});

const withLimit = (limit: number, payments: PaymentView[] = []) => {
  const c = ctxWith((t) => ({
    ...t,
    agent_params: {
      ...t.agent_params,
      service_completion: {
        ...t.agent_params.service_completion,
        require_payment_confirmation: true,
        provisional_credit_limit: limit,
      },
    },
  }));
  return { ...c, payments: new Map(payments.map((v) => [v.payment_id, v])) };
};

describe('recordPending: money the attendant took, waiting for Odoo', () => {
  it.each(['TOP_UP', 'RENEWAL', 'DEPOSIT', 'SWAP_FEE'] as const)(
    '%s without provisional credit: stored PENDING, payment_collected; nothing credited',
    (type) => {
      const p = payment({ payment_type: type, source: 'attendant' });
      expect(settled(recordPending(ctx, p, false))).toEqual({
        effects: [
          {
            kind: 'payment',
            payment: paymentRecord(p, 'PENDING', {
              credited: dec(0),
              service_id: null,
              provisional_amount: dec(0),
            }),
          },
          paymentCollectedEvent(ctx, p, null),
        ],
        fsmInputs: [],
        metadata: { payment_status: 'PENDING_CONFIRMATION', payment_type: type },
        signals: ['PAYMENT_PENDING_CONFIRMATION'],
        topUp: null,
        status: 'PENDING',
      });
    },
  );

  it('refuses another currency and an impossible TOP_UP as settle does', () => {
    expect(recordPending(ctx, payment({ currency: 'XOF' }), false)).toEqual(
      refusal('CURRENCY_MISMATCH', 'payment in XOF; plan plan-1 is billed in USD', { currency: 'XOF' }),
    );
    expect(recordPending(ctx, payment({ service_id: 'svc-unknown' }), false)).toEqual(
      refusal('TOPUP_NOT_AVAILABLE', 'service svc-unknown is not in this plan'),
    );
  });

  // Limit 8 USD of provisional money per plan; energy at 0.80 per kWh.
  it.each([
    ['all of it below the limit', 8, [], 10, '10', '8'],
    ['capped at the limit', 8, [], 20, '10', '8'],
    ['what other pending payments leave', 8, [['P-0', '5']], 10, '3.7', '3'],
    ['nothing when the limit is used up', 8, [['P-0', '8']], 10, null, '0'],
    ['nothing when the room buys no unit', 8, [['P-0', '7.95']], 10, null, '0'],
  ] as const)('provisional credit: %s', (_name, limit, others, amount, credited, money) => {
    const views = others.map(([id, m]) => pendingView(id, { credited: '1', provisional_amount: m }));
    const c = withLimit(limit, views);
    const p = payment({ source: 'attendant', amount });
    const result = settled(recordPending(c, p, true));
    const record = result.effects.find((e) => e.kind === 'payment');
    expect(record?.kind === 'payment' && record.payment).toMatchObject({
      status: 'PENDING',
      provisional_amount: money === '0' ? '0' : money,
      credited: credited ?? '0',
    });
    if (credited) {
      expect(result.effects).toContainEqual({ kind: 'quota', service_id: ENERGY, increment: credited });
      expect(result.signals).toEqual(['PAYMENT_PENDING_CONFIRMATION', 'PROVISIONAL_CREDIT_APPLIED']);
    } else {
      expect(result.effects.map((e) => e.kind)).toEqual(['payment', 'event']);
      expect(result.signals).toEqual(['PAYMENT_PENDING_CONFIRMATION']);
    }
  });

  it('a pending payment of another plan does not use this plan’s limit', () => {
    const other = pendingView('P-9', { credited: '10', provisional_amount: '8', plan_id: 'plan-9' });
    const result = settled(recordPending(withLimit(8, [other]), payment({ source: 'attendant' }), true));
    expect(result.effects).toContainEqual({ kind: 'quota', service_id: ENERGY, increment: '10' });
  });
});

describe('reject: Odoo refused the payment', () => {
  const rejectedOf = (c: ReturnType<typeof withLimit>, credited: string) =>
    reject(c, payment({ source: 'odoo' }), pendingView('RCPT-1', { credited, provisional_amount: '8' }));

  it('the unused credit is taken back in full', () => {
    const r = rejectedOf(withLimit(8), '10');
    expect(r.signals).toEqual(['PAYMENT_REJECTED', 'CREDIT_REVERSED']);
    expect(r.effects.slice(0, 2)).toEqual([
      {
        kind: 'payment_update',
        update: { payment_id: 'RCPT-1', status: 'REJECTED', reversed: '10', unrecovered: '0' },
      },
      { kind: 'quota', service_id: ENERGY, increment: '-10' },
    ]);
    expect(r.metadata).toEqual({
      payment_status: 'REJECTED',
      previous_status: 'PENDING',
      reversal: { service_id: ENERGY, unit: 'kWh', credited: 10, reversed: 10, unrecovered: 0 },
    });
  });

  it('credit already used is recorded as unrecovered', () => {
    const base = withLimit(8);
    const plan = {
      ...base.plan,
      serviceStates: base.plan.serviceStates.map((s) =>
        s.service_id === ENERGY ? { ...s, used: '396' } : s,
      ),
    };
    const r = rejectedOf({ ...base, plan }, '10');
    expect(r.signals).toEqual(['PAYMENT_REJECTED', 'CREDIT_REVERSED', 'CREDIT_UNRECOVERED']);
    expect(r.metadata).toMatchObject({
      reversal: { credited: 10, reversed: 4, unrecovered: 6 },
    });
    expect(r.effects).toContainEqual({ kind: 'quota', service_id: ENERGY, increment: '-4' });
  });

  it('a payment never credited is only marked REJECTED; one never seen is stored REJECTED', () => {
    const r = rejectedOf(withLimit(8), '0');
    expect(r.signals).toEqual(['PAYMENT_REJECTED']);
    expect(r.effects.map((e) => e.kind)).toEqual(['payment_update', 'event']);
    const fresh = reject(ctx, payment(), undefined);
    expect(fresh.effects[0]).toEqual({ kind: 'payment', payment: paymentRecord(payment(), 'REJECTED') });
    expect(fresh.metadata).toEqual({ payment_status: 'REJECTED', previous_status: null, reversal: null });
  });
});
