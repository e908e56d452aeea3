import { describe, expect, it } from 'vitest';
import { dec } from '../../agents/shared/decimal.js';
import { eventTopics, serviceCompletedEvent } from '../../agents/shared/events.js';
import { quotaExhaustedResult, topupRequired } from '../../agents/shared/exhausted.js';
import type { AgentContext, PlanTemplate, PlanView } from '../../agents/shared/plan.types.js';
import { planSummary } from '../../agents/shared/summary.js';
import { computeSwap, isSwap, type Swap, type SwapRequest } from '../../agents/shared/swap.js';
import { aContext, anAsset, aPlanView, kenyaTemplate } from '../builders/plan-view.js';
import { ENERGY, NETWORK, SWAPS } from '../builders/plans.js';

const held = anAsset('BAT-12345', { status: 'ISSUED', holder_plan_id: 'plan-1' });
const fresh = anAsset('BAT-67890');
const seedSwap: SwapRequest = {
  incomingId: 'BAT-12345',
  incoming: { kwh: 4.8 },
  outgoingId: 'BAT-67890',
  outgoing: { kwh: 30.4 },
  station: 'STATION_XYZ',
  toleranceKwh: 0.5,
};
const request = { action: 'EQUIPMENT_CHECKOUT', correlation_id: 'c-9' };

const planAt = (swaps: string, kwh: string, template: PlanTemplate = kenyaTemplate()): PlanView =>
  aPlanView({ template }, { swaps, kwh });
const swapIn = (ctx: AgentContext, req: Partial<SwapRequest> = {}): Swap => {
  const swap = computeSwap(ctx, { ...seedSwap, ...req });
  if (!isSwap(swap)) throw new Error(swap.signals.join(','));
  return swap;
};
const priceOf = (price: string, decimals = 2) =>
  kenyaTemplate((t) => ({
    ...t,
    billing: { ...t.billing, currency_decimals: decimals },
    service_configurations: t.service_configurations.map((c) =>
      c.service_id === ENERGY ? { ...c, unit_price: price } : c,
    ),
  }));

describe('topupRequired: what the customer must buy, at the template prices', () => {
  it('swaps alone: 1 swap at 2.50 USD', () => {
    const ctx = aContext(planAt('10', '0'), [held, fresh]);
    expect(topupRequired(ctx, swapIn(ctx))).toEqual({
      swaps: 1,
      estimated_cost: 2.5,
      currency: 'USD',
      estimated_cost_usd: 2.5,
    });
  });

  it('energy alone: 0.1 kWh at 0.80 USD = 0.08 USD', () => {
    const ctx = aContext(planAt('6', '374.5'), [held, fresh]);
    expect(topupRequired(ctx, swapIn(ctx))).toEqual({
      amount_kwh: 0.1,
      estimated_cost: 0.08,
      currency: 'USD',
      estimated_cost_usd: 0.08,
    });
  });

  it('both: costs add up (1 swap + 25.6 kWh = 2.50 + 20.48)', () => {
    const ctx = aContext(planAt('10', '400'), [held, fresh]);
    expect(topupRequired(ctx, swapIn(ctx))).toEqual({
      swaps: 1,
      amount_kwh: 25.6,
      estimated_cost: 22.98,
      currency: 'USD',
      estimated_cost_usd: 22.98,
    });
  });

  // The estimate is rounded up to the currency's decimals: a customer who pays it can always afford the swap.
  it.each([
    ['0.85', 2, 0.09], // 0.1 kWh × 0.85 = 0.085 → 0.09
    ['0.81', 2, 0.09], // 0.081 → 0.09, where half up would give 0.08
    ['0.8', 2, 0.08], // 0.08 exactly
    ['0.89', 2, 0.09], // 0.089 → 0.09
    ['4', 0, 1], // 0.4 → 1 with no decimals (XOF-like)
  ] as const)('0.1 kWh at %s with %i decimals → %d', (price, decimals, cost) => {
    const ctx = aContext(planAt('6', '374.5', priceOf(price, decimals)), [held, fresh]);
    expect(topupRequired(ctx, swapIn(ctx))).toMatchObject({ estimated_cost: cost });
  });

  it('no estimated_cost_usd in another currency', () => {
    const template = kenyaTemplate((t) => ({ ...t, currency: 'KES' }));
    const ctx = aContext(planAt('6', '374.5', template), [held, fresh]);
    expect(topupRequired(ctx, swapIn(ctx))).toEqual({
      amount_kwh: 0.1,
      estimated_cost: 0.08,
      currency: 'KES',
    });
  });
});

describe('a shortfall of a service the template no longer has (built by hand)', () => {
  // swapUsage only builds updates for the template's services; these defaults guard the exported functions.
  const ctx = aContext(planAt('6', '374.5'), [held, fresh]);
  const gone = {
    ...swapIn(ctx),
    shortfalls: [
      {
        service_id: 'svc-gone',
        usage_metric: 'COUNT' as const,
        remaining_before: dec('0.25'),
        required: dec('1.5'),
        deficit: dec('1.25'),
      },
    ],
  };

  it('topupRequired: whole units (precision 0), costing nothing (no price)', () => {
    expect(topupRequired(ctx, gone)).toEqual({
      swaps: 1,
      estimated_cost: 0,
      currency: 'USD',
      estimated_cost_usd: 0,
    });
  });

  it('quotaExhaustedResult: the service named, its figures in whole units', () => {
    expect(quotaExhaustedResult(ctx, request, gone).metadata.exhausted_services).toEqual([
      { service_id: 'svc-gone', remaining_before: 0, required: 2, deficit: 1 },
    ]);
  });
});

describe('quotaExhaustedResult: the full refusal', () => {
  it('energy exhausted by 0.1 kWh (25.5 left, 25.6 needed)', () => {
    const ctx = aContext(planAt('6', '374.5'), [held, fresh]);
    const swap = swapIn(ctx);
    const exhausted = [{ service_id: ENERGY, remaining_before: 25.5, required: 25.6, deficit: 0.1 }];
    const topup = { amount_kwh: 0.1, estimated_cost: 0.08, currency: 'USD', estimated_cost_usd: 0.08 };
    expect(quotaExhaustedResult(ctx, request, swap)).toEqual({
      success: false,
      signals: ['QUOTA_EXHAUSTED'],
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
            correlation_id: 'c-9',
            source_action: 'EQUIPMENT_CHECKOUT',
            exhausted_services: exhausted,
            topup_required: topup,
          },
        },
      ],
      error: { code: 'QUOTA_EXHAUSTED', message: `quota exhausted for ${ENERGY}`, details: [] },
    });
  });

  it('both services: both named, the swap flags kept after QUOTA_EXHAUSTED', () => {
    const ctx = aContext(planAt('10', '400'), [held, fresh]);
    const swap = swapIn(ctx, { incoming: { kwh: 31 } });
    const result = quotaExhaustedResult(ctx, request, swap);
    expect(result.signals).toEqual(['QUOTA_EXHAUSTED', 'NEGATIVE_NET_ENERGY']);
    expect(result.error?.message).toBe(`quota exhausted for ${SWAPS}`);
    const both = quotaExhaustedResult(ctx, request, swapIn(ctx));
    expect(both.error?.message).toBe(`quota exhausted for ${SWAPS}, ${ENERGY}`);
    expect(both.metadata.exhausted_services).toEqual([
      { service_id: SWAPS, remaining_before: 0, required: 1, deficit: 1 },
      { service_id: ENERGY, remaining_before: 0, required: 25.6, deficit: 25.6 },
    ]);
  });

  it('electricity tracking off: no electricity figures', () => {
    const template = kenyaTemplate((t) => ({
      ...t,
      agent_params: {
        ...t.agent_params,
        electricity_tracking: { ...t.agent_params.electricity_tracking, enabled: false },
      },
    }));
    const ctx = aContext(planAt('10', '400', template), [held, fresh]);
    const result = quotaExhaustedResult(ctx, request, swapIn(ctx));
    expect(result.metadata).toEqual({
      outgoing_battery_id: 'BAT-67890',
      incoming_battery_id: 'BAT-12345',
      exhausted_services: [{ service_id: SWAPS, remaining_before: 0, required: 1, deficit: 1 }],
      topup_required: { swaps: 1, estimated_cost: 2.5, currency: 'USD', estimated_cost_usd: 2.5 },
    });
  });
});

describe('eventTopics and serviceCompletedEvent', () => {
  it('the topics of SPEC §2.4', () => {
    expect(eventTopics.serviceCompleted('P')).toBe('event/abs/service/plan/P/service_completed');
    expect(eventTopics.quotaExhausted('P')).toBe('event/abs/service/plan/P/quota_exhausted');
    expect(eventTopics.paymentReceived('P')).toBe('event/abs/payment/plan/P/payment_received');
  });

  it('the service_completed event of the seed swap', () => {
    const ctx = aContext(aPlanView(), [held, fresh]);
    const swap = swapIn(ctx);
    const input = {
      source_action: 'EQUIPMENT_CHECKOUT',
      correlation_id: 'c-9',
      attendant_id: 'ATT-1',
      station: 'STATION_XYZ',
      swap,
    };
    const payload = {
      event_type: 'SERVICE_COMPLETED',
      plan_id: 'plan-1',
      customer_id: 'CUST-001',
      service_data: {
        source_action: 'EQUIPMENT_CHECKOUT',
        transaction_id: 'c-9',
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
        transaction_id: 'c-9',
        attendant_id: 'ATT-1',
        station: 'STATION_XYZ',
        correlation_id: 'c-9',
      },
      fsm_inputs: [{ cycle: 'service_cycle', input: 'BATTERY_ISSUED' }],
    };
    expect(serviceCompletedEvent(ctx, input)).toEqual({
      kind: 'event',
      event_type: 'SERVICE_COMPLETED',
      topic: 'event/abs/service/plan/plan-1/service_completed',
      payload,
    });
    const paid = serviceCompletedEvent(ctx, { ...input, payment: { amount: 5 } });
    expect(paid.kind === 'event' && paid.payload.service_data).toMatchObject({ payment: { amount: 5 } });
  });

  it('first visit: no returned battery and no incoming source', () => {
    const plan = aPlanView({
      serviceStates: aPlanView().serviceStates.map((s) => ({ ...s, current_asset: null })),
    });
    const ctx = aContext(plan, [fresh]);
    const swap = swapIn(ctx, { incomingId: null, incoming: {} });
    const event = serviceCompletedEvent(ctx, {
      source_action: 'EQUIPMENT_CHECKOUT',
      correlation_id: 'c-9',
      attendant_id: null,
      station: null,
      swap,
    });
    expect(event.kind === 'event' && event.payload.service_data).toMatchObject({
      batteries_swapped: { returned: null, issued: 'BAT-67890' },
      kwh_sources: { incoming: null, outgoing: 'app' },
      electricity_delivered_kwh: 30.4,
    });
  });
});

describe('planSummary (IDENTIFY_CUSTOMER)', () => {
  it('the seed customer', () => {
    const plan = aPlanView({
      cycles: {
        service_cycle: { state: 'BATTERY_ISSUED', deadline_at: null, deadline_input: null },
        payment_cycle: {
          state: 'CURRENT',
          deadline_at: '2026-01-12T08:00:00.000Z',
          deadline_input: 'RENEWAL_DUE_REACHED',
        },
      },
    });
    expect(planSummary(plan)).toEqual({
      plan_id: 'plan-1',
      customer_id: 'CUST-001',
      plan_status: 'ACTIVE',
      template_id: 'bss-template-weekly-freedom-nairobi-v2',
      template_version: 2,
      template_name: 'Weekly Freedom Nairobi (premium)',
      currency: 'USD',
      serviceStates: [
        {
          service_id: SWAPS,
          used: 6,
          quota: 10,
          current_asset: 'BAT-12345',
          unit: 'swap',
          unlimited: false,
          remaining: 4,
          remaining_text: '4 of 10',
        },
        {
          service_id: ENERGY,
          used: 344.5,
          quota: 400,
          current_asset: null,
          unit: 'kWh',
          unlimited: false,
          remaining: 55.5,
          remaining_text: '55.5 kWh of 400 kWh',
        },
        {
          service_id: NETWORK,
          used: 0,
          quota: 100000000,
          current_asset: null,
          unit: 'access',
          unlimited: true,
          remaining: null,
          remaining_text: 'unlimited',
        },
      ],
      current_asset: 'BAT-12345',
      service_cycle: 'BATTERY_ISSUED',
      payment_cycle: 'CURRENT',
      payment_due_at: '2026-01-12T08:00:00.000Z',
      prices: [
        { service_id: SWAPS, unit: 'swap', unit_price: 2.5 },
        { service_id: ENERGY, unit: 'kWh', unit_price: 0.8 },
        { service_id: NETWORK, unit: 'access', unit_price: 0 },
      ],
      renewal_price: 25,
      electricity_tracking_enabled: true,
    });
  });

  it('a state whose service the template no longer lists: precision 0, no unit, no text', () => {
    const plan = aPlanView({
      serviceStates: [{ service_id: 'svc-old', used: '1.6', quota: '10', current_asset: null }],
    });
    expect(planSummary(plan)).toMatchObject({
      serviceStates: [
        {
          service_id: 'svc-old',
          used: 2,
          quota: 10,
          current_asset: null,
          unit: null,
          unlimited: false,
          remaining: 8,
          remaining_text: null,
        },
      ],
      current_asset: null,
    });
  });
});
