import { describe, expect, it } from 'vitest';
import { equipmentCheckout } from '../../agents/equipment-checkout/equipment-checkout.handler.js';
import { aContext, anAsset, aPlanView, kenyaTemplate } from '../builders/plan-view.js';
import { ENERGY, SWAPS } from '../builders/plans.js';

const settings = { kwhToleranceKwh: 0.5 };
const held = anAsset('BAT-12345', { status: 'ISSUED', holder_plan_id: 'plan-1' });
const fresh = anAsset('BAT-67890');
const request = {
  action: 'EQUIPMENT_CHECKOUT',
  correlation_id: 'c-1',
  incoming_equipment_id: 'BAT-12345',
  incoming_kwh: 4.8,
  replacement_equipment_id: 'BAT-67890',
  outgoing_kwh: 30.4,
};

/** The agent is a pure function: a plan and batteries in, a decision out — no broker, no database. */
describe('EQUIPMENT_CHECKOUT decision', () => {
  it('counts net kWh exactly: 344.5 + 25.6 = 370.1, never a binary-float neighbour', () => {
    const result = equipmentCheckout.decide(aContext(aPlanView(), [held, fresh]), request, settings);
    expect(result.success).toBe(true);
    expect(result.metadata.quota_updates).toEqual([
      { service_id: SWAPS, used_before: 6, used_after: 7, increment: 1 },
      { service_id: ENERGY, used_before: 344.5, used_after: 370.1, increment: 25.6 },
    ]);
    expect(result.effects).toContainEqual({ kind: 'usage', service_id: ENERGY, increment: '25.6' });
    expect(result.effects).toContainEqual({
      kind: 'current_asset',
      service_id: SWAPS,
      asset_id: 'BAT-67890',
    });
  });

  it('first visit: incoming counts as 0', () => {
    const plan = aPlanView({
      serviceStates: aPlanView().serviceStates.map((s) => ({ ...s, current_asset: null })),
    });
    const result = equipmentCheckout.decide(
      aContext(plan, [fresh]),
      { ...request, incoming_equipment_id: null, incoming_kwh: null },
      settings,
    );
    expect(result.metadata.electricity_calculation).toMatchObject({
      incoming_kwh: 0,
      net_delivered_kwh: 30.4,
    });
  });

  it('a negative net counts as 0 and is flagged', () => {
    const result = equipmentCheckout.decide(
      aContext(aPlanView(), [held, fresh]),
      { ...request, incoming_kwh: 31, outgoing_kwh: 30.4 },
      settings,
    );
    expect(result.signals).toContain('NEGATIVE_NET_ENERGY');
    expect(result.metadata.electricity_calculation).toMatchObject({
      net_delivered_kwh: 0,
      negative_net_counted_as_zero: true,
    });
  });

  it('SOC-only readings become kWh with the battery capacity (95 % of 32 = 30.4)', () => {
    const result = equipmentCheckout.decide(
      aContext(aPlanView(), [held, fresh]),
      {
        ...request,
        incoming_kwh: null,
        incoming_soc_percent: 15,
        outgoing_kwh: null,
        outgoing_soc_percent: 95,
      },
      settings,
    );
    expect(result.metadata.electricity_calculation).toMatchObject({
      incoming_kwh: 4.8,
      outgoing_kwh: 30.4,
      net_delivered_kwh: 25.6,
      outgoing_kwh_source: 'soc_conversion',
    });
  });

  it('electricity_tracking.enabled = false: swap count only (the rollback switch)', () => {
    const template = kenyaTemplate((t) => ({
      ...t,
      agent_params: {
        ...t.agent_params,
        electricity_tracking: { ...t.agent_params.electricity_tracking, enabled: false },
      },
    }));
    const plan = aPlanView({ template }, { swaps: '6', kwh: '399.9' });
    const result = equipmentCheckout.decide(aContext(plan, [held, fresh]), request, settings);
    expect(result.success).toBe(true);
    expect(result.metadata.quota_updates).toEqual([
      { service_id: SWAPS, used_before: 6, used_after: 7, increment: 1 },
    ]);
    expect(result.metadata).not.toHaveProperty('electricity_calculation');
    expect(result.effects.filter((e) => e.kind === 'usage')).toEqual([
      { kind: 'usage', service_id: SWAPS, increment: '1' },
    ]);
  });

  it('the swap-count quota alone can be exhausted', () => {
    const result = equipmentCheckout.decide(
      aContext(aPlanView({}, { swaps: '10', kwh: '0' }), [held, fresh]),
      request,
      settings,
    );
    expect(result.signals).toEqual(['QUOTA_EXHAUSTED']);
    expect(result.metadata.topup_required).toEqual({
      swaps: 1,
      estimated_cost: 2.5,
      currency: 'USD',
      estimated_cost_usd: 2.5,
    });
  });

  it('unlimited quota (≥ 10,000,000) never runs out', () => {
    const plan = aPlanView({
      serviceStates: aPlanView().serviceStates.map((s) =>
        s.service_id === ENERGY ? { ...s, quota: '10000000', used: '9999999' } : s,
      ),
    });
    expect(equipmentCheckout.decide(aContext(plan, [held, fresh]), request, settings).success).toBe(true);
  });

  it('refuses while a deposit or final notice is unpaid', () => {
    for (const state of ['DEPOSIT_DUE', 'FINAL_DUE']) {
      const plan = aPlanView({
        cycles: { ...aPlanView().cycles, payment_cycle: { state, deadline_at: null, deadline_input: null } },
      });
      expect(equipmentCheckout.decide(aContext(plan, [held, fresh]), request, settings).signals).toEqual([
        'PAYMENT_REQUIRED',
      ]);
    }
  });

  it('requires the held battery back before issuing another', () => {
    const result = equipmentCheckout.decide(
      aContext(aPlanView(), [fresh]),
      { ...request, incoming_equipment_id: null },
      settings,
    );
    expect(result.signals).toEqual(['EQUIPMENT_RETURN_REQUIRED']);
  });

  it('prefers the hardware reading and flags a mismatch with the app', () => {
    const reading = {
      asset_id: 'BAT-12345',
      kwh_remaining: '6.1',
      timestamp: '2026-01-05T07:59:58Z',
      source: 'scanner' as const,
    };
    const result = equipmentCheckout.decide(
      aContext(aPlanView(), [held, fresh], [reading]),
      request,
      settings,
    );
    expect(result.signals).toContain('KWH_MISMATCH');
    expect(result.metadata.electricity_calculation).toMatchObject({
      incoming_kwh: 6.1,
      net_delivered_kwh: 24.3,
      incoming_kwh_source: 'scanner',
    });
  });

  it('ignores telemetry older than soc_telemetry_timeout_seconds', () => {
    const stale = {
      asset_id: 'BAT-12345',
      kwh_remaining: '6.1',
      timestamp: '2026-01-05T07:59:00Z',
      source: 'telemetry' as const,
    };
    const result = equipmentCheckout.decide(aContext(aPlanView(), [held, fresh], [stale]), request, settings);
    expect(result.metadata.electricity_calculation).toMatchObject({
      incoming_kwh: 4.8,
      incoming_kwh_source: 'app',
    });
  });
});
