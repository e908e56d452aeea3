import { describe, expect, it } from 'vitest';
import { invalidValue } from '../../agents/shared/agent.types.js';
import { dec } from '../../agents/shared/decimal.js';
import {
  creditedOf,
  outstandingProvisional,
  paymentCycleInputs,
  paymentReceivedEvent,
  topUpFor,
} from '../../agents/shared/payments.js';
import { paymentMode, recordPending, settle } from '../../agents/shared/settle.js';
import {
  aBarePaymentView,
  aPaymentInput,
  aPaymentView,
  aCreditedPending as credited,
  paymentsContext as ctxOf,
  settled,
  completionTemplate as templateWith,
} from '../builders/payments.js';
import { kenyaTemplate } from '../builders/plan-view.js';
import { ENERGY, SWAPS } from '../builders/plans.js';

/* How a payment's money counts (paymentMode), its one rounding, settle's confirmation of a provisional
 * credit, and the plan's outstanding provisional money. */

describe('paymentMode: when the money of a station payment counts', () => {
  it.each([
    ['no confirmation required', { require_payment_confirmation: false }, {}, 'immediate'],
    [
      'no confirmation required, a provisional limit',
      { require_payment_confirmation: false, provisional_credit_limit: 8 },
      {},
      'immediate',
    ],
    ['immediate_credit', {}, { immediate_credit: true }, 'immediate'],
    ['immediate_credit false', {}, { immediate_credit: false }, 'wait'],
    ['no limit', {}, {}, 'wait'],
    ['a limit of 0', { provisional_credit_limit: 0 }, {}, 'wait'],
    ['a negative limit', { provisional_credit_limit: -1 }, {}, 'wait'],
    ['a limit of 0.01', { provisional_credit_limit: 0.01 }, {}, 'provisional'],
    ['a limit of 8', { provisional_credit_limit: 8 }, {}, 'provisional'],
    [
      'immediate_credit wins over a limit',
      { provisional_credit_limit: 8 },
      { immediate_credit: true },
      'immediate',
    ],
  ] as const)('%s → %s', (_name, completion, billing, mode) => {
    expect(paymentMode(templateWith(completion, billing))).toBe(mode);
  });
});

describe('the one rounding of an amount: to the currency decimals, half up; nothing is refused', () => {
  const refusedAt = (path: string, amount: number, smallest: string) =>
    invalidValue(path, `${amount} USD rounds to nothing; the smallest payment is ${smallest}`);

  it.each([
    ['odoo', '/amount'],
    ['attendant', '/payment_amount'],
  ] as const)('from %s, 0.004 USD is refused on %s, by settle and by recordPending', (source, path) => {
    const p = aPaymentInput({ source, amount: 0.004 });
    expect(settle(ctxOf(), p)).toEqual(refusedAt(path, 0.004, '0.01'));
    expect(recordPending(ctxOf(), p, false)).toEqual(refusedAt(path, 0.004, '0.01'));
  });

  it.each([
    [0.00499, null],
    [0.005, '0.01'],
    [0.015, '0.02'],
    [10.124, '10.12'],
    [10.125, '10.13'],
  ] as const)('%d USD is stored as %s', (amount, stored) => {
    const p = aPaymentInput({ payment_type: 'DEPOSIT', amount });
    const result = settle(ctxOf(), p);
    if (stored === null) {
      expect(result).toEqual(refusedAt('/amount', amount, '0.01'));
      return;
    }
    expect(settled(result).effects[0]).toMatchObject({ kind: 'payment', payment: { amount: stored } });
  });

  it('with no decimals: 0.4 is refused (the smallest payment is 1), 0.5 is 1', () => {
    const ctx = ctxOf(
      [],
      kenyaTemplate((t) => ({ ...t, billing: { ...t.billing, currency_decimals: 0 } })),
    );
    expect(settle(ctx, aPaymentInput({ payment_type: 'DEPOSIT', amount: 0.4 }))).toEqual(
      refusedAt('/amount', 0.4, '1'),
    );
    const ok = settled(settle(ctx, aPaymentInput({ payment_type: 'DEPOSIT', amount: 0.5 })));
    expect(ok.effects[0]).toMatchObject({ payment: { amount: '1' } });
  });

  it('the currency is checked on the rounded payment: 0 KES is refused for its amount first', () => {
    expect(settle(ctxOf(), aPaymentInput({ currency: 'KES', amount: 0 }))).toEqual(
      invalidValue('/amount', '0 KES rounds to nothing; the smallest payment is 0.01'),
    );
  });
});

describe('settle: a confirmation that differs from the provisional credit', () => {
  it('confirmed as a top-up of another service: the provisional kWh go back, the swaps are credited in full', () => {
    const existing = credited('RCPT-1', '5', ENERGY, '4');
    const p = aPaymentInput({ service_id: SWAPS });
    const fsmInputs = paymentCycleInputs('TOP_UP');
    const full = topUpFor(ctxOf(), SWAPS, 10);
    expect(settled(settle(ctxOf([existing]), p, existing))).toEqual({
      effects: [
        { kind: 'quota', service_id: ENERGY, increment: '-5' },
        {
          kind: 'payment_update',
          update: {
            payment_id: 'RCPT-1',
            status: 'CONFIRMED',
            amount: '10',
            credited: '4',
            credit_service_id: SWAPS,
            reversed: '5',
          },
        },
        { kind: 'quota', service_id: SWAPS, increment: '4' },
        paymentReceivedEvent(ctxOf(), p, fsmInputs, {
          service_id: SWAPS,
          unit: 'swap',
          credited_now: 4,
          credited_total: 4,
        }),
      ],
      fsmInputs,
      metadata: {
        payment_status: 'CONFIRMED',
        payment_type: 'TOP_UP',
        service_id: SWAPS,
        quota_before: 10,
        quota_after: 14,
        credited: 4,
        unit: 'swap',
        unit_price: 2.5,
      },
      signals: ['PAYMENT_CONFIRMED', 'QUOTA_TOPPED_UP'],
      topUp: full,
      status: 'CONFIRMED',
    });
  });

  it('confirmed as a RENEWAL after the provisional kWh were all used: nothing to take back, the rest unrecovered', () => {
    const existing = credited('RCPT-1', '5', ENERGY, '4');
    const ctx = ctxOf([existing], kenyaTemplate(), { swaps: '6', kwh: '400' });
    const p = aPaymentInput({ payment_type: 'RENEWAL', amount: 25 });
    const fsmInputs = paymentCycleInputs('RENEWAL');
    expect(settled(settle(ctx, p, existing))).toEqual({
      effects: [
        {
          kind: 'payment_update',
          update: {
            payment_id: 'RCPT-1',
            status: 'CONFIRMED',
            amount: '25',
            credited: '0',
            credit_service_id: null,
            unrecovered: '5',
          },
        },
        {
          kind: 'renew_period',
          quotas: [
            { service_id: SWAPS, quota: '10' },
            { service_id: ENERGY, quota: '400' },
            { service_id: 'svc-swap-network-kenya', quota: '100000000' },
          ],
        },
        paymentReceivedEvent(ctx, p, fsmInputs, null),
      ],
      fsmInputs,
      metadata: { payment_status: 'CONFIRMED', payment_type: 'RENEWAL' },
      signals: ['PAYMENT_CONFIRMED', 'PLAN_RENEWED'],
      topUp: null,
      status: 'CONFIRMED',
    });
  });

  it('confirmed for exactly what was credited provisionally (12.5 kWh for 10 USD): nothing more to credit', () => {
    const existing = credited('RCPT-1', '12.5', ENERGY, '10');
    const ctx = ctxOf([existing]);
    const p = aPaymentInput();
    const fsmInputs = paymentCycleInputs('TOP_UP');
    const full = topUpFor(ctx, null, 10);
    if (typeof full === 'string') throw new Error(full);
    expect(settled(settle(ctx, p, existing))).toEqual({
      effects: [
        {
          kind: 'payment_update',
          update: {
            payment_id: 'RCPT-1',
            status: 'CONFIRMED',
            amount: '10',
            credited: '12.5',
            credit_service_id: ENERGY,
          },
        },
        paymentReceivedEvent(ctx, p, fsmInputs, {
          service_id: ENERGY,
          unit: 'kWh',
          credited_now: 0,
          credited_total: 12.5,
        }),
      ],
      fsmInputs,
      metadata: {
        payment_status: 'CONFIRMED',
        payment_type: 'TOP_UP',
        service_id: ENERGY,
        quota_before: 400,
        quota_after: 400,
        credited: 0,
        unit: 'kWh',
        unit_price: 0.8,
        provisionally_credited_before: 12.5,
      },
      signals: ['PAYMENT_CONFIRMED'],
      topUp: { ...full, credit: dec(0) },
      status: 'CONFIRMED',
    });
  });

  it('confirmed as a DEPOSIT, never credited: nothing taken back, nothing reversed or unrecovered', () => {
    const existing = credited('RCPT-1', '0', null);
    const p = aPaymentInput({ payment_type: 'DEPOSIT', amount: 50 });
    expect(settled(settle(ctxOf([existing]), p, existing)).effects.slice(0, 1)).toEqual([
      {
        kind: 'payment_update',
        update: {
          payment_id: 'RCPT-1',
          status: 'CONFIRMED',
          amount: '50',
          credited: '0',
          credit_service_id: null,
        },
      },
    ]);
  });
});

describe('outstandingProvisional and creditedOf', () => {
  const payments = [
    credited('P-0', '6.2', ENERGY, '5'),
    aPaymentView('P-1', 'CONFIRMED', {}, { provisional_amount: '8' }),
    aPaymentView('P-2', 'REJECTED', {}, { provisional_amount: '3' }),
    aPaymentView('P-3', 'PENDING', {}, { plan_id: 'plan-9', provisional_amount: '4' }),
    aBarePaymentView('P-4', 'PENDING'),
    credited('P-5', '3.1', ENERGY, '2.5'),
  ];
  const ctx = ctxOf(payments);

  it.each([
    [null, '7.5'],
    ['P-5', '5'],
    ['P-0', '2.5'],
    ['P-1', '7.5'],
  ] as const)(
    'except %s: %s USD of this plan’s pending payments (confirmed, rejected and other plans’ not counted)',
    (id, total) => {
      expect(outstandingProvisional(ctx, id).toFixed()).toBe(total);
    },
  );

  it('none at all: 0', () => {
    expect(outstandingProvisional(ctxOf(), null).toFixed()).toBe('0');
  });

  it('creditedOf: the ledger’s units, 0 without a payment or a ledger', () => {
    expect(creditedOf(payments[0]).toFixed()).toBe('6.2');
    expect(creditedOf(aBarePaymentView('P-4', 'PENDING')).toFixed()).toBe('0');
    expect(creditedOf(undefined).toFixed()).toBe('0');
  });
});
