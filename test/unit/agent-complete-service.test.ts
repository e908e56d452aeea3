import { describe, expect, it } from 'vitest';
import {
  type CompleteServiceRequest,
  completeService,
} from '../../agents/complete-service/complete-service.handler.js';
import { quotasRemaining, receipt, statesAfter } from '../../agents/complete-service/receipt.js';
import { invalidValue } from '../../agents/shared/agent.types.js';
import type { AgentContext, PaymentView, PlanTemplate, PlanView } from '../../agents/shared/plan.types.js';
import { computeSwap, isSwap } from '../../agents/shared/swap.js';
import { aContext, anAsset, aPlanView, kenyaTemplate } from '../builders/plan-view.js';
import { ENERGY, NETWORK, SWAPS } from '../builders/plans.js';

const settings = { kwhToleranceKwh: 0.5 };
const held = anAsset('BAT-12345', { status: 'ISSUED', holder_plan_id: 'plan-1' });
const fresh = anAsset('BAT-67890');

const request = (change: Partial<CompleteServiceRequest> = {}): CompleteServiceRequest => ({
  action: 'COMPLETE_SERVICE',
  correlation_id: 'tx-1',
  incoming_battery_id: 'BAT-12345',
  incoming_kwh: 4.8,
  outgoing_battery_id: 'BAT-67890',
  outgoing_kwh: 30.4,
  payment_occurred: false,
  attendant_id: 'ATT-1',
  attendant_station: 'STATION_XYZ',
  transaction_timestamp: '2026-01-05T07:59:00Z',
  ...change,
});

const withParams = (
  completion: Partial<PlanTemplate['agent_params']['service_completion']>,
  billing: Partial<PlanTemplate['billing']> = {},
) =>
  kenyaTemplate((t) => ({
    ...t,
    billing: { ...t.billing, ...billing },
    agent_params: {
      ...t.agent_params,
      service_completion: { ...t.agent_params.service_completion, ...completion },
    },
  }));

const ctxOf = (plan: PlanView = aPlanView(), payments: PaymentView[] = []): AgentContext => ({
  ...aContext(plan, [held, fresh]),
  payments: new Map(payments.map((p) => [p.payment_id, p])),
});
const decide = (ctx: AgentContext, change: Partial<CompleteServiceRequest> = {}) =>
  completeService.decide(ctx, request(change), settings);
const paid = {
  payment_occurred: true,
  payment_amount: 10,
  payment_receipt_id: 'RCPT-5',
  payment_method: 'MPESA',
};

describe('COMPLETE_SERVICE: the whole swap in one step', () => {
  it('declares both batteries and the payment', () => {
    expect(completeService.readOnly).toBe(false);
    expect(completeService.assetIds(request())).toEqual(['BAT-67890', 'BAT-12345']);
    expect(completeService.assetIds(request({ incoming_battery_id: null }))).toEqual(['BAT-67890']);
    expect(completeService.paymentIds?.(request())).toEqual([]);
    expect(completeService.paymentIds?.(request(paid))).toEqual(['RCPT-5']);
    expect(completeService.paymentIds?.(request({ payment_occurred: true }))).toEqual(['ATT-tx-1']);
  });

  it('the seed swap without a payment: full result', () => {
    const result = decide(ctxOf());
    const serviceEvent = {
      event_type: 'SERVICE_COMPLETED',
      plan_id: 'plan-1',
      customer_id: 'CUST-001',
      service_data: {
        source_action: 'COMPLETE_SERVICE',
        transaction_id: 'tx-1',
        batteries_swapped: { returned: 'BAT-12345', issued: 'BAT-67890' },
        electricity_delivered_kwh: 25.6,
        kwh_sources: { incoming: 'app', outgoing: 'app' },
        quota_updates: [
          { service_id: SWAPS, used_before: 6, used_after: 7, increment: 1 },
          { service_id: ENERGY, used_before: 344.5, used_after: 370.1, increment: 25.6 },
        ],
        payment: null,
      },
      service_context: {
        transaction_id: 'tx-1',
        attendant_id: 'ATT-1',
        station: 'STATION_XYZ',
        correlation_id: 'tx-1',
      },
      fsm_inputs: [{ cycle: 'service_cycle', input: 'BATTERY_ISSUED' }],
    };
    expect(result).toEqual({
      success: true,
      signals: ['SERVICE_COMPLETED_SUCCESS'],
      metadata: {
        transaction_id: 'tx-1',
        electricity_calculation: {
          incoming_kwh: 4.8,
          outgoing_kwh: 30.4,
          net_delivered_kwh: 25.6,
          incoming_kwh_source: 'app',
          outgoing_kwh_source: 'app',
        },
        quota_updates: serviceEvent.service_data.quota_updates,
        service_event: serviceEvent,
        payment_event: null,
        receipt: {
          transaction_id: 'tx-1',
          timestamp: '2026-01-05T07:59:00Z',
          customer_id: 'CUST-001',
          plan_id: 'plan-1',
          batteries_swapped: { returned: 'BAT-12345', issued: 'BAT-67890' },
          electricity_delivered_kwh: 25.6,
          payment: null,
          quotas_remaining: { swap_count: '3 of 10', electricity_fuel: '29.9 kWh of 400 kWh' },
        },
        fsm_transitions: [{ cycle: 'service_cycle', input: 'BATTERY_ISSUED' }],
      },
      fsmInputs: [{ cycle: 'service_cycle', input: 'BATTERY_ISSUED' }],
      effects: [
        { kind: 'usage', service_id: SWAPS, increment: '1' },
        { kind: 'usage', service_id: ENERGY, increment: '25.6' },
        {
          kind: 'asset',
          asset_id: 'BAT-12345',
          status: 'IN_STOCK',
          holder_plan_id: null,
          station_id: 'STATION_XYZ',
        },
        { kind: 'asset', asset_id: 'BAT-67890', status: 'ISSUED', holder_plan_id: 'plan-1' },
        { kind: 'current_asset', service_id: SWAPS, asset_id: 'BAT-67890' },
        {
          kind: 'event',
          event_type: 'SERVICE_COMPLETED',
          topic: 'event/abs/service/plan/plan-1/service_completed',
          payload: serviceEvent,
        },
      ],
    });
  });

  it('no transaction_timestamp: the receipt is stamped with the clock', () => {
    const result = decide(ctxOf(), { transaction_timestamp: undefined });
    expect(result.metadata.receipt).toMatchObject({ timestamp: '2026-01-05T08:00:00.000Z' });
  });

  it('a payment pending Odoo: recorded with the swap, nothing credited, the swap still checked against the quota', () => {
    const result = decide(ctxOf(), paid);
    expect(result.success).toBe(true);
    expect(result.signals).toEqual(['SERVICE_COMPLETED_SUCCESS', 'PAYMENT_PENDING_CONFIRMATION']);
    expect(result.fsmInputs).toEqual([{ cycle: 'service_cycle', input: 'BATTERY_ISSUED' }]);
    expect(result.effects.map((e) => e.kind)).toEqual([
      'payment',
      'usage',
      'usage',
      'asset',
      'asset',
      'current_asset',
      'event',
      'event',
    ]);
    expect(result.effects[0]).toMatchObject({
      kind: 'payment',
      payment: {
        payment_id: 'RCPT-5',
        source: 'attendant',
        status: 'PENDING',
        amount: '10',
        payment_method: 'MPESA',
        payment_type: 'TOP_UP',
        payment_timestamp: '2026-01-05T07:59:00Z',
      },
    });
    expect(result.metadata).not.toHaveProperty('top_up');
    expect(result.metadata.receipt).toMatchObject({
      payment: { amount: 10, receipt_id: 'RCPT-5', method: 'MPESA', status: 'PENDING_CONFIRMATION' },
    });
    expect(result.metadata.payment_event).toMatchObject({
      event_type: 'PAYMENT_COLLECTED',
      payment_receipt_id: 'RCPT-5',
      provisional_credit: null,
      payment_data: { status: 'PENDING_CONFIRMATION', service_description: 'Battery swap at the station' },
    });
  });

  it('a payment with no amount rounds to nothing: refused, nothing changes', () => {
    const result = decide(ctxOf(), {
      payment_occurred: true,
      transaction_timestamp: undefined,
      timestamp: '2026-01-05T07:30:00Z',
    });
    expect(result.success).toBe(false);
    expect(result.signals).toEqual(['SERVICE_COMPLETION_FAILED', 'VALIDATION_FAILED']);
    expect(result.effects).toEqual([]);
    expect(result.error).toEqual({
      code: 'INVALID_VALUE',
      message: '/payment_amount: 0 USD rounds to nothing; the smallest payment is 0.01',
      details: [
        { path: '/payment_amount', message: '0 USD rounds to nothing; the smallest payment is 0.01' },
      ],
    });
  });

  it('a payment with only an amount: CASH TOP_UP under ATT-<correlation_id>, the request timestamp', () => {
    const result = decide(ctxOf(), {
      payment_occurred: true,
      payment_amount: 0.01,
      transaction_timestamp: undefined,
      timestamp: '2026-01-05T07:30:00Z',
    });
    expect(result.effects[0]).toMatchObject({
      payment: {
        payment_id: 'ATT-tx-1',
        amount: '0.01',
        payment_method: 'CASH',
        payment_type: 'TOP_UP',
        odoo_receipt_id: null,
        payment_timestamp: '2026-01-05T07:30:00Z',
      },
    });
  });

  it('the payment confirmed at once (no confirmation required): the credit counts for this swap', () => {
    // 25.5 kWh left, 25.6 needed: the 10 USD top-up (12.5 kWh) makes the swap possible.
    const plan = aPlanView(
      { template: withParams({ require_payment_confirmation: false }) },
      { swaps: '6', kwh: '374.5' },
    );
    const result = decide(ctxOf(plan), paid);
    expect(result.success).toBe(true);
    expect(result.signals).toEqual(['SERVICE_COMPLETED_SUCCESS', 'PAYMENT_CONFIRMED', 'QUOTA_TOPPED_UP']);
    expect(result.fsmInputs).toEqual([
      { cycle: 'service_cycle', input: 'BATTERY_ISSUED' },
      { cycle: 'payment_cycle', input: 'PAYMENT_RECEIVED', params: { payment_type: 'TOP_UP' } },
    ]);
    expect(result.metadata.top_up).toEqual({
      payment_status: 'CONFIRMED',
      payment_type: 'TOP_UP',
      service_id: ENERGY,
      quota_before: 400,
      quota_after: 412.5,
      credited: 12.5,
      unit: 'kWh',
      unit_price: 0.8,
    });
    expect(result.metadata.fsm_transitions).toEqual([
      { cycle: 'service_cycle', input: 'BATTERY_ISSUED' },
      { cycle: 'payment_cycle', input: 'PAYMENT_RECEIVED' },
    ]);
    expect(result.effects.slice(0, 2)).toEqual([
      expect.objectContaining({ kind: 'payment' }),
      { kind: 'quota', service_id: ENERGY, increment: '12.5' },
    ]);
    expect(result.metadata.receipt).toMatchObject({
      payment: { status: 'CONFIRMED' },
      quotas_remaining: { swap_count: '3 of 10', electricity_fuel: '12.4 kWh of 412.5 kWh' },
    });
  });

  it('immediate_credit confirms at once too', () => {
    const plan = aPlanView({ template: withParams({}, { immediate_credit: true }) });
    expect(decide(ctxOf(plan), paid).signals).toContain('PAYMENT_CONFIRMED');
  });

  it('without the credit the same swap is QUOTA_EXHAUSTED; the money is kept PENDING and announced, retry once confirmed', () => {
    const plan = aPlanView({}, { swaps: '6', kwh: '374.5' });
    const result = decide(ctxOf(plan), paid);
    expect(result.success).toBe(false);
    expect(result.signals).toEqual([
      'SERVICE_COMPLETION_FAILED',
      'QUOTA_EXHAUSTED',
      'PAYMENT_PENDING_CONFIRMATION',
    ]);
    expect(result.fsmInputs).toEqual([{ cycle: 'service_cycle', input: 'QUOTA_EXHAUSTED' }]);
    expect(result.effects.map((e) => e.kind)).toEqual(['payment', 'event', 'event']);
    expect(result.effects[0]).toMatchObject({
      kind: 'payment',
      payment: { payment_id: 'RCPT-5', status: 'PENDING', amount: '10', credited: '0' },
    });
    expect(result.effects[1]).toMatchObject({ kind: 'event', event_type: 'PAYMENT_COLLECTED' });
    expect(result.error).toEqual({
      code: 'PAYMENT_PENDING_CONFIRMATION',
      message:
        "quota exhausted; payment RCPT-5 is recorded and awaits Odoo's confirmation: retry with a new correlation_id once it is confirmed",
      details: [],
    });
    expect(result.metadata.payment).toEqual({
      payment_receipt_id: 'RCPT-5',
      payment_type: 'TOP_UP',
      payment_type_source: 'template',
      payment_status: 'PENDING_CONFIRMATION',
    });
    expect(result.metadata.exhausted_services).toEqual([
      { service_id: ENERGY, remaining_before: 25.5, required: 25.6, deficit: 0.1 },
    ]);
  });

  it('a payment already recorded is not recorded again; the receipt says so', () => {
    const known: PaymentView = {
      payment_id: 'RCPT-5',
      status: 'CONFIRMED',
      amount: '10',
      payment_type: 'TOP_UP',
      source: 'odoo',
    };
    const result = decide(ctxOf(aPlanView(), [known]), paid);
    expect(result.signals).toEqual(['SERVICE_COMPLETED_SUCCESS']);
    expect(result.effects.map((e) => e.kind)).not.toContain('payment');
    expect(result.metadata.payment_event).toBeNull();
    expect(result.metadata.receipt).toMatchObject({ payment: { status: 'CONFIRMED', amount: 10 } });
  });

  it('events off: no event effects, the payloads still answered', () => {
    const plan = aPlanView({ template: withParams({ event_publishing_enabled: false }) });
    const result = decide(ctxOf(plan), paid);
    expect(result.effects.map((e) => e.kind)).toEqual([
      'payment',
      'usage',
      'usage',
      'asset',
      'asset',
      'current_asset',
    ]);
    expect(result.metadata.service_event).toMatchObject({ event_type: 'SERVICE_COMPLETED' });
    expect(result.metadata.payment_event).toMatchObject({ event_type: 'PAYMENT_COLLECTED' });
  });

  it.each([
    ['no type anywhere: TOP_UP from the built-in default', {}, {}, 'TOP_UP', 'template'],
    ['the template default_payment_type', { default_payment_type: 'SWAP_FEE' }, {}, 'SWAP_FEE', 'template'],
    [
      'the request wins over the template',
      { default_payment_type: 'SWAP_FEE' },
      { payment_type: 'DEPOSIT' },
      'DEPOSIT',
      'request',
    ],
  ] as const)('payment type: %s', (_name, completion, change, type, source) => {
    const plan = aPlanView({ template: withParams(completion) });
    const result = decide(ctxOf(plan), { ...paid, ...change });
    expect(result.success).toBe(true);
    expect(result.metadata.payment).toEqual({
      payment_receipt_id: 'RCPT-5',
      payment_type: type,
      payment_type_source: source,
      payment_status: 'PENDING_CONFIRMATION',
    });
    expect(result.effects[0]).toMatchObject({ kind: 'payment', payment: { payment_type: type } });
  });

  it('a SWAP_FEE confirmed at once credits nothing and moves no payment cycle', () => {
    const plan = aPlanView({
      template: withParams({ require_payment_confirmation: false, default_payment_type: 'SWAP_FEE' }),
    });
    const result = decide(ctxOf(plan), paid);
    expect(result.signals).toEqual(['SERVICE_COMPLETED_SUCCESS', 'PAYMENT_CONFIRMED']);
    expect(result.fsmInputs).toEqual([{ cycle: 'service_cycle', input: 'BATTERY_ISSUED' }]);
    expect(result.effects.map((e) => e.kind)).not.toContain('quota');
  });

  it.each([
    // 25.5 kWh left, 25.6 needed; energy at 0.80 USD per kWh.
    ['a limit of 0.08 USD buys the 0.1 kWh missing', 0.08, true],
    ['a limit of 0.07 USD buys 0 kWh at precision 1', 0.07, false],
  ] as const)('provisional credit: %s', (_name, limit, ok) => {
    const plan = aPlanView(
      { template: withParams({ require_payment_confirmation: true, provisional_credit_limit: limit }) },
      { swaps: '6', kwh: '374.5' },
    );
    const result = decide(ctxOf(plan), paid);
    expect(result.success).toBe(ok);
    if (ok) {
      expect(result.signals).toEqual([
        'SERVICE_COMPLETED_SUCCESS',
        'PAYMENT_PENDING_CONFIRMATION',
        'PROVISIONAL_CREDIT_APPLIED',
      ]);
      expect(result.effects).toContainEqual({ kind: 'quota', service_id: ENERGY, increment: '0.1' });
    } else {
      expect(result.signals).toEqual([
        'SERVICE_COMPLETION_FAILED',
        'QUOTA_EXHAUSTED',
        'PAYMENT_PENDING_CONFIRMATION',
      ]);
    }
  });

  it('receipts off: no receipt', () => {
    const plan = aPlanView({ template: withParams({ receipt_generation_enabled: false }) });
    expect(decide(ctxOf(plan)).metadata).not.toHaveProperty('receipt');
  });

  it('flags follow the payment signals', () => {
    const result = decide(ctxOf(), { ...paid, incoming_kwh: 31 });
    expect(result.signals).toEqual([
      'SERVICE_COMPLETED_SUCCESS',
      'PAYMENT_PENDING_CONFIRMATION',
      'NEGATIVE_NET_ENERGY',
    ]);
  });
});

describe('COMPLETE_SERVICE refusals', () => {
  it('an impossible top-up: SERVICE_COMPLETION_FAILED + TOPUP_NOT_AVAILABLE', () => {
    const template = kenyaTemplate((t) => ({
      ...t,
      service_configurations: t.service_configurations.filter((c) => c.usage_metric !== 'ENERGY'),
    }));
    const plan = aPlanView({ template });
    expect(decide(ctxOf(plan), paid)).toEqual({
      success: false,
      signals: ['SERVICE_COMPLETION_FAILED', 'TOPUP_NOT_AVAILABLE'],
      metadata: {},
      fsmInputs: [],
      effects: [],
      error: {
        code: 'TOPUP_NOT_AVAILABLE',
        message: 'this plan has no energy service to top up',
        details: [],
      },
    });
  });

  it('an equipment refusal fails the service', () => {
    const ctx = { ...ctxOf(), assets: new Map([['BAT-12345', held]]) };
    expect(decide(ctx)).toEqual({
      success: false,
      signals: ['SERVICE_COMPLETION_FAILED', 'EQUIPMENT_NOT_FOUND'],
      metadata: { equipment_id: 'BAT-67890' },
      fsmInputs: [],
      effects: [],
      error: { code: 'EQUIPMENT_NOT_FOUND', message: 'battery BAT-67890 is not registered', details: [] },
    });
  });

  it('a value the plan does not allow is a plain VALIDATION_FAILED', () => {
    expect(decide(ctxOf(), { outgoing_kwh: 35.3 })).toEqual(
      invalidValue('/outgoing_kwh', "35.3 kWh exceeds the battery's capacity 32 kWh + 10 %"),
    );
  });

  it('swaps exhausted', () => {
    const result = decide(ctxOf(aPlanView({}, { swaps: '10', kwh: '0' })));
    expect(result.signals).toEqual(['SERVICE_COMPLETION_FAILED', 'QUOTA_EXHAUSTED']);
    expect(result.metadata.topup_required).toEqual({
      swaps: 1,
      estimated_cost: 2.5,
      currency: 'USD',
      estimated_cost_usd: 2.5,
    });
  });
});

describe('receipt helpers', () => {
  const ctx = ctxOf();
  const swap = computeSwap(ctx, {
    incomingId: 'BAT-12345',
    incoming: { kwh: 4.8 },
    outgoingId: 'BAT-67890',
    outgoing: { kwh: 30.4 },
    station: null,
    toleranceKwh: 0.5,
  });
  if (!isSwap(swap)) throw new Error('expected a swap');

  it('statesAfter applies the usage of the swap', () => {
    expect(statesAfter(ctx.plan, swap)).toEqual([
      { service_id: SWAPS, used: '7', quota: '10', current_asset: 'BAT-12345' },
      { service_id: ENERGY, used: '370.1', quota: '400', current_asset: null },
      { service_id: NETWORK, used: '0', quota: '100000000', current_asset: null },
    ]);
  });

  it('quotasRemaining names the swap and energy services only', () => {
    expect(quotasRemaining(ctx.plan, statesAfter(ctx.plan, swap))).toEqual({
      swap_count: '3 of 10',
      electricity_fuel: '29.9 kWh of 400 kWh',
    });
    expect(
      quotasRemaining(ctx.plan, [{ service_id: 'svc-gone', used: '1', quota: '2', current_asset: null }]),
    ).toEqual({});
  });

  it('receipt', () => {
    expect(receipt(ctx.plan, ctx.plan, { transactionId: 't', timestamp: 'ts', swap, payment: null })).toEqual(
      {
        transaction_id: 't',
        timestamp: 'ts',
        customer_id: 'CUST-001',
        plan_id: 'plan-1',
        batteries_swapped: { returned: 'BAT-12345', issued: 'BAT-67890' },
        electricity_delivered_kwh: 25.6,
        payment: null,
        quotas_remaining: { swap_count: '3 of 10', electricity_fuel: '29.9 kWh of 400 kWh' },
      },
    );
  });
});
