import { describe, expect, it } from 'vitest';
import type { AgentResult } from '../../agents/shared/agent.types.js';
import {
  checkIncoming,
  checkOutgoing,
  checkPlanCanSwap,
  checkReturnNeeded,
} from '../../agents/shared/equipment.js';
import type { AssetView } from '../../agents/shared/plan.types.js';
import { aContext, anAsset, aPlanView, kenyaTemplate } from '../builders/plan-view.js';

const refused = (
  signal: string,
  code: string,
  message: string,
  metadata: Record<string, unknown>,
): AgentResult => ({
  success: false,
  signals: [signal],
  metadata,
  fsmInputs: [],
  effects: [],
  error: { code, message, details: [] },
});

const ctxWith = (asset?: AssetView) => aContext(aPlanView(), asset ? [asset] : []);

describe('checkOutgoing: the battery to issue is registered, in stock, free and healthy', () => {
  const unavailable = (signal: string, why: string) =>
    refused(signal, 'EQUIPMENT_NOT_AVAILABLE', `battery BAT-9 ${why}`, { equipment_id: 'BAT-9' });
  it.each([
    ['IN_STOCK, no holder', { status: 'IN_STOCK', holder_plan_id: null }, null],
    ['IN_STOCK, stale holder', { status: 'IN_STOCK', holder_plan_id: 'plan-2' }, null],
    [
      'ISSUED to another plan',
      { status: 'ISSUED', holder_plan_id: 'plan-2' },
      unavailable('EQUIPMENT_ASSIGNED_TO_OTHER_PLAN', 'is held by another plan'),
    ],
    [
      'ISSUED to this plan',
      { status: 'ISSUED', holder_plan_id: 'plan-1' },
      unavailable('EQUIPMENT_ALREADY_ISSUED', 'is already issued to this plan'),
    ],
    [
      'FAULTED, held by another plan',
      { status: 'FAULTED', holder_plan_id: 'plan-2' },
      unavailable('EQUIPMENT_ASSIGNED_TO_OTHER_PLAN', 'is held by another plan'),
    ],
    [
      'FAULTED',
      { status: 'FAULTED', holder_plan_id: null },
      unavailable('EQUIPMENT_FAULTED', 'is marked faulted'),
    ],
    [
      'LOST',
      { status: 'LOST', holder_plan_id: null },
      unavailable('EQUIPMENT_REPORTED_LOST', 'is reported lost'),
    ],
    [
      'RETIRED',
      { status: 'RETIRED', holder_plan_id: null },
      unavailable('EQUIPMENT_NOT_AVAILABLE', 'is RETIRED'),
    ],
    [
      'ISSUED, no holder',
      { status: 'ISSUED', holder_plan_id: null },
      unavailable('EQUIPMENT_NOT_AVAILABLE', 'is ISSUED'),
    ],
  ] as const)('%s', (_label, change, expected) => {
    expect(checkOutgoing(ctxWith(anAsset('BAT-9', change)), 'BAT-9')).toEqual(expected);
  });

  it('an unregistered battery is EQUIPMENT_NOT_FOUND', () => {
    expect(checkOutgoing(ctxWith(), 'BAT-9')).toEqual(
      refused('EQUIPMENT_NOT_FOUND', 'EQUIPMENT_NOT_FOUND', 'battery BAT-9 is not registered', {
        equipment_id: 'BAT-9',
      }),
    );
  });
});

describe('checkIncoming: the returned battery is one this plan holds', () => {
  const notOurs = refused(
    'EQUIPMENT_NOT_BELONGS_TO_USER',
    'EQUIPMENT_NOT_BELONGS_TO_USER',
    'battery BAT-9 is not held by plan plan-1',
    { equipment_id: 'BAT-9' },
  );
  it.each([
    ['held by this plan', { status: 'ISSUED', holder_plan_id: 'plan-1' }, null],
    ['held by another plan', { status: 'ISSUED', holder_plan_id: 'plan-2' }, notOurs],
    ['in stock', { status: 'IN_STOCK', holder_plan_id: null }, notOurs],
  ] as const)('%s', (_label, change, expected) => {
    expect(checkIncoming(ctxWith(anAsset('BAT-9', change)), 'BAT-9')).toEqual(expected);
  });

  it('an unregistered battery is EQUIPMENT_NOT_FOUND', () => {
    expect(checkIncoming(ctxWith(), 'BAT-9')).toEqual(
      refused('EQUIPMENT_NOT_FOUND', 'EQUIPMENT_NOT_FOUND', 'battery BAT-9 is not registered', {
        equipment_id: 'BAT-9',
      }),
    );
  });
});

describe('checkReturnNeeded: a plan holding a battery returns it before it gets another', () => {
  const holding = aContext(aPlanView(), []); // holds BAT-12345
  const empty = aContext(
    aPlanView({ serviceStates: aPlanView().serviceStates.map((s) => ({ ...s, current_asset: null })) }),
    [],
  );

  it('holding and returning nothing: refused', () => {
    const expected = refused(
      'EQUIPMENT_RETURN_REQUIRED',
      'EQUIPMENT_RETURN_REQUIRED',
      'plan plan-1 holds battery BAT-12345; return it before a new one is issued',
      { current_asset: 'BAT-12345' },
    );
    expect(checkReturnNeeded(holding, null)).toEqual(expected);
    expect(checkReturnNeeded(holding, undefined)).toEqual(expected);
    expect(checkReturnNeeded(holding, '')).toEqual(expected);
  });

  it('holding and returning one, or holding none: allowed', () => {
    expect(checkReturnNeeded(holding, 'BAT-12345')).toBeNull();
    expect(checkReturnNeeded(empty, null)).toBeNull();
  });

  it('a template without a tracking service never asks for a return', () => {
    const template = kenyaTemplate((t) => ({
      ...t,
      service_configurations: t.service_configurations.map((c) => ({ ...c, tracks_asset: false })),
    }));
    expect(checkReturnNeeded(aContext(aPlanView({ template }), []), null)).toBeNull();
  });
});

describe('checkPlanCanSwap: payment_cycle and plan status', () => {
  const ctxAt = (payment: string, status = 'ACTIVE') =>
    aContext(
      aPlanView({
        status,
        cycles: {
          ...aPlanView().cycles,
          payment_cycle: { state: payment, deadline_at: null, deadline_input: null },
        },
      }),
      [],
    );
  const paymentRequired = (state: string) =>
    refused('PAYMENT_REQUIRED', 'PAYMENT_REQUIRED', `payment_cycle is ${state}: payment is required first`, {
      payment_cycle: state,
    });

  it.each([
    ['INITIAL', null],
    ['DEPOSIT_DUE', paymentRequired('DEPOSIT_DUE')],
    ['CURRENT', null],
    ['RENEWAL_DUE', null],
    ['FINAL_DUE', paymentRequired('FINAL_DUE')],
    ['COMPLETE', null],
  ] as const)('payment_cycle %s on an ACTIVE plan', (state, expected) => {
    expect(checkPlanCanSwap(ctxAt(state))).toEqual(expected);
  });

  it.each(['SUSPENDED', 'COMPLETED', 'CANCELLED', 'PENDING'])('a %s plan is PLAN_NOT_ACTIVE', (status) => {
    expect(checkPlanCanSwap(ctxAt('CURRENT', status))).toEqual(
      refused('PLAN_NOT_ACTIVE', 'PLAN_NOT_ACTIVE', `plan plan-1 is ${status}`, { plan_status: status }),
    );
  });

  it('an inactive status is named before an unpaid deposit', () => {
    expect(checkPlanCanSwap(ctxAt('DEPOSIT_DUE', 'SUSPENDED'))?.signals).toEqual(['PLAN_NOT_ACTIVE']);
  });
});
