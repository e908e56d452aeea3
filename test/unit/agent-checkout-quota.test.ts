import { describe, expect, it } from 'vitest';
import {
  type EquipmentCheckoutRequest,
  equipmentCheckout,
} from '../../agents/equipment-checkout/equipment-checkout.handler.js';
import type { PlanView } from '../../agents/shared/plan.types.js';
import { aContext, anAsset, aPlanView } from '../builders/plan-view.js';
import { ENERGY, SWAPS } from '../builders/plans.js';

const settings = { kwhToleranceKwh: 0.5 };
const held = anAsset('BAT-12345', { status: 'ISSUED', holder_plan_id: 'plan-1' });
const fresh = anAsset('BAT-67890');
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
const decide = (plan: PlanView, change: Partial<EquipmentCheckoutRequest> = {}) =>
  equipmentCheckout.decide(aContext(plan, [held, fresh]), { ...request, ...change }, settings);

describe('EQUIPMENT_CHECKOUT at the quota boundaries (net 25.6 kWh, one swap)', () => {
  // remaining kWh = 400 − used
  it.each([
    ['374.3', true], // 25.7 left
    ['374.4', true], // 25.6 left: exactly enough
    ['374.5', false], // 25.5 left: 0.1 short
    ['400', false],
  ] as const)('energy %s of 400 kWh used → success %s', (used, ok) => {
    const result = decide(aPlanView({}, { swaps: '6', kwh: used }));
    expect(result.success).toBe(ok);
    expect(result.signals[0]).toBe(ok ? 'QUOTA_AVAILABLE' : 'QUOTA_EXHAUSTED');
  });

  it.each([
    ['8', true],
    ['9', true], // the last swap
    ['10', false],
  ] as const)('swaps %s of 10 used → success %s', (used, ok) => {
    expect(decide(aPlanView({}, { swaps: used, kwh: '0' })).success).toBe(ok);
  });

  it('running out of energy: the full refusal, with its cycle input and event, and nothing applied', () => {
    const result = decide(aPlanView({}, { swaps: '6', kwh: '374.5' }));
    const exhausted = [{ service_id: ENERGY, remaining_before: 25.5, required: 25.6, deficit: 0.1 }];
    const topup = { amount_kwh: 0.1, estimated_cost: 0.08, currency: 'USD', estimated_cost_usd: 0.08 };
    expect(result).toEqual({
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
            correlation_id: 'c-1',
            source_action: 'EQUIPMENT_CHECKOUT',
            exhausted_services: exhausted,
            topup_required: topup,
          },
        },
      ],
      error: { code: 'QUOTA_EXHAUSTED', message: `quota exhausted for ${ENERGY}`, details: [] },
    });
  });

  it('the seed swap: the full success', () => {
    const result = decide(aPlanView());
    const quotaUpdates = [
      { service_id: SWAPS, used_before: 6, used_after: 7, increment: 1 },
      { service_id: ENERGY, used_before: 344.5, used_after: 370.1, increment: 25.6 },
    ];
    expect(result).toEqual({
      success: true,
      signals: ['QUOTA_AVAILABLE', 'EQUIPMENT_CHECKOUT_SUCCESS'],
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
        quota_check: {
          remaining_before: 55.5,
          net_required: 25.6,
          remaining_after: 29.9,
          status: 'sufficient',
        },
        quota_updates: quotaUpdates,
        current_asset: 'BAT-67890',
        net_delivered_kwh: 25.6,
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
          payload: {
            event_type: 'SERVICE_COMPLETED',
            plan_id: 'plan-1',
            customer_id: 'CUST-001',
            service_data: {
              source_action: 'EQUIPMENT_CHECKOUT',
              transaction_id: 'c-1',
              batteries_swapped: { returned: 'BAT-12345', issued: 'BAT-67890' },
              electricity_delivered_kwh: 25.6,
              kwh_sources: { incoming: 'app', outgoing: 'app' },
              quota_updates: quotaUpdates,
              payment: null,
            },
            service_context: {
              transaction_id: 'c-1',
              attendant_id: 'ATT-1',
              station: 'STATION_XYZ',
              correlation_id: 'c-1',
            },
            fsm_inputs: [{ cycle: 'service_cycle', input: 'BATTERY_ISSUED' }],
          },
        },
      ],
    });
  });

  it('declares both batteries; without attendant fields the event carries nulls', () => {
    expect(equipmentCheckout.readOnly).toBe(false);
    expect(equipmentCheckout.assetIds(request)).toEqual(['BAT-67890', 'BAT-12345']);
    expect(equipmentCheckout.assetIds({ ...request, incoming_equipment_id: null })).toEqual(['BAT-67890']);
    const result = decide(aPlanView(), { attendant_id: undefined, attendant_station: undefined });
    const event = result.effects.find((e) => e.kind === 'event');
    expect(event?.kind === 'event' && event.payload.service_context).toEqual({
      transaction_id: 'c-1',
      attendant_id: null,
      station: null,
      correlation_id: 'c-1',
    });
    expect(result.effects).toContainEqual({
      kind: 'asset',
      asset_id: 'BAT-12345',
      status: 'IN_STOCK',
      holder_plan_id: null,
      station_id: 'STATION_XYZ',
    });
  });

  it("the returned battery goes to the attendant's station, else back to its own", () => {
    const away = decide(aPlanView(), { attendant_station: 'STATION_ABC' });
    expect(away.effects).toContainEqual({
      kind: 'asset',
      asset_id: 'BAT-12345',
      status: 'IN_STOCK',
      holder_plan_id: null,
      station_id: 'STATION_ABC',
    });
  });

  it('first visit: incoming_battery_id is null in the answer', () => {
    const plan = aPlanView({
      serviceStates: aPlanView().serviceStates.map((s) => ({ ...s, current_asset: null })),
    });
    const result = equipmentCheckout.decide(
      aContext(plan, [fresh]),
      { ...request, incoming_equipment_id: undefined, incoming_kwh: null },
      settings,
    );
    expect(result.metadata).toMatchObject({ incoming_battery_id: null, net_delivered_kwh: 30.4 });
  });

  it('an inactive plan cannot swap; the same battery cannot be returned and issued', () => {
    expect(decide(aPlanView({ status: 'SUSPENDED' })).signals).toEqual(['PLAN_NOT_ACTIVE']);
    expect(decide(aPlanView(), { replacement_equipment_id: 'BAT-12345' }).signals).toEqual([
      'VALIDATION_FAILED',
    ]);
  });
});
