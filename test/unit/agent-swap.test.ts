import { describe, expect, it } from 'vitest';
import { type AgentResult, invalidValue } from '../../agents/shared/agent.types.js';
import { dec } from '../../agents/shared/decimal.js';
import type { AgentContext, AssetView, PlanView } from '../../agents/shared/plan.types.js';
import {
  computeSwap,
  electricityCalculation,
  isSwap,
  quotaCheck,
  type Swap,
  type SwapRequest,
  swapEffects,
} from '../../agents/shared/swap.js';
import type { BatteryReading } from '../../src/ports/scanner.js';
import { aContext, anAsset, aPlanView, kenyaTemplate } from '../builders/plan-view.js';
import { ENERGY, SWAPS } from '../builders/plans.js';

const held = anAsset('BAT-12345', { status: 'ISSUED', holder_plan_id: 'plan-1', station_id: 'STATION_A' });
const fresh = anAsset('BAT-67890');
const seedSwap: SwapRequest = {
  incomingId: 'BAT-12345',
  incoming: { kwh: 4.8 },
  outgoingId: 'BAT-67890',
  outgoing: { kwh: 30.4 },
  station: 'STATION_XYZ',
  toleranceKwh: 0.5,
};

const swapOf = (ctx: AgentContext, req: Partial<SwapRequest> = {}): Swap => {
  const result = computeSwap(ctx, { ...seedSwap, ...req });
  if (!isSwap(result)) throw new Error(`expected a swap, got ${result.signals.join(',')}`);
  return result;
};
const refusalOf = (ctx: AgentContext, req: Partial<SwapRequest> = {}): AgentResult => {
  const result = computeSwap(ctx, { ...seedSwap, ...req });
  if (isSwap(result)) throw new Error('expected a refusal');
  return result;
};
const ctx = (
  plan: PlanView = aPlanView(),
  assets: AssetView[] = [held, fresh],
  readings: BatteryReading[] = [],
) => aContext(plan, assets, readings);
const withCheckin = (asset_id: string, kwh: string) =>
  aPlanView({
    returned: { asset_id, kwh, at: '2026-01-05T07:50:00Z' },
    serviceStates: aPlanView().serviceStates.map((s) => ({ ...s, current_asset: null })),
  });
const energyAt = (used: string, quota = '400') =>
  aPlanView({
    serviceStates: aPlanView().serviceStates.map((s) =>
      s.service_id === ENERGY ? { ...s, used, quota } : s,
    ),
  });

describe('computeSwap: the checks, in order', () => {
  it('the battery returned cannot be the one issued', () => {
    expect(refusalOf(ctx(), { outgoingId: 'BAT-12345' })).toEqual(
      invalidValue('/replacement_equipment_id', 'the issued battery cannot be the returned one'),
    );
  });

  it('an unpaid plan is refused before any battery check', () => {
    const plan = aPlanView({
      cycles: {
        ...aPlanView().cycles,
        payment_cycle: { state: 'FINAL_DUE', deadline_at: null, deadline_input: null },
      },
    });
    expect(refusalOf(ctx(plan, []), {}).signals).toEqual(['PAYMENT_REQUIRED']);
  });

  it('the returned battery is checked before the issued one', () => {
    const other = anAsset('BAT-12345', { status: 'ISSUED', holder_plan_id: 'plan-2' });
    expect(refusalOf(ctx(aPlanView(), [other]), {}).signals).toEqual(['EQUIPMENT_NOT_BELONGS_TO_USER']);
  });

  it('the issued battery must be in stock', () => {
    const faulted = anAsset('BAT-67890', { status: 'FAULTED' });
    expect(refusalOf(ctx(aPlanView(), [held, faulted]), {}).signals).toEqual(['EQUIPMENT_FAULTED']);
    expect(refusalOf(ctx(aPlanView(), [held]), {}).signals).toEqual(['EQUIPMENT_NOT_FOUND']);
  });

  it('with no battery returned, a plan holding one is asked for it', () => {
    expect(refusalOf(ctx(), { incomingId: null }).signals).toEqual(['EQUIPMENT_RETURN_REQUIRED']);
  });

  it('an unknown energy of the returned battery refuses on the incoming fields', () => {
    expect(refusalOf(ctx(), { incoming: {} })).toEqual(
      invalidValue(
        '/incoming_kwh',
        'no hardware reading of BAT-12345: incoming_kwh or incoming_soc_percent is required',
      ),
    );
  });

  it('an unknown energy of the issued battery: its charge is unknown, in full', () => {
    expect(refusalOf(ctx(), { outgoing: {} })).toEqual({
      success: false,
      signals: ['EQUIPMENT_CHARGE_UNKNOWN'],
      metadata: { equipment_id: 'BAT-67890' },
      fsmInputs: [],
      effects: [],
      error: {
        code: 'EQUIPMENT_CHARGE_UNKNOWN',
        message:
          'the station cannot read battery BAT-67890 and the request gives no outgoing kWh or SOC: its charge is unknown',
        details: [],
      },
    });
  });

  it('an outgoing kWh above capacity + 10 % refuses on the outgoing field (35.2 of 32 is the limit)', () => {
    expect(isSwap(computeSwap(ctx(), { ...seedSwap, outgoing: { kwh: 35.2 } }))).toBe(true);
    expect(refusalOf(ctx(), { outgoing: { kwh: 35.3 } })).toEqual(
      invalidValue('/outgoing_kwh', "35.3 kWh exceeds the battery's capacity 32 kWh + 10 %"),
    );
  });
});

describe('computeSwap: net energy', () => {
  it('the seed swap: 30.4 − 4.8 = 25.6 kWh', () => {
    const swap = swapOf(ctx());
    expect(swap.netKwh.toFixed()).toBe('25.6');
    expect(swap.flags).toEqual([]);
    expect(swap.shortfalls).toEqual([]);
    expect(swap.fromCheckin).toBe(false);
    expect(swap.request).toEqual(seedSwap);
    expect(swap.incoming).toEqual({ kwh: dec('4.8'), source: 'app', reading: null, mismatch: null });
    expect(swap.outgoing).toEqual({ kwh: dec('30.4'), source: 'app', reading: null, mismatch: null });
    expect(swap.updates.map((u) => [u.service_id, u.increment.toFixed()])).toEqual([
      [SWAPS, '1'],
      [ENERGY, '25.6'],
    ]);
  });

  it('first visit: nothing returned counts as 0 kWh', () => {
    const plan = aPlanView({
      serviceStates: aPlanView().serviceStates.map((s) => ({ ...s, current_asset: null })),
    });
    const swap = swapOf(ctx(plan, [fresh]), { incomingId: null, incoming: {} });
    expect(swap.incoming).toBeNull();
    expect(swap.netKwh.toFixed()).toBe('30.4');
  });

  it.each([
    [30.4, 30.4, '0', []],
    [30.4, 30.5, '0', ['NEGATIVE_NET_ENERGY']],
    [30.4, 30.3, '0.1', []],
  ] as const)('outgoing %d − incoming %d → net %s, flags %o', (outgoing, incoming, net, flags) => {
    const swap = swapOf(ctx(), { outgoing: { kwh: outgoing }, incoming: { kwh: incoming } });
    expect(swap.netKwh.toFixed()).toBe(net);
    expect(swap.flags).toEqual(flags);
  });

  it('KWH_MISMATCH when either side differs from the hardware by more than the tolerance', () => {
    const scan = (asset_id: string, kwh: string): BatteryReading => ({
      asset_id,
      kwh_remaining: kwh,
      timestamp: '2026-01-05T07:59:58Z',
      source: 'scanner',
    });
    expect(swapOf(ctx(aPlanView(), [held, fresh], [scan('BAT-12345', '5.4')])).flags).toEqual([
      'KWH_MISMATCH',
    ]);
    expect(swapOf(ctx(aPlanView(), [held, fresh], [scan('BAT-67890', '29.8')])).flags).toEqual([
      'KWH_MISMATCH',
    ]);
    expect(swapOf(ctx(aPlanView(), [held, fresh], [scan('BAT-67890', '29.9')])).flags).toEqual([]);
    const both = swapOf(
      ctx(aPlanView(), [held, fresh], [scan('BAT-12345', '31'), scan('BAT-67890', '30.4')]),
    );
    expect(both.flags).toEqual(['KWH_MISMATCH', 'NEGATIVE_NET_ENERGY']);
  });

  it('electricity tracking off: the swap count only', () => {
    const template = kenyaTemplate((t) => ({
      ...t,
      agent_params: {
        ...t.agent_params,
        electricity_tracking: { ...t.agent_params.electricity_tracking, enabled: false },
      },
    }));
    const swap = swapOf(ctx(aPlanView({ template })));
    expect(swap.updates.map((u) => u.service_id)).toEqual([SWAPS]);
  });

  it('the shortfalls of the swap are computed (55.5 kWh left, 55.6 needed)', () => {
    const swap = swapOf(ctx(), { outgoing: { kwh: 30.4 }, incoming: { kwh: 4.8 } });
    expect(swap.shortfalls).toEqual([]);
    const short = swapOf(ctx(energyAt('374.5')), {});
    expect(short.shortfalls.map((s) => [s.service_id, s.deficit.toFixed()])).toEqual([[ENERGY, '0.1']]);
  });
});

describe('computeSwap after an EQUIPMENT_CHECKIN', () => {
  const returned = anAsset('BAT-12345', { status: 'IN_STOCK', holder_plan_id: null });

  it('uses the checked-in battery and its recorded kWh, without checking it again', () => {
    for (const incomingId of [null, 'BAT-12345']) {
      const swap = swapOf(ctx(withCheckin('BAT-12345', '4.8'), [returned, fresh]), {
        incomingId,
        incoming: {},
      });
      expect(swap.fromCheckin).toBe(true);
      expect(swap.request.incomingId).toBe('BAT-12345');
      expect(swap.incoming).toEqual({ kwh: dec('4.8'), source: 'checkin', reading: null, mismatch: null });
      expect(swap.netKwh.toFixed()).toBe('25.6');
    }
  });

  it('rounds the net half up when the recorded kWh is finer than the precision (30.4 − 4.85 = 25.55 → 25.6)', () => {
    const swap = swapOf(ctx(withCheckin('BAT-12345', '4.85'), [returned, fresh]), { incomingId: null });
    expect(swap.netKwh.toFixed()).toBe('25.6');
    const below = swapOf(ctx(withCheckin('BAT-12345', '4.851'), [returned, fresh]), { incomingId: null });
    expect(below.netKwh.toFixed()).toBe('25.5');
  });

  it('a request naming another battery ignores the check-in and checks that battery', () => {
    const other = anAsset('BAT-55555', { status: 'ISSUED', holder_plan_id: 'plan-1' });
    const swap = swapOf(ctx(withCheckin('BAT-12345', '4.8'), [returned, other, fresh]), {
      incomingId: 'BAT-55555',
      incoming: { kwh: 2 },
    });
    expect(swap.fromCheckin).toBe(false);
    expect(swap.incoming?.source).toBe('app');
    expect(swap.netKwh.toFixed()).toBe('28.4');
    expect(
      refusalOf(ctx(withCheckin('BAT-12345', '4.8'), [returned, fresh]), { incomingId: 'BAT-12345X' })
        .signals,
    ).toEqual(['EQUIPMENT_NOT_FOUND']);
  });
});

describe('swapEffects', () => {
  it('usage of each service, the returned battery back in stock here, the new one issued and tracked', () => {
    expect(swapEffects(ctx(), swapOf(ctx()))).toEqual([
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
    ]);
  });

  it('no station in the request: the battery goes back to its own station, else none', () => {
    const swap = swapOf(ctx(), { station: null });
    expect(swapEffects(ctx(), swap)).toContainEqual({
      kind: 'asset',
      asset_id: 'BAT-12345',
      status: 'IN_STOCK',
      holder_plan_id: null,
      station_id: 'STATION_A',
    });
    const noStation = anAsset('BAT-12345', { status: 'ISSUED', holder_plan_id: 'plan-1', station_id: null });
    const c = ctx(aPlanView(), [noStation, fresh]);
    expect(swapEffects(c, swapOf(c, { station: null }))).toContainEqual({
      kind: 'asset',
      asset_id: 'BAT-12345',
      status: 'IN_STOCK',
      holder_plan_id: null,
      station_id: null,
    });
  });

  it('no station in the request and the returned battery not in the context: no station', () => {
    const swap = swapOf(ctx(), { station: null });
    expect(swapEffects(ctx(aPlanView(), [fresh]), swap)).toContainEqual({
      kind: 'asset',
      asset_id: 'BAT-12345',
      status: 'IN_STOCK',
      holder_plan_id: null,
      station_id: null,
    });
  });

  it('a zero net energy writes no energy usage', () => {
    const swap = swapOf(ctx(), { incoming: { kwh: 31 } });
    expect(swapEffects(ctx(), swap).filter((e) => e.kind === 'usage')).toEqual([
      { kind: 'usage', service_id: SWAPS, increment: '1' },
    ]);
  });

  it('after a check-in: the pending return is cleared instead of the battery being moved again', () => {
    const returned = anAsset('BAT-12345', { status: 'IN_STOCK', holder_plan_id: null });
    const c = ctx(withCheckin('BAT-12345', '4.8'), [returned, fresh]);
    expect(swapEffects(c, swapOf(c, { incomingId: null }))).toEqual([
      { kind: 'usage', service_id: SWAPS, increment: '1' },
      { kind: 'usage', service_id: ENERGY, increment: '25.6' },
      { kind: 'returned', asset_id: null, kwh: null },
      { kind: 'asset', asset_id: 'BAT-67890', status: 'ISSUED', holder_plan_id: 'plan-1' },
      { kind: 'current_asset', service_id: SWAPS, asset_id: 'BAT-67890' },
    ]);
  });

  it('first visit: no battery comes back', () => {
    const plan = aPlanView({
      serviceStates: aPlanView().serviceStates.map((s) => ({ ...s, current_asset: null })),
    });
    const c = ctx(plan, [fresh]);
    expect(swapEffects(c, swapOf(c, { incomingId: null, incoming: {} })).map((e) => e.kind)).toEqual([
      'usage',
      'usage',
      'asset',
      'current_asset',
    ]);
  });

  it('a template without a tracking service tracks no battery', () => {
    const template = kenyaTemplate((t) => ({
      ...t,
      service_configurations: t.service_configurations.map((c) => ({
        ...c,
        tracks_asset: false,
        counts_swaps: c.usage_metric === 'COUNT' && c.service_id === SWAPS,
      })),
    }));
    const c = ctx(aPlanView({ template }));
    expect(swapEffects(c, swapOf(c)).map((e) => e.kind)).toEqual(['usage', 'usage', 'asset', 'asset']);
  });
});

describe('electricityCalculation', () => {
  it('the seed swap', () => {
    expect(electricityCalculation(swapOf(ctx()), 1)).toEqual({
      incoming_kwh: 4.8,
      outgoing_kwh: 30.4,
      net_delivered_kwh: 25.6,
      incoming_kwh_source: 'app',
      outgoing_kwh_source: 'app',
    });
  });

  it('a negative net is shown as counted as zero; nothing returned shows 0 kWh and no source', () => {
    expect(electricityCalculation(swapOf(ctx(), { incoming: { kwh: 31 } }), 1)).toEqual({
      incoming_kwh: 31,
      outgoing_kwh: 30.4,
      net_delivered_kwh: 0,
      incoming_kwh_source: 'app',
      outgoing_kwh_source: 'app',
      negative_net_counted_as_zero: true,
    });
    const plan = aPlanView({
      serviceStates: aPlanView().serviceStates.map((s) => ({ ...s, current_asset: null })),
    });
    const first = swapOf(ctx(plan, [fresh]), { incomingId: null, incoming: {} });
    expect(electricityCalculation(first, 1)).toMatchObject({ incoming_kwh: 0, incoming_kwh_source: null });
  });
});

describe('quotaCheck: the energy quota before and after the swap', () => {
  // net 25.6 kWh
  it.each([
    ['344.5', { remaining_before: 55.5, net_required: 25.6, remaining_after: 29.9, status: 'sufficient' }],
    ['374.4', { remaining_before: 25.6, net_required: 25.6, remaining_after: 0, status: 'sufficient' }],
    ['374.5', { remaining_before: 25.5, net_required: 25.6, deficit_kwh: 0.1, status: 'exhausted' }],
    ['374.3', { remaining_before: 25.7, net_required: 25.6, remaining_after: 0.1, status: 'sufficient' }],
  ] as const)('%s of 400 kWh used → %o', (used, expected) => {
    const c = ctx(energyAt(used));
    expect(quotaCheck(c, swapOf(c))).toEqual(expected);
  });

  it('none without an energy service or with electricity tracking off', () => {
    const noEnergy = kenyaTemplate((t) => ({
      ...t,
      service_configurations: t.service_configurations.filter((c) => c.usage_metric !== 'ENERGY'),
    }));
    const c1 = ctx(aPlanView({ template: noEnergy }));
    expect(quotaCheck(c1, swapOf(c1))).toBeNull();
    const off = kenyaTemplate((t) => ({
      ...t,
      agent_params: {
        ...t.agent_params,
        electricity_tracking: { ...t.agent_params.electricity_tracking, enabled: false },
      },
    }));
    const c2 = ctx(aPlanView({ template: off }));
    expect(quotaCheck(c2, swapOf(c2))).toBeNull();
  });
});
