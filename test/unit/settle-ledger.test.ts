import { describe, expect, it } from 'vitest';
import type { Effect } from '../../agents/shared/agent.types.js';
import type { PaymentInput } from '../../agents/shared/payments.js';
import type { PaymentView } from '../../agents/shared/plan.types.js';
import { isSettlement, recordPending, reject, settle } from '../../agents/shared/settle.js';
import { aContext, aPlanView, kenyaTemplate } from '../builders/plan-view.js';
import { ENERGY } from '../builders/plans.js';

const input: PaymentInput = {
  payment_id: 'PAY-1',
  odoo_receipt_id: 'PAY-1',
  source: 'odoo',
  amount: 15,
  currency: 'USD',
  payment_method: 'MPESA',
  payment_type: 'TOP_UP',
  service_id: null,
  payment_timestamp: null,
  correlation_id: 'o-1',
  attendant_id: null,
  station: null,
  description: null,
};

/** A station top-up recorded PENDING with `credited` kWh given provisionally for `money`. */
function pendingView(credited: string, money: string): PaymentView {
  return {
    payment_id: 'PAY-1',
    status: 'PENDING',
    amount: '15',
    payment_type: 'TOP_UP',
    source: 'attendant',
    ledger: {
      plan_id: 'plan-1',
      currency: 'USD',
      payment_method: 'MPESA',
      credited,
      credit_service_id: ENERGY,
      provisional_amount: money,
      reversed: '0',
      unrecovered: '0',
      created_at: '2026-01-05T07:00:00.000Z',
      rejected_at: null,
    },
  };
}

function quotaMoves(effects: Effect[]) {
  return effects.filter((e) => e.kind === 'quota');
}

function updateOf(effects: Effect[]) {
  const e = effects.find((x) => x.kind === 'payment_update');
  return e?.kind === 'payment_update' ? e.update : null;
}

/** 390 of 400 kWh used (10 left); 0.80 USD per kWh. */
const plan = aPlanView({}, { swaps: '6', kwh: '390' });

describe('the payment ledger of a station top-up (pure decisions)', () => {
  it('confirmation after provisional credit adds only the rest: 15 USD is 18.7 kWh in total, 12.5 given already', () => {
    const ctx = aContext(plan, []);
    const out = settle(ctx, input, pendingView('12.5', '10'));
    if (!isSettlement(out)) throw new Error('refused');
    expect(quotaMoves(out.effects)).toEqual([{ kind: 'quota', service_id: ENERGY, increment: '6.2' }]);
    expect(updateOf(out.effects)).toMatchObject({ status: 'CONFIRMED', credited: '18.7', amount: '15' });
  });

  it('Odoo confirms less than was credited provisionally: the difference is taken back as far as unused', () => {
    // 20 kWh given for 16 USD; Odoo says 8 USD (10 kWh); only 10 kWh are left unused → 10 back, 0 unrecovered.
    const ctx = aContext(aPlanView({}, { swaps: '6', kwh: '410' }), []);
    const view = { ...pendingView('20', '16'), amount: '16' };
    const quota = ctx.plan.serviceStates.map((s) => (s.service_id === ENERGY ? { ...s, quota: '420' } : s));
    const out = settle(
      { ...ctx, plan: { ...ctx.plan, serviceStates: quota } },
      { ...input, amount: 8 },
      view,
    );
    if (!isSettlement(out)) throw new Error('refused');
    expect(quotaMoves(out.effects)).toEqual([{ kind: 'quota', service_id: ENERGY, increment: '-10' }]);
    expect(updateOf(out.effects)).toMatchObject({ credited: '10', reversed: '10' });
  });

  it('Odoo confirms it as a RENEWAL: the provisional top-up credit is taken back, the renewal applies', () => {
    const ctx = aContext(plan, []);
    const out = settle(ctx, { ...input, payment_type: 'RENEWAL' }, pendingView('5', '4'));
    if (!isSettlement(out)) throw new Error('refused');
    expect(quotaMoves(out.effects)).toEqual([{ kind: 'quota', service_id: ENERGY, increment: '-5' }]);
    expect(out.effects.some((e) => e.kind === 'renew_period')).toBe(true);
    expect(updateOf(out.effects)).toMatchObject({ credited: '0', credit_service_id: null, reversed: '5' });
  });

  it('rejection takes back what is unused and records the rest as unrecovered', () => {
    const ctx = aContext(plan, []);
    const out = reject(ctx, input, pendingView('18.7', '15'));
    expect(quotaMoves(out.effects)).toEqual([{ kind: 'quota', service_id: ENERGY, increment: '-10' }]);
    expect(updateOf(out.effects)).toMatchObject({ status: 'REJECTED', reversed: '10', unrecovered: '8.7' });
    expect(out.signals).toEqual(['PAYMENT_REJECTED', 'CREDIT_REVERSED', 'CREDIT_UNRECOVERED']);
  });

  it('provisional credit counts the plan’s other unconfirmed provisional money against the limit', () => {
    const template = kenyaTemplate((t) => ({
      ...t,
      agent_params: {
        ...t.agent_params,
        service_completion: { ...t.agent_params.service_completion, provisional_credit_limit: 12 },
      },
    }));
    const ctx = aContext({ ...plan, template }, []);
    const other = { ...pendingView('10', '8'), payment_id: 'PAY-0' };
    const withOther = { ...ctx, payments: new Map([['PAY-0', other]]) };
    const out = recordPending(withOther, { ...input, source: 'attendant' }, true);
    if (!isSettlement(out)) throw new Error('refused');
    // 12 − 8 outstanding = 4 USD provisional → 5 kWh.
    expect(quotaMoves(out.effects)).toEqual([{ kind: 'quota', service_id: ENERGY, increment: '5' }]);
    const record = out.effects.find((e) => e.kind === 'payment');
    expect(record?.kind === 'payment' && record.payment).toMatchObject({
      status: 'PENDING',
      credited: '5',
      provisional_amount: '4',
    });
  });
});
