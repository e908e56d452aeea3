import { describe, expect, it } from 'vitest';
import { dec } from '../../agents/shared/decimal.js';
import { paymentCollectedEvent, paymentRecord, topUpFor } from '../../agents/shared/payments.js';
import type { PaymentView } from '../../agents/shared/plan.types.js';
import { recordPending, reject } from '../../agents/shared/settle.js';
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
import { ENERGY } from '../builders/plans.js';

/* recordPending's provisional credit and reject's reversal, each result in full. */

/** Provisional credit up to 8 USD per plan. */
const limited = (payments: PaymentView[] = []) =>
  ctxOf(payments, templateWith({ provisional_credit_limit: 8 }));

describe('recordPending: provisional credit in full', () => {
  const p = aPaymentInput({ source: 'attendant', payment_id: 'ATT-c-1', odoo_receipt_id: null });
  const provisionalCredit = {
    service_id: ENERGY,
    quota_before: 400,
    quota_after: 410,
    credited: 10,
    unit: 'kWh',
    unit_price: 0.8,
    provisional_amount: 8,
  };

  it('a new top-up of 10 USD under a limit of 8: 8 USD credited as 10 kWh, stored, announced with the credit', () => {
    const ctx = limited();
    const ledger = { credited: dec(10), service_id: ENERGY, provisional_amount: dec(8) };
    expect(settled(recordPending(ctx, p, true))).toEqual({
      effects: [
        { kind: 'payment', payment: paymentRecord(p, 'PENDING', ledger) },
        { kind: 'quota', service_id: ENERGY, increment: '10' },
        paymentCollectedEvent(ctx, p, {
          service_id: ENERGY,
          unit: 'kWh',
          credited_now: 10,
          credited_total: 10,
          amount: 8,
        }),
      ],
      fsmInputs: [],
      metadata: {
        payment_status: 'PENDING_CONFIRMATION',
        payment_type: 'TOP_UP',
        provisional_credit: provisionalCredit,
      },
      signals: ['PAYMENT_PENDING_CONFIRMATION', 'PROVISIONAL_CREDIT_APPLIED'],
      topUp: topUpFor(ctx, null, 8),
      status: 'PENDING',
    });
    expect(paymentRecord(p, 'PENDING', ledger)).toMatchObject({
      credited: '10',
      credit_service_id: ENERGY,
      provisional_amount: '8',
    });
  });

  it('recorded earlier uncredited: credited now by an update, not stored or announced again', () => {
    const existing = aPaymentView('ATT-c-1', 'PENDING');
    const ctx = limited([existing]);
    expect(settled(recordPending(ctx, p, true, existing))).toEqual({
      effects: [
        {
          kind: 'payment_update',
          update: {
            payment_id: 'ATT-c-1',
            status: 'PENDING',
            credited: '10',
            credit_service_id: ENERGY,
            provisional_amount: '8',
          },
        },
        { kind: 'quota', service_id: ENERGY, increment: '10' },
      ],
      fsmInputs: [],
      metadata: {
        payment_status: 'PENDING_CONFIRMATION',
        payment_type: 'TOP_UP',
        provisional_credit: provisionalCredit,
      },
      signals: ['PAYMENT_PENDING_CONFIRMATION', 'PROVISIONAL_CREDIT_APPLIED'],
      topUp: topUpFor(ctx, null, 8),
      status: 'PENDING',
    });
  });

  const nothing = {
    effects: [],
    fsmInputs: [],
    metadata: { payment_status: 'PENDING_CONFIRMATION' },
    signals: ['PAYMENT_PENDING_CONFIRMATION'],
    topUp: null,
    status: 'PENDING',
  };

  it('recorded earlier, the limit used up by another payment: nothing at all', () => {
    const existing = aPaymentView('ATT-c-1', 'PENDING');
    const ctx = limited([existing, credited('P-0', '10', ENERGY, '8')]);
    expect(recordPending(ctx, p, true, existing)).toEqual(nothing);
  });

  it('more provisional money outstanding than the limit (9 of 8 USD): nothing credited', () => {
    const ctx = limited([credited('P-0', '11.2', ENERGY, '9')]);
    const result = settled(recordPending(ctx, p, true));
    expect(result.effects).toEqual([
      {
        kind: 'payment',
        payment: paymentRecord(p, 'PENDING', {
          credited: dec(0),
          service_id: null,
          provisional_amount: dec(0),
        }),
      },
      paymentCollectedEvent(ctx, p, null),
    ]);
    expect(result.signals).toEqual(['PAYMENT_PENDING_CONFIRMATION']);
    expect(result.topUp).toBeNull();
  });

  it('recorded earlier, no provisional credit asked: nothing at all', () => {
    const existing = aPaymentView('ATT-c-1', 'PENDING');
    expect(recordPending(limited([existing]), p, false, existing)).toEqual(nothing);
  });

  it.each([
    ['a TOP_UP, provisional credit not asked (a refused swap keeps its money uncredited)', 'TOP_UP', false],
    ['a DEPOSIT, provisional credit asked', 'DEPOSIT', true],
    ['a RENEWAL, provisional credit asked', 'RENEWAL', true],
  ] as const)('under a limit, %s: stored PENDING uncredited', (_name, type, provisional) => {
    const ctx = limited();
    const q = { ...p, payment_type: type };
    expect(settled(recordPending(ctx, q, provisional))).toEqual({
      effects: [
        {
          kind: 'payment',
          payment: paymentRecord(q, 'PENDING', {
            credited: dec(0),
            service_id: null,
            provisional_amount: dec(0),
          }),
        },
        paymentCollectedEvent(ctx, q, null),
      ],
      fsmInputs: [],
      metadata: { payment_status: 'PENDING_CONFIRMATION', payment_type: type },
      signals: ['PAYMENT_PENDING_CONFIRMATION'],
      topUp: null,
      status: 'PENDING',
    });
  });
});

describe('reject: what is taken back', () => {
  const rejectedEvent = (
    amount: number,
    payment_type: string | null,
    reversal: Record<string, unknown> | null,
  ) => ({
    kind: 'event',
    event_type: 'PAYMENT_REJECTED',
    topic: 'event/abs/payment/plan/plan-1/payment_rejected',
    payload: {
      event_type: 'PAYMENT_REJECTED',
      plan_id: 'plan-1',
      customer_id: 'CUST-001',
      payment_receipt_id: 'RCPT-1',
      payment_data: { amount, currency: 'USD', payment_type, status: 'REJECTED' },
      reversal,
      service_context: { correlation_id: 'c-1' },
    },
  });
  const update = (reversed: string, unrecovered: string) => ({
    kind: 'payment_update',
    update: { payment_id: 'RCPT-1', status: 'REJECTED', reversed, unrecovered },
  });

  it('credit partly used (12.5 kWh credited, 10 left): 10 back, 2.5 unrecovered, at the service precision', () => {
    const existing = aPaymentView('RCPT-1', 'CONFIRMED', {}, { credited: '12.5', credit_service_id: ENERGY });
    const ctx = ctxOf([existing], kenyaTemplate(), { swaps: '6', kwh: '390' });
    const reversal = { service_id: ENERGY, unit: 'kWh', credited: 12.5, reversed: 10, unrecovered: 2.5 };
    expect(reject(ctx, aPaymentInput(), existing)).toEqual({
      effects: [
        update('10', '2.5'),
        { kind: 'quota', service_id: ENERGY, increment: '-10' },
        rejectedEvent(10, 'TOP_UP', reversal),
      ],
      signals: ['PAYMENT_REJECTED', 'CREDIT_REVERSED', 'CREDIT_UNRECOVERED'],
      metadata: { payment_status: 'REJECTED', previous_status: 'CONFIRMED', reversal },
    });
  });

  it('a top-up confirmed at once that bought nothing (0 kWh credited on the energy service): no reversal', () => {
    const existing = aPaymentView('RCPT-1', 'CONFIRMED', { amount: '0.07' }, { credit_service_id: ENERGY });
    expect(reject(ctxOf([existing]), aPaymentInput({ amount: 0.07 }), existing)).toEqual({
      effects: [update('0', '0'), rejectedEvent(0.07, 'TOP_UP', null)],
      signals: ['PAYMENT_REJECTED'],
      metadata: { payment_status: 'REJECTED', previous_status: 'CONFIRMED', reversal: null },
    });
  });

  it('a payment loaded without its ledger: marked REJECTED, nothing to take back', () => {
    const existing = aBarePaymentView('RCPT-1', 'PENDING');
    expect(reject(ctxOf([existing]), aPaymentInput(), existing)).toEqual({
      effects: [update('0', '0'), rejectedEvent(10, 'TOP_UP', null)],
      signals: ['PAYMENT_REJECTED'],
      metadata: { payment_status: 'REJECTED', previous_status: 'PENDING', reversal: null },
    });
  });

  it('more used than the quota (no room at all): nothing taken back, all of it unrecovered', () => {
    const existing = aPaymentView('RCPT-1', 'PENDING', {}, { credited: '10', credit_service_id: ENERGY });
    const ctx = ctxOf([existing], kenyaTemplate(), { swaps: '6', kwh: '400.5' });
    const reversal = { service_id: ENERGY, unit: 'kWh', credited: 10, reversed: 0, unrecovered: 10 };
    expect(reject(ctx, aPaymentInput(), existing)).toEqual({
      effects: [update('0', '10'), rejectedEvent(10, 'TOP_UP', reversal)],
      signals: ['PAYMENT_REJECTED', 'CREDIT_UNRECOVERED'],
      metadata: { payment_status: 'REJECTED', previous_status: 'PENDING', reversal },
    });
  });

  it('credit on a service gone from the plan: nothing can be taken back, all of it unrecovered, in whole units', () => {
    const existing = aPaymentView(
      'RCPT-1',
      'CONFIRMED',
      {},
      { credited: '5', credit_service_id: 'svc-gone' },
    );
    const reversal = { service_id: 'svc-gone', unit: '', credited: 5, reversed: 0, unrecovered: 5 };
    expect(reject(ctxOf([existing]), aPaymentInput(), existing)).toEqual({
      effects: [update('0', '5'), rejectedEvent(10, 'TOP_UP', reversal)],
      signals: ['PAYMENT_REJECTED', 'CREDIT_UNRECOVERED'],
      metadata: { payment_status: 'REJECTED', previous_status: 'CONFIRMED', reversal },
    });
  });

  it('the event tells the amount and type as recorded, else as Odoo sent them', () => {
    const existing = aPaymentView('RCPT-1', 'PENDING', { amount: '12.5' });
    const odoo = aPaymentInput({ payment_type: 'DEPOSIT', amount: 50 });
    expect(reject(ctxOf([existing]), odoo, existing).effects.at(-1)).toEqual(
      rejectedEvent(12.5, 'TOP_UP', null),
    );
    expect(reject(ctxOf(), odoo, { ...existing, payment_type: null }).effects.at(-1)).toEqual(
      rejectedEvent(12.5, 'DEPOSIT', null),
    );
    expect(reject(ctxOf(), odoo, undefined).effects.at(-1)).toEqual(rejectedEvent(50, 'DEPOSIT', null));
  });
});
