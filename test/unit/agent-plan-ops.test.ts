import { describe, expect, it } from 'vitest';
import { closePlan } from '../../agents/close-plan/close-plan.handler.js';
import { resumePlan } from '../../agents/resume-plan/resume-plan.handler.js';
import type { PaymentView, PlanView } from '../../agents/shared/plan.types.js';
import { suspendPlan } from '../../agents/suspend-plan/suspend-plan.handler.js';
import {
  auditRow as audit,
  opsContext as ctxOf,
  heldBattery as held,
  inServiceCycle as inCycle,
  opsRequest as ops,
  refusedWith as refused,
} from '../builders/ops.js';
import { aPlanView } from '../builders/plan-view.js';
import { ENERGY } from '../builders/plans.js';

/* SUSPEND_PLAN, RESUME_PLAN and CLOSE_PLAN: every outcome in full, the audit row included. */

const settings = { kwhToleranceKwh: 0.5 };

/** The plan holds nothing: no current battery, the service_cycle waiting for the next issue. */
const empty = (change: Partial<PlanView> = {}): Partial<PlanView> => ({
  serviceStates: aPlanView().serviceStates.map((s) => ({ ...s, current_asset: null })),
  cycles: {
    ...aPlanView().cycles,
    service_cycle: { state: 'BATTERY_RETURNED', deadline_at: null, deadline_input: null },
  },
  ...change,
});

describe('SUSPEND_PLAN and RESUME_PLAN', () => {
  it('declare no battery and write', () => {
    for (const h of [suspendPlan, resumePlan]) {
      expect(h.readOnly).toBe(false);
      expect(h.assetIds(ops(h.action))).toEqual([]);
    }
    expect(suspendPlan.action).toBe('SUSPEND_PLAN');
    expect(resumePlan.action).toBe('RESUME_PLAN');
  });

  it('an active plan is suspended', () => {
    const meta = { plan_id: 'plan-1', plan_status_before: 'ACTIVE', plan_status: 'SUSPENDED', changed: true };
    expect(suspendPlan.decide(ctxOf(), ops('SUSPEND_PLAN'), settings)).toEqual({
      success: true,
      signals: ['PLAN_SUSPENDED'],
      metadata: meta,
      fsmInputs: [],
      effects: [
        { kind: 'plan_status', status: 'SUSPENDED' },
        audit('suspend_plan', 'APPLIED', ['PLAN_SUSPENDED']),
      ],
    });
  });

  it('a suspended plan is already suspended: nothing but the audit row', () => {
    const ctx = ctxOf({ status: 'SUSPENDED' });
    expect(suspendPlan.decide(ctx, ops('SUSPEND_PLAN'), settings)).toEqual({
      success: true,
      signals: ['PLAN_ALREADY_SUSPENDED'],
      metadata: {
        plan_id: 'plan-1',
        plan_status_before: 'SUSPENDED',
        plan_status: 'SUSPENDED',
        changed: false,
      },
      fsmInputs: [],
      effects: [audit('suspend_plan', 'UNCHANGED', ['PLAN_ALREADY_SUSPENDED'], {}, 'SUSPENDED')],
    });
  });

  it('a suspended plan is resumed', () => {
    const ctx = ctxOf({ status: 'SUSPENDED' });
    expect(resumePlan.decide(ctx, ops('RESUME_PLAN'), settings)).toEqual({
      success: true,
      signals: ['PLAN_RESUMED'],
      metadata: { plan_id: 'plan-1', plan_status_before: 'SUSPENDED', plan_status: 'ACTIVE', changed: true },
      fsmInputs: [],
      effects: [
        { kind: 'plan_status', status: 'ACTIVE' },
        audit('resume_plan', 'APPLIED', ['PLAN_RESUMED'], {}, 'SUSPENDED'),
      ],
    });
  });

  it('an active plan is already active: nothing but the audit row', () => {
    expect(resumePlan.decide(ctxOf(), ops('RESUME_PLAN'), settings)).toEqual({
      success: true,
      signals: ['PLAN_ALREADY_ACTIVE'],
      metadata: { plan_id: 'plan-1', plan_status_before: 'ACTIVE', plan_status: 'ACTIVE', changed: false },
      fsmInputs: [],
      effects: [audit('resume_plan', 'UNCHANGED', ['PLAN_ALREADY_ACTIVE'])],
    });
  });

  it.each([
    ['SUSPEND_PLAN', suspendPlan, 'suspend_plan'],
    ['RESUME_PLAN', resumePlan, 'resume_plan'],
  ] as const)('%s: a closed plan is refused, keeping only the audit row', (_name, handler, operation) => {
    const ctx = ctxOf({ status: 'COMPLETE' });
    expect(handler.decide(ctx, ops(handler.action), settings)).toEqual(
      refused('PLAN_CLOSED', 'plan plan-1 is closed (COMPLETE)', { plan_status: 'COMPLETE' }, [
        audit(operation, 'PLAN_CLOSED', ['PLAN_CLOSED'], {}, 'COMPLETE'),
      ]),
    );
  });
});

describe('CLOSE_PLAN', () => {
  const pending = (payment_id: string, plan_id = 'plan-1'): PaymentView => ({
    payment_id,
    status: 'PENDING',
    amount: '10',
    payment_type: 'TOP_UP',
    source: 'attendant',
    ledger: {
      plan_id,
      currency: 'USD',
      payment_method: 'CASH',
      credited: '0',
      credit_service_id: null,
      provisional_amount: '0',
      reversed: '0',
      unrecovered: '0',
      created_at: '2026-01-05T07:00:00Z',
      rejected_at: null,
    },
  });

  it('declares no battery, reads the plan’s open payments', () => {
    expect(closePlan.action).toBe('CLOSE_PLAN');
    expect(closePlan.readOnly).toBe(false);
    expect(closePlan.assetIds(ops('CLOSE_PLAN'))).toEqual([]);
    expect(closePlan.planPayments?.(ops('CLOSE_PLAN'))).toBe('always');
  });

  it.each(['ACTIVE', 'SUSPENDED'])(
    'a %s plan holding nothing is closed: COMPLETE, both cycles told',
    (status) => {
      const ctx = ctxOf(empty({ status }));
      expect(closePlan.decide(ctx, ops('CLOSE_PLAN'), settings)).toEqual({
        success: true,
        signals: ['PLAN_COMPLETED'],
        metadata: { plan_id: 'plan-1', plan_status_before: status, plan_status: 'COMPLETE', changed: true },
        fsmInputs: [
          { cycle: 'service_cycle', input: 'PLAN_COMPLETED' },
          { cycle: 'payment_cycle', input: 'PLAN_COMPLETED' },
        ],
        effects: [
          { kind: 'plan_status', status: 'COMPLETE' },
          audit('close_plan', 'APPLIED', ['PLAN_COMPLETED'], {}, status),
        ],
      });
    },
  );

  it.each(['INITIAL', 'WAIT_BATTERY_ISSUE', 'BATTERY_RETURNED'])(
    'service_cycle %s without a current battery holds nothing',
    (state) => {
      const ctx = ctxOf(empty({ cycles: inCycle(state) }));
      expect(closePlan.decide(ctx, ops('CLOSE_PLAN'), settings).signals).toEqual(['PLAN_COMPLETED']);
    },
  );

  it('a closed plan is already closed: nothing but the audit row', () => {
    const ctx = ctxOf({ status: 'COMPLETE' });
    expect(closePlan.decide(ctx, ops('CLOSE_PLAN'), settings)).toEqual({
      success: true,
      signals: ['PLAN_ALREADY_CLOSED'],
      metadata: {
        plan_id: 'plan-1',
        plan_status_before: 'COMPLETE',
        plan_status: 'COMPLETE',
        changed: false,
      },
      fsmInputs: [],
      effects: [audit('close_plan', 'UNCHANGED', ['PLAN_ALREADY_CLOSED'], {}, 'COMPLETE')],
    });
  });

  it('a plan holding its current battery is refused', () => {
    expect(closePlan.decide(ctxOf(), ops('CLOSE_PLAN'), settings)).toEqual(
      refused(
        'PLAN_HOLDS_BATTERY',
        'plan plan-1 holds battery BAT-12345: return it (or report it lost and recover it) before closing',
        { current_assets: ['BAT-12345'], service_cycle: 'BATTERY_ISSUED' },
        [audit('close_plan', 'PLAN_HOLDS_BATTERY', ['PLAN_HOLDS_BATTERY'])],
      ),
    );
  });

  it('every current battery is named, whatever the cycle says', () => {
    const serviceStates = aPlanView().serviceStates.map((s) =>
      s.service_id === ENERGY ? { ...s, current_asset: 'BAT-2' } : s,
    );
    const ctx = ctxOf({ serviceStates, cycles: inCycle('BATTERY_RETURNED') });
    expect(closePlan.decide(ctx, ops('CLOSE_PLAN'), settings)).toMatchObject({
      success: false,
      metadata: { current_assets: ['BAT-12345', 'BAT-2'], service_cycle: 'BATTERY_RETURNED' },
      error: {
        message:
          'plan plan-1 holds battery BAT-12345, BAT-2: return it (or report it lost and recover it) before closing',
      },
    });
  });

  it.each(['BATTERY_ISSUED', 'BATTERY_LOST'])(
    'no current battery but service_cycle %s: a battery is still out',
    (state) => {
      const ctx = ctxOf(empty({ cycles: inCycle(state) }));
      expect(closePlan.decide(ctx, ops('CLOSE_PLAN'), settings)).toEqual(
        refused(
          'PLAN_HOLDS_BATTERY',
          `plan plan-1 holds a battery (service_cycle ${state}): return it (or report it lost and recover it) before closing`,
          { current_assets: [], service_cycle: state },
          [audit('close_plan', 'PLAN_HOLDS_BATTERY', ['PLAN_HOLDS_BATTERY'])],
        ),
      );
    },
  );

  it('payments awaiting Odoo are refused, named; another plan’s pending payment is not this plan’s', () => {
    const ctx = ctxOf(empty(), [held], [pending('P-1'), pending('P-2'), pending('P-9', 'plan-9')]);
    expect(closePlan.decide(ctx, ops('CLOSE_PLAN'), settings)).toEqual(
      refused(
        'PAYMENT_PENDING_CONFIRMATION',
        "payments P-1, P-2 await Odoo's confirmation: close the plan once they are settled",
        { pending_payments: ['P-1', 'P-2'] },
        [audit('close_plan', 'PAYMENT_PENDING_CONFIRMATION', ['PAYMENT_PENDING_CONFIRMATION'])],
      ),
    );
    const others = ctxOf(
      empty(),
      [held],
      [pending('P-9', 'plan-9'), { ...pending('P-3'), status: 'CONFIRMED' }],
    );
    expect(closePlan.decide(others, ops('CLOSE_PLAN'), settings).signals).toEqual(['PLAN_COMPLETED']);
  });

  it('a battery held is refused before payments pending', () => {
    const ctx = ctxOf({}, [held], [pending('P-1')]);
    expect(closePlan.decide(ctx, ops('CLOSE_PLAN'), settings).signals).toEqual(['PLAN_HOLDS_BATTERY']);
  });
});
