import { describe, expect, it } from 'vitest';
import {
  type EquipmentCheckoutRequest,
  equipmentCheckout,
} from '../../agents/equipment-checkout/equipment-checkout.handler.js';
import { identifyCustomer } from '../../agents/identify-customer/identify-customer.handler.js';
import type { AgentResult } from '../../agents/shared/agent.types.js';
import { pendingPaymentsWire, withPendingTopUp } from '../../agents/shared/pending.js';
import type {
  AgentContext,
  PaymentLedgerView,
  PaymentView,
  PlanView,
} from '../../agents/shared/plan.types.js';
import { planSummary } from '../../agents/shared/summary.js';
import { aBarePaymentView, aPaymentView } from '../builders/payments.js';
import { aContext, anAsset, aPlanView } from '../builders/plan-view.js';
import { ENERGY, SWAPS } from '../builders/plans.js';

const settings = { kwhToleranceKwh: 0.5 };

const view = aPaymentView;
const bare = aBarePaymentView;

const ctxWith = (payments: PaymentView[], plan: PlanView = aPlanView()): AgentContext => ({
  ...aContext(plan, [
    anAsset('BAT-12345', { status: 'ISSUED', holder_plan_id: 'plan-1' }),
    anAsset('BAT-67890'),
  ]),
  payments: new Map(payments.map((v) => [v.payment_id, v])),
});

describe('pendingPaymentsWire: the plan’s payments awaiting Odoo, as the app shows them', () => {
  it('each with its amount at the currency decimals (half up), its provisional credit and when it was taken', () => {
    const ctx = ctxWith([
      view('P-1', 'PENDING', { amount: '10.125' }, { credited: '6.2', credit_service_id: ENERGY }),
      view('P-2', 'PENDING', { payment_type: 'DEPOSIT', amount: '10.124' }),
      view('P-3', 'CONFIRMED'),
      view('P-4', 'REJECTED'),
      view('P-9', 'PENDING', {}, { plan_id: 'plan-9' }),
    ]);
    expect(pendingPaymentsWire(ctx)).toEqual([
      {
        payment_receipt_id: 'P-1',
        payment_type: 'TOP_UP',
        amount: 10.13,
        provisional_credit: 6.2,
        credit_service_id: ENERGY,
        collected_at: '2026-01-05T07:00:00Z',
      },
      {
        payment_receipt_id: 'P-2',
        payment_type: 'DEPOSIT',
        amount: 10.12,
        provisional_credit: 0,
        credit_service_id: null,
        collected_at: '2026-01-05T07:00:00Z',
      },
    ]);
  });

  it('a payment loaded without its ledger: no credit, no service, no time', () => {
    expect(pendingPaymentsWire(ctxWith([bare('P-1', 'PENDING')]))).toEqual([
      {
        payment_receipt_id: 'P-1',
        payment_type: 'TOP_UP',
        amount: 10,
        provisional_credit: 0,
        credit_service_id: null,
        collected_at: null,
      },
    ]);
  });
});

describe('withPendingTopUp: a quota refusal while a station top-up awaits Odoo', () => {
  const result: AgentResult = {
    success: false,
    signals: ['QUOTA_EXHAUSTED'],
    metadata: { a: 1 },
    fsmInputs: [{ cycle: 'service_cycle', input: 'QUOTA_EXHAUSTED' }],
    effects: [{ kind: 'plan_status', status: 'ACTIVE' }],
    error: { code: 'QUOTA_EXHAUSTED', message: 'quota exhausted', details: [] },
  };
  const wire = (id: string) => ({
    payment_receipt_id: id,
    payment_type: 'TOP_UP',
    amount: 10,
    provisional_credit: 0,
    credit_service_id: null,
    collected_at: '2026-01-05T07:00:00Z',
  });

  it.each([
    ['no payment at all', []],
    ['only payments that are not top-ups', [view('P-1', 'PENDING', { payment_type: 'DEPOSIT' })]],
    ['a top-up confirmed already', [view('P-1', 'CONFIRMED')]],
    ['a top-up of another plan', [view('P-1', 'PENDING', {}, { plan_id: 'plan-9' })]],
  ] as const)('%s: the refusal as it was', (_name, payments) => {
    expect(withPendingTopUp(ctxWith([...payments]), result)).toBe(result);
  });

  it('one pending top-up: said so, with a retry hint; everything else kept', () => {
    const ctx = ctxWith([view('P-1', 'PENDING'), view('P-2', 'PENDING', { payment_type: 'RENEWAL' })]);
    expect(withPendingTopUp(ctx, result)).toEqual({
      success: false,
      signals: ['QUOTA_EXHAUSTED', 'PAYMENT_PENDING_CONFIRMATION'],
      metadata: { a: 1, pending_payments: [wire('P-1')] },
      fsmInputs: result.fsmInputs,
      effects: result.effects,
      error: {
        code: 'PAYMENT_PENDING_CONFIRMATION',
        message:
          "quota exhausted; top-up P-1 awaits Odoo's confirmation: retry with a new correlation_id once it is confirmed",
        details: [],
      },
    });
  });

  it('two pending top-ups are both named', () => {
    const out = withPendingTopUp(ctxWith([view('P-1', 'PENDING'), view('P-2', 'PENDING')]), result);
    expect(out.metadata.pending_payments).toEqual([wire('P-1'), wire('P-2')]);
    expect(out.error?.message).toBe(
      "quota exhausted; top-up P-1, P-2 awaits Odoo's confirmation: retry with a new correlation_id once it is confirmed",
    );
  });
});

describe('EQUIPMENT_CHECKOUT refused for quota while a top-up awaits Odoo', () => {
  const request: EquipmentCheckoutRequest = {
    action: 'EQUIPMENT_CHECKOUT',
    correlation_id: 'c-1',
    incoming_equipment_id: 'BAT-12345',
    incoming_kwh: 4.8,
    replacement_equipment_id: 'BAT-67890',
    outgoing_kwh: 30.4,
    attendant_id: 'ATT-1',
    attendant_station: 'STATION_XYZ',
  };

  it('reads the plan’s open payments only when it refuses', () => {
    expect(equipmentCheckout.planPayments?.(request)).toBe('on-refusal');
  });

  it('the full refusal: QUOTA_EXHAUSTED, its cycle input and event, the pending top-up named, nothing applied', () => {
    const plan = aPlanView({}, { swaps: '6', kwh: '374.5' });
    const result = equipmentCheckout.decide(ctxWith([view('P-1', 'PENDING')], plan), request, settings);
    const exhausted = [{ service_id: ENERGY, remaining_before: 25.5, required: 25.6, deficit: 0.1 }];
    const topup = { amount_kwh: 0.1, estimated_cost: 0.08, currency: 'USD', estimated_cost_usd: 0.08 };
    expect(result).toEqual({
      success: false,
      signals: ['QUOTA_EXHAUSTED', 'PAYMENT_PENDING_CONFIRMATION'],
      metadata: {
        outgoing_battery_id: 'BAT-67890',
        incoming_battery_id: 'BAT-12345',
        electricity_calculation: {
          incoming_kwh: 4.8,
          outgoing_kwh: 30.4,
          net_delivered_kwh: 25.6,
          incoming_kwh_source: 'app',
          outgoing_kwh_source: 'app',
        },
        quota_check: { remaining_before: 25.5, net_required: 25.6, deficit_kwh: 0.1, status: 'exhausted' },
        exhausted_services: exhausted,
        topup_required: topup,
        pending_payments: [
          {
            payment_receipt_id: 'P-1',
            payment_type: 'TOP_UP',
            amount: 10,
            provisional_credit: 0,
            credit_service_id: null,
            collected_at: '2026-01-05T07:00:00Z',
          },
        ],
      },
      fsmInputs: [{ cycle: 'service_cycle', input: 'QUOTA_EXHAUSTED' }],
      effects: [
        {
          kind: 'event',
          event_type: 'QUOTA_EXHAUSTED',
          topic: 'event/abs/service/plan/plan-1/quota_exhausted',
          payload: {
            event_type: 'QUOTA_EXHAUSTED',
            plan_id: 'plan-1',
            customer_id: 'CUST-001',
            correlation_id: 'c-1',
            source_action: 'EQUIPMENT_CHECKOUT',
            exhausted_services: exhausted,
            topup_required: topup,
          },
        },
      ],
      error: {
        code: 'PAYMENT_PENDING_CONFIRMATION',
        message:
          "quota exhausted; top-up P-1 awaits Odoo's confirmation: retry with a new correlation_id once it is confirmed",
        details: [],
      },
    });
  });

  it('a swap that fits is not held up by a pending top-up', () => {
    const result = equipmentCheckout.decide(ctxWith([view('P-1', 'PENDING')]), request, settings);
    expect(result.success).toBe(true);
    expect(result.signals).toEqual(['QUOTA_AVAILABLE', 'EQUIPMENT_CHECKOUT_SUCCESS']);
  });
});

describe('IDENTIFY_CUSTOMER: the payments it lists', () => {
  const identify = (ctx: AgentContext) =>
    identifyCustomer.decide(ctx, { action: 'IDENTIFY_CUSTOMER', correlation_id: 'c' }, settings);
  const rejected = (id: string, at: string, ledger: Partial<PaymentLedgerView> = {}) =>
    view(id, 'REJECTED', {}, { rejected_at: at, ...ledger });
  const listed = (id: string, at: string | null, change: Record<string, unknown> = {}) => ({
    payment_receipt_id: id,
    payment_type: 'TOP_UP',
    amount: 10,
    credit_service_id: null,
    credited: 0,
    reversed: 0,
    unrecovered: 0,
    rejected_at: at,
    ...change,
  });

  it('reads the plan’s open payments', () => {
    expect(identifyCustomer.planPayments?.({ action: 'IDENTIFY_CUSTOMER', correlation_id: 'c' })).toBe(
      'always',
    );
  });

  it('rejections latest first, whatever order they were loaded in', () => {
    const ctx = ctxWith([
      rejected('P-1', '2026-01-03T00:00:00Z'),
      rejected('P-2', '2026-01-05T07:00:00Z'),
      rejected('P-3', '2026-01-04T00:00:00Z'),
    ]);
    expect((identify(ctx).metadata.payments as { rejected: unknown[] }).rejected).toEqual([
      listed('P-2', '2026-01-05T07:00:00Z'),
      listed('P-3', '2026-01-04T00:00:00Z'),
      listed('P-1', '2026-01-03T00:00:00Z'),
    ]);
  });

  it('units at the precision of the service credited: 12.5 / 6.2 / 6.3 kWh; 0 decimals for a service gone from the template', () => {
    const ledger = { credited: '12.5', reversed: '6.25', unrecovered: '6.25' };
    const ctx = ctxWith([
      rejected('P-1', '2026-01-05T07:00:00Z', { ...ledger, credit_service_id: ENERGY }),
      rejected('P-2', '2026-01-04T07:00:00Z', { ...ledger, credit_service_id: 'svc-gone' }),
      rejected('P-3', '2026-01-03T07:00:00Z', { ...ledger, credit_service_id: SWAPS }),
    ]);
    expect((identify(ctx).metadata.payments as { rejected: unknown[] }).rejected).toEqual([
      listed('P-1', '2026-01-05T07:00:00Z', {
        credit_service_id: ENERGY,
        credited: 12.5,
        reversed: 6.3,
        unrecovered: 6.3,
      }),
      listed('P-2', '2026-01-04T07:00:00Z', {
        credit_service_id: 'svc-gone',
        credited: 13,
        reversed: 6,
        unrecovered: 6,
      }),
      listed('P-3', '2026-01-03T07:00:00Z', {
        credit_service_id: SWAPS,
        credited: 13,
        reversed: 6,
        unrecovered: 6,
      }),
    ]);
  });

  it('a rejected payment loaded without its ledger is not shown as this plan’s', () => {
    const ctx = ctxWith([bare('P-1', 'REJECTED'), bare('P-2', 'PENDING')]);
    expect(identify(ctx)).toEqual({
      success: true,
      signals: ['CUSTOMER_IDENTIFIED', 'PAYMENT_PENDING_CONFIRMATION'],
      metadata: {
        ...planSummary(ctx.plan),
        payments: {
          pending: [
            {
              payment_receipt_id: 'P-2',
              payment_type: 'TOP_UP',
              amount: 10,
              provisional_credit: 0,
              credit_service_id: null,
              collected_at: null,
            },
          ],
          rejected: [],
        },
      },
      fsmInputs: [],
      effects: [],
    });
  });

  // The clock is 2026-01-05T08:00:00Z and the period 7 days: rejections since 2025-12-29T08:00:00Z are recent.
  it.each([
    ['1 ms before the period began', '2025-12-29T07:59:59.999Z', false],
    ['exactly when the period began', '2025-12-29T08:00:00.000Z', true],
    ['1 ms after', '2025-12-29T08:00:00.001Z', true],
  ] as const)('a rejection %s is signalled: %s', (_name, at, recent) => {
    const result = identify(ctxWith([rejected('P-1', at)]));
    expect(result.signals).toEqual(
      recent ? ['CUSTOMER_IDENTIFIED', 'PAYMENT_REJECTED'] : ['CUSTOMER_IDENTIFIED'],
    );
    expect((result.metadata.payments as { rejected: unknown[] }).rejected).toEqual([listed('P-1', at)]);
  });
});
