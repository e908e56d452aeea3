import { describe, expect, it } from 'vitest';
import { dec } from '../../agents/shared/decimal.js';
import type { ServiceConfig, ServiceStateView } from '../../agents/shared/plan.types.js';
import {
  countsSwaps,
  describeRemaining,
  energyService,
  type QuotaUpdate,
  quotaUpdatesWire,
  remaining,
  serviceConfig,
  shortfalls,
  stateOf,
  swapUsage,
  trackingService,
} from '../../agents/shared/quota.js';
import { aPlanView, kenyaTemplate } from '../builders/plan-view.js';
import { ENERGY, NETWORK, SWAPS } from '../builders/plans.js';

const config = (change: Partial<ServiceConfig>): ServiceConfig => ({
  service_id: 'svc',
  quota: 10,
  tracks_asset: false,
  unit: 'unit',
  decimal_precision: 0,
  usage_metric: 'COUNT',
  unit_price: '1',
  ...change,
});

const state = (used: string, quota: string): ServiceStateView => ({
  service_id: 'svc',
  used,
  quota,
  current_asset: null,
});

/** The seed's plan with the energy service at `used` of `quota` kWh and swaps at `swaps` of 10. */
const planAt = (kwhUsed: string, kwhQuota = '400', swaps = '6') =>
  aPlanView({
    serviceStates: aPlanView().serviceStates.map((s) =>
      s.service_id === ENERGY
        ? { ...s, used: kwhUsed, quota: kwhQuota }
        : s.service_id === SWAPS
          ? { ...s, used: swaps }
          : s,
    ),
  });

describe('countsSwaps', () => {
  it.each([
    [{ usage_metric: 'COUNT', tracks_asset: true }, true],
    [{ usage_metric: 'COUNT', tracks_asset: false }, false],
    [{ usage_metric: 'ENERGY', tracks_asset: true }, false],
    [{ usage_metric: 'ENERGY', tracks_asset: false }, false],
    [{ usage_metric: 'COUNT', tracks_asset: false, counts_swaps: true }, true],
    [{ usage_metric: 'COUNT', tracks_asset: true, counts_swaps: false }, false],
    [{ usage_metric: 'DURATION', tracks_asset: false, counts_swaps: true }, true],
  ] as const)('%o → %s', (change, expected) => {
    expect(countsSwaps(config(change))).toBe(expected);
  });
});

describe('looking services up', () => {
  const plan = aPlanView();

  it('finds a service configuration and its state by id, and nothing for an unknown id', () => {
    expect(serviceConfig(plan, ENERGY)?.unit).toBe('kWh');
    expect(serviceConfig(plan, 'svc-unknown')).toBeUndefined();
    expect(stateOf(plan, ENERGY)?.used).toBe('344.5');
    expect(stateOf(plan, 'svc-unknown')).toBeUndefined();
  });

  it('the tracking service is the one that tracks the battery', () => {
    expect(trackingService(plan)).toEqual({
      service_id: SWAPS,
      used: '6',
      quota: '10',
      current_asset: 'BAT-12345',
    });
  });

  it('a template without a tracking service has none', () => {
    const template = kenyaTemplate((t) => ({
      ...t,
      service_configurations: t.service_configurations.map((c) => ({ ...c, tracks_asset: false })),
    }));
    expect(trackingService(aPlanView({ template }))).toBeUndefined();
  });

  it('the energy service is the ENERGY one, with its state; none when either is missing', () => {
    expect(energyService(plan)).toEqual({
      config: serviceConfig(plan, ENERGY),
      state: stateOf(plan, ENERGY),
    });
    const noState = aPlanView({ serviceStates: plan.serviceStates.filter((s) => s.service_id !== ENERGY) });
    expect(energyService(noState)).toBeUndefined();
    const template = kenyaTemplate((t) => ({
      ...t,
      service_configurations: t.service_configurations.filter((c) => c.usage_metric !== 'ENERGY'),
    }));
    expect(energyService(aPlanView({ template }))).toBeUndefined();
  });

  it('remaining is quota minus used, exactly', () => {
    expect(remaining(state('344.5', '400')).toFixed()).toBe('55.5');
    expect(remaining(state('0.3', '0.4')).toFixed()).toBe('0.1');
  });
});

describe('swapUsage: what one swap uses', () => {
  it('one swap of the swap-counting service and the net kWh of the energy service', () => {
    const updates = swapUsage(aPlanView(), dec('25.6'), true);
    expect(updates.map((u) => ({ ...u, ...wire(u) }))).toEqual([
      {
        service_id: SWAPS,
        used_before: '6',
        used_after: '7',
        increment: '1',
        quota: '10',
        precision: 0,
      },
      {
        service_id: ENERGY,
        used_before: '344.5',
        used_after: '370.1',
        increment: '25.6',
        quota: '400',
        precision: 1,
      },
    ]);
  });

  it('the energy increment is rounded half up to the service precision', () => {
    const energy = (net: string) =>
      swapUsage(aPlanView(), dec(net), true)
        .find((u) => u.service_id === ENERGY)
        ?.increment.toFixed();
    expect(energy('25.65')).toBe('25.7');
    expect(energy('25.649')).toBe('25.6');
    expect(energy('0.05')).toBe('0.1');
  });

  it('electricity tracking off: the swap count only', () => {
    expect(swapUsage(aPlanView(), dec('25.6'), false).map((u) => u.service_id)).toEqual([SWAPS]);
  });

  it('a service without a state on the plan is skipped', () => {
    const plan = aPlanView({
      serviceStates: aPlanView().serviceStates.filter((s) => s.service_id !== SWAPS),
    });
    expect(swapUsage(plan, dec('1'), true).map((u) => u.service_id)).toEqual([ENERGY]);
  });

  it('the network access service (COUNT, no battery) is not used by a swap', () => {
    expect(swapUsage(aPlanView(), dec('1'), true).map((u) => u.service_id)).not.toContain(NETWORK);
  });
});

describe('shortfalls: a service whose quota the swap would exceed', () => {
  // 344.5 of 400 kWh used: 55.5 kWh left.
  it.each([
    ['55.4', []],
    ['55.5', []],
    ['55.6', [{ remaining_before: '55.5', required: '55.6', deficit: '0.1' }]],
    ['60', [{ remaining_before: '55.5', required: '60', deficit: '4.5' }]],
  ] as const)('energy: %s kWh needed of 55.5 left → %o', (net, expected) => {
    const plan = aPlanView();
    const found = shortfalls(plan, swapUsage(plan, dec(net), true));
    expect(found.map(shortfallWire)).toEqual(
      expected.map((e) => ({ service_id: ENERGY, usage_metric: 'ENERGY', ...e })),
    );
  });

  it.each([
    ['8', []],
    ['9', []],
    ['10', [{ remaining_before: '0', required: '1', deficit: '1' }]],
  ] as const)('swaps: %s of 10 used → %o', (used, expected) => {
    const plan = planAt('0', '400', used);
    const found = shortfalls(plan, swapUsage(plan, dec('1'), true));
    expect(found.map(shortfallWire)).toEqual(
      expected.map((e) => ({ service_id: SWAPS, usage_metric: 'COUNT', ...e })),
    );
  });

  it('both services at once', () => {
    const plan = planAt('399.9', '400', '10');
    expect(shortfalls(plan, swapUsage(plan, dec('0.2'), true)).map((s) => s.service_id)).toEqual([
      SWAPS,
      ENERGY,
    ]);
  });

  it('an unlimited quota (≥ 10,000,000) never runs short, a quota just below does', () => {
    const over = (quota: string) => {
      const plan = planAt('9999990', quota);
      return shortfalls(plan, swapUsage(plan, dec('30'), true)).map((s) => s.service_id);
    };
    expect(over('10000000')).toEqual([]);
    expect(over('9999999.9')).toEqual([ENERGY]);
  });

  it('an update for a service the template does not list counts as COUNT', () => {
    const update: QuotaUpdate = {
      service_id: 'svc-gone',
      used_before: dec(3),
      used_after: dec(4),
      increment: dec(1),
      quota: dec(3),
      precision: 0,
    };
    expect(shortfalls(aPlanView(), [update]).map(shortfallWire)).toEqual([
      { service_id: 'svc-gone', usage_metric: 'COUNT', remaining_before: '0', required: '1', deficit: '1' },
    ]);
  });
});

describe('quotaUpdatesWire', () => {
  it('JSON numbers at each service precision', () => {
    const updates = swapUsage(aPlanView(), dec('25.6'), true);
    expect(quotaUpdatesWire(updates)).toEqual([
      { service_id: SWAPS, used_before: 6, used_after: 7, increment: 1 },
      { service_id: ENERGY, used_before: 344.5, used_after: 370.1, increment: 25.6 },
    ]);
  });
});

describe('describeRemaining', () => {
  const energy = config({ usage_metric: 'ENERGY', unit: 'kWh', decimal_precision: 1 });
  it.each([
    [energy, state('344.5', '400'), '55.5 kWh of 400 kWh'],
    [energy, state('370.1', '400'), '29.9 kWh of 400 kWh'],
    [energy, state('345', '400'), '55.0 kWh of 400 kWh'],
    [energy, state('400', '400'), '0.0 kWh of 400 kWh'],
    [energy, state('0', '10000000'), 'unlimited'],
    [config({}), state('7', '10'), '3 of 10'],
    [config({}), state('0', '9999999'), '9999999 of 9999999'],
    [config({}), state('0', '100000000'), 'unlimited'],
  ] as const)('%o, %o → %s', (c, s, expected) => {
    expect(describeRemaining(c, s)).toBe(expected);
  });
});

function wire(u: QuotaUpdate) {
  return {
    used_before: u.used_before.toFixed(),
    used_after: u.used_after.toFixed(),
    increment: u.increment.toFixed(),
    quota: u.quota.toFixed(),
  };
}

function shortfallWire(s: ReturnType<typeof shortfalls>[number]) {
  return {
    service_id: s.service_id,
    usage_metric: s.usage_metric,
    remaining_before: s.remaining_before.toFixed(),
    required: s.required.toFixed(),
    deficit: s.deficit.toFixed(),
  };
}
