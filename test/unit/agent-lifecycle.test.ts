import { describe, expect, it } from 'vitest';
import { recoverBattery } from '../../agents/recover-battery/recover-battery.handler.js';
import { reportBatteryLost } from '../../agents/report-battery-lost/report-battery-lost.handler.js';
import type { AgentResult, Effect } from '../../agents/shared/agent.types.js';
import {
  applied,
  audited,
  heldBattery as heldBatteryOf,
  type OpsRequest,
  planClosed,
  unchanged,
} from '../../agents/shared/lifecycle.js';
import {
  auditRow as audit,
  batteryOpsRequest as batteryOps,
  opsContext as ctxOf,
  heldBattery as held,
  inServiceCycle as inCycle,
  opsRequest as ops,
  refusedWith as refused,
} from '../builders/ops.js';
import { anAsset, aPlanView } from '../builders/plan-view.js';
import { NETWORK, SWAPS } from '../builders/plans.js';

/* The shared lifecycle helpers (agents/shared/lifecycle.ts), REPORT_BATTERY_LOST and RECOVER_BATTERY. */

const settings = { kwhToleranceKwh: 0.5 };

describe('lifecycle: applied and unchanged', () => {
  it('applied: a success that says it changed something, with its inputs and effects', () => {
    const effects: Effect[] = [{ kind: 'plan_status', status: 'SUSPENDED' }];
    const inputs = [{ cycle: 'service_cycle' as const, input: 'PLAN_COMPLETED' }];
    expect(applied('SIG', { a: 1 }, inputs, effects)).toEqual({
      success: true,
      signals: ['SIG'],
      metadata: { a: 1, changed: true },
      fsmInputs: inputs,
      effects,
    });
  });

  it('applied: changed is true even when the metadata says otherwise', () => {
    expect(applied('SIG', { changed: false }, [], []).metadata).toEqual({ changed: true });
  });

  it('unchanged: a success that changes nothing', () => {
    expect(unchanged('SIG', { a: 1, changed: true })).toEqual({
      success: true,
      signals: ['SIG'],
      metadata: { a: 1, changed: false },
      fsmInputs: [],
      effects: [],
    });
  });

  it('planClosed: PLAN_CLOSED with the plan status', () => {
    const ctx = ctxOf({ status: 'COMPLETE' });
    expect(planClosed(ctx)).toEqual(
      refused('PLAN_CLOSED', 'plan plan-1 is closed (COMPLETE)', { plan_status: 'COMPLETE' }, []),
    );
  });
});

describe('lifecycle: audited', () => {
  const ctx = ctxOf();
  const kept: Effect = { kind: 'plan_status', status: 'ACTIVE' };
  const result = (change: Partial<AgentResult>): AgentResult => ({
    success: true,
    signals: ['S1', 'S2'],
    metadata: {},
    fsmInputs: [],
    effects: [kept],
    ...change,
  });

  it.each([
    ['applied (changed true)', { metadata: { changed: true } }, 'APPLIED'],
    ['applied (changed not said)', { metadata: {} }, 'APPLIED'],
    ['unchanged', { metadata: { changed: false } }, 'UNCHANGED'],
    [
      'refused with an error: its code',
      { success: false, error: { code: 'E_CODE', message: 'm', details: [] } },
      'E_CODE',
    ],
    ['refused without an error: its first signal', { success: false }, 'S1'],
    ['refused without an error or a signal', { success: false, signals: [] }, 'REFUSED'],
    [
      'a refusal that says changed false is still a refusal',
      { success: false, metadata: { changed: false } },
      'S1',
    ],
  ] as const)('the decision of %s', (_name, change, decision) => {
    const r = result(change as Partial<AgentResult>);
    const out = audited(ctx, 'op', ops('X'), r);
    expect(out).toEqual({
      ...r,
      effects: [
        kept,
        {
          kind: 'audit',
          audit_kind: 'ops:op',
          requester: 'OPS-7',
          decision,
          details: {
            correlation_id: 'ops-1',
            plan_id: 'plan-1',
            plan_status: 'ACTIVE',
            signals: r.signals,
            reason: 'customer request',
          },
        },
      ],
    });
  });

  it('no requester: null; no reason or an empty one: no reason; an asset_id: named', () => {
    const bare: OpsRequest = { action: 'X', correlation_id: 'ops-2' };
    expect(audited(ctx, 'op', bare, result({})).effects[1]).toEqual({
      kind: 'audit',
      audit_kind: 'ops:op',
      requester: null,
      decision: 'APPLIED',
      details: { correlation_id: 'ops-2', plan_id: 'plan-1', plan_status: 'ACTIVE', signals: ['S1', 'S2'] },
    });
    const battery = { ...bare, reason: '', asset_id: 'BAT-9' };
    expect(audited(ctx, 'op', battery, result({})).effects[1]).toMatchObject({
      details: { correlation_id: 'ops-2', plan_id: 'plan-1', plan_status: 'ACTIVE', asset_id: 'BAT-9' },
    });
    expect(
      Object.keys((audited(ctx, 'op', battery, result({})).effects[1] as { details: object }).details),
    ).toEqual(['correlation_id', 'plan_id', 'plan_status', 'signals', 'asset_id']);
  });
});

describe('lifecycle: heldBattery', () => {
  it('a battery of this plan is returned as it is', () => {
    expect(heldBatteryOf(ctxOf(), 'BAT-12345')).toBe(held);
  });

  it('an unregistered battery: EQUIPMENT_NOT_FOUND', () => {
    expect(heldBatteryOf(ctxOf(), 'BAT-0')).toEqual(
      refused('EQUIPMENT_NOT_FOUND', 'battery BAT-0 is not registered', { equipment_id: 'BAT-0' }, []),
    );
  });

  it.each([
    ['another plan', 'plan-9', 'ISSUED'],
    ['no plan (in stock)', null, 'IN_STOCK'],
  ] as const)('a battery held by %s: EQUIPMENT_NOT_BELONGS_TO_USER', (_name, holder, status) => {
    const asset = anAsset('BAT-5', { holder_plan_id: holder, status });
    expect(heldBatteryOf(ctxOf({}, [asset]), 'BAT-5')).toEqual(
      refused(
        'EQUIPMENT_NOT_BELONGS_TO_USER',
        'battery BAT-5 is not held by plan plan-1',
        { equipment_id: 'BAT-5', holder_plan_id: holder, status },
        [],
      ),
    );
  });
});

describe('REPORT_BATTERY_LOST', () => {
  it('declares its battery', () => {
    expect(reportBatteryLost.action).toBe('REPORT_BATTERY_LOST');
    expect(reportBatteryLost.readOnly).toBe(false);
    expect(reportBatteryLost.assetIds(batteryOps('REPORT_BATTERY_LOST'))).toEqual(['BAT-12345']);
  });

  it('the current battery: flagged LOST (still the plan’s), no longer current, the service_cycle told', () => {
    expect(reportBatteryLost.decide(ctxOf(), batteryOps('REPORT_BATTERY_LOST'), settings)).toEqual({
      success: true,
      signals: ['BATTERY_LOST_REPORTED'],
      metadata: { asset_id: 'BAT-12345', plan_id: 'plan-1', asset_status: 'LOST', changed: true },
      fsmInputs: [{ cycle: 'service_cycle', input: 'BATTERY_LOST_REPORTED' }],
      effects: [
        { kind: 'asset', asset_id: 'BAT-12345', status: 'LOST', holder_plan_id: 'plan-1' },
        { kind: 'current_asset', service_id: SWAPS, asset_id: null },
        audit('report_battery_lost', 'APPLIED', ['BATTERY_LOST_REPORTED'], { asset_id: 'BAT-12345' }),
      ],
    });
  });

  it('a battery of the plan that is not current (a replacement was issued): only flagged', () => {
    const other = anAsset('BAT-7', { status: 'ISSUED', holder_plan_id: 'plan-1' });
    const result = reportBatteryLost.decide(
      ctxOf({}, [held, other]),
      batteryOps('REPORT_BATTERY_LOST', { asset_id: 'BAT-7' }),
      settings,
    );
    expect(result.effects).toEqual([
      { kind: 'asset', asset_id: 'BAT-7', status: 'LOST', holder_plan_id: 'plan-1' },
      audit('report_battery_lost', 'APPLIED', ['BATTERY_LOST_REPORTED'], { asset_id: 'BAT-7' }),
    ]);
  });

  it('current on two services: both cleared', () => {
    const serviceStates = aPlanView().serviceStates.map((s) =>
      s.service_id === NETWORK ? { ...s, current_asset: 'BAT-12345' } : s,
    );
    const result = reportBatteryLost.decide(
      ctxOf({ serviceStates }),
      batteryOps('REPORT_BATTERY_LOST'),
      settings,
    );
    expect(result.effects.filter((e) => e.kind === 'current_asset')).toEqual([
      { kind: 'current_asset', service_id: SWAPS, asset_id: null },
      { kind: 'current_asset', service_id: NETWORK, asset_id: null },
    ]);
  });

  it('reported lost already: nothing but the audit row', () => {
    const lost = { ...held, status: 'LOST' as const };
    expect(reportBatteryLost.decide(ctxOf({}, [lost]), batteryOps('REPORT_BATTERY_LOST'), settings)).toEqual({
      success: true,
      signals: ['BATTERY_ALREADY_REPORTED_LOST'],
      metadata: { asset_id: 'BAT-12345', plan_id: 'plan-1', changed: false },
      fsmInputs: [],
      effects: [
        audit('report_battery_lost', 'UNCHANGED', ['BATTERY_ALREADY_REPORTED_LOST'], {
          asset_id: 'BAT-12345',
        }),
      ],
    });
  });

  it.each([
    [
      'unregistered',
      [],
      'EQUIPMENT_NOT_FOUND',
      'battery BAT-12345 is not registered',
      { equipment_id: 'BAT-12345' },
    ],
    [
      'held by another plan',
      [anAsset('BAT-12345', { status: 'ISSUED', holder_plan_id: 'plan-9' })],
      'EQUIPMENT_NOT_BELONGS_TO_USER',
      'battery BAT-12345 is not held by plan plan-1',
      { equipment_id: 'BAT-12345', holder_plan_id: 'plan-9', status: 'ISSUED' },
    ],
  ] as const)(
    'a battery %s is refused, keeping only the audit row',
    (_name, assets, signal, message, meta) => {
      const ctx = ctxOf({}, [...assets]);
      expect(reportBatteryLost.decide(ctx, batteryOps('REPORT_BATTERY_LOST'), settings)).toEqual(
        refused(signal, message, meta, [
          audit('report_battery_lost', signal, [signal], { asset_id: 'BAT-12345' }),
        ]),
      );
    },
  );
});

describe('RECOVER_BATTERY', () => {
  const lost = anAsset('BAT-12345', { status: 'LOST', holder_plan_id: 'plan-1', station_id: 'STATION_HOME' });
  const lostPlan = { cycles: inCycle('BATTERY_LOST') };

  it('declares its battery', () => {
    expect(recoverBattery.action).toBe('RECOVER_BATTERY');
    expect(recoverBattery.readOnly).toBe(false);
    expect(recoverBattery.assetIds(batteryOps('RECOVER_BATTERY'))).toEqual(['BAT-12345']);
  });

  it('back at the station named: in stock there, no holder; the service_cycle told while BATTERY_LOST', () => {
    const req = batteryOps('RECOVER_BATTERY', { station_id: 'STATION_XYZ' });
    expect(recoverBattery.decide(ctxOf(lostPlan, [lost]), req, settings)).toEqual({
      success: true,
      signals: ['BATTERY_RECOVERED'],
      metadata: {
        asset_id: 'BAT-12345',
        plan_id: 'plan-1',
        asset_status: 'IN_STOCK',
        station_id: 'STATION_XYZ',
        changed: true,
      },
      fsmInputs: [{ cycle: 'service_cycle', input: 'BATTERY_RECOVERED' }],
      effects: [
        {
          kind: 'asset',
          asset_id: 'BAT-12345',
          status: 'IN_STOCK',
          holder_plan_id: null,
          station_id: 'STATION_XYZ',
        },
        audit('recover_battery', 'APPLIED', ['BATTERY_RECOVERED'], { asset_id: 'BAT-12345' }),
      ],
    });
  });

  it('no station named: back at its home station; a replacement issued meanwhile: no cycle input', () => {
    const result = recoverBattery.decide(ctxOf({}, [lost]), batteryOps('RECOVER_BATTERY'), settings);
    expect(result.fsmInputs).toEqual([]);
    expect(result.metadata).toMatchObject({ station_id: 'STATION_HOME' });
    expect(result.effects[0]).toEqual({
      kind: 'asset',
      asset_id: 'BAT-12345',
      status: 'IN_STOCK',
      holder_plan_id: null,
      station_id: 'STATION_HOME',
    });
  });

  it.each(['ISSUED', 'IN_STOCK', 'FAULTED', 'RETIRED'] as const)(
    'a battery %s is not lost: refused',
    (status) => {
      const asset = { ...lost, status };
      expect(
        recoverBattery.decide(ctxOf(lostPlan, [asset]), batteryOps('RECOVER_BATTERY'), settings),
      ).toEqual(
        refused(
          'EQUIPMENT_NOT_LOST',
          `battery BAT-12345 is ${status}, not reported lost`,
          { equipment_id: 'BAT-12345', status },
          [audit('recover_battery', 'EQUIPMENT_NOT_LOST', ['EQUIPMENT_NOT_LOST'], { asset_id: 'BAT-12345' })],
        ),
      );
    },
  );

  it.each([
    [
      'unregistered',
      [],
      'EQUIPMENT_NOT_FOUND',
      'battery BAT-12345 is not registered',
      { equipment_id: 'BAT-12345' },
    ],
    [
      'lost by another plan',
      [{ ...lost, holder_plan_id: 'plan-9' }],
      'EQUIPMENT_NOT_BELONGS_TO_USER',
      'battery BAT-12345 is not held by plan plan-1',
      { equipment_id: 'BAT-12345', holder_plan_id: 'plan-9', status: 'LOST' },
    ],
  ] as const)(
    'a battery %s is refused, keeping only the audit row',
    (_name, assets, signal, message, meta) => {
      const ctx = ctxOf(lostPlan, [...assets]);
      expect(recoverBattery.decide(ctx, batteryOps('RECOVER_BATTERY'), settings)).toEqual(
        refused(signal, message, meta, [
          audit('recover_battery', signal, [signal], { asset_id: 'BAT-12345' }),
        ]),
      );
    },
  );
});
