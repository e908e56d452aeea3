import { describe, expect, it } from 'vitest';
import {
  activateCycles,
  applyInput,
  type CycleParams,
  type CycleRecord,
  DAY_MS,
  dueInput,
  type FsmInput,
  recordAt,
} from '../../fsm/index.js';

const PARAMS: CycleParams = { billingPeriodDays: 30, gracePeriodDays: 7, depositRequired: true };
const T0 = new Date('2025-01-15T10:00:00Z');
const at = (days: number) => new Date(T0.getTime() + days * DAY_MS);
const pay = (payment_type: string): FsmInput => ({
  cycle: 'payment_cycle',
  input: 'PAYMENT_RECEIVED',
  params: { payment_type },
});
const input = (name: string): FsmInput => ({ cycle: 'payment_cycle', input: name });

function apply(record: CycleRecord, fsmInput: FsmInput, now: Date): CycleRecord {
  const result = applyInput(record, fsmInput, PARAMS, now);
  if (!result.ok) throw new Error(result.reason);
  return result.record;
}

describe('payment_cycle deadlines', () => {
  it('a plan whose template needs a deposit starts DEPOSIT_DUE with no deadline', () => {
    const { payment_cycle } = activateCycles(PARAMS, T0);
    expect(payment_cycle).toMatchObject({ state: 'DEPOSIT_DUE', deadlineAt: null, deadlineInput: null });
  });

  it('a plan without a deposit starts CURRENT, renewal due one billing period later', () => {
    const { payment_cycle, service_cycle } = activateCycles({ ...PARAMS, depositRequired: false }, T0);
    expect(payment_cycle).toMatchObject({
      state: 'CURRENT',
      deadlineAt: at(30),
      deadlineInput: 'RENEWAL_DUE_REACHED',
    });
    expect(service_cycle).toMatchObject({
      state: 'WAIT_BATTERY_ISSUE',
      deadlineAt: null,
      deadlineInput: null,
    });
  });

  it('the deposit starts the first billing period from the payment', () => {
    const current = apply(activateCycles(PARAMS, T0).payment_cycle, pay('DEPOSIT'), at(2));
    expect(current).toMatchObject({
      state: 'CURRENT',
      deadlineAt: at(32),
      deadlineInput: 'RENEWAL_DUE_REACHED',
    });
  });

  it('a TOP_UP while a deposit is due is accepted and leaves the deposit due', () => {
    const result = applyInput(activateCycles(PARAMS, T0).payment_cycle, pay('TOP_UP'), PARAMS, at(1));
    expect(result).toMatchObject({ ok: true, from: 'DEPOSIT_DUE', to: 'DEPOSIT_DUE' });
  });

  it('a RENEWAL paid early extends from the current deadline, not from now', () => {
    const current = recordAt('payment_cycle', 'CURRENT', PARAMS, T0);
    const once = apply(current, pay('RENEWAL'), at(10));
    expect(once).toMatchObject({ state: 'CURRENT', deadlineAt: at(60) });
    const twice = apply(once, pay('RENEWAL'), at(11));
    expect(twice.deadlineAt).toEqual(at(90));
  });

  it('a TOP_UP leaves the deadline where it is', () => {
    const current = recordAt('payment_cycle', 'CURRENT', PARAMS, T0);
    expect(apply(current, pay('TOP_UP'), at(5))).toMatchObject({ state: 'CURRENT', deadlineAt: at(30) });
    const due = recordAt('payment_cycle', 'RENEWAL_DUE', PARAMS, T0);
    expect(apply(due, pay('TOP_UP'), at(5))).toMatchObject({ state: 'RENEWAL_DUE', deadlineAt: at(7) });
  });

  it('walks CURRENT → RENEWAL_DUE → FINAL_DUE by the scheduler, and back to CURRENT on renewal', () => {
    let record = recordAt('payment_cycle', 'CURRENT', PARAMS, T0);
    expect(dueInput(record, at(29.99))).toBeNull();
    const renewalDue = dueInput(record, at(30));
    expect(renewalDue).toEqual({ cycle: 'payment_cycle', input: 'RENEWAL_DUE_REACHED' });
    record = apply(record, renewalDue!, at(30));
    expect(record).toMatchObject({
      state: 'RENEWAL_DUE',
      deadlineAt: at(37),
      deadlineInput: 'GRACE_PERIOD_EXPIRED',
    });
    expect(dueInput(record, at(36))).toBeNull();
    record = apply(record, dueInput(record, at(38))!, at(38));
    expect(record).toMatchObject({ state: 'FINAL_DUE', deadlineAt: null, deadlineInput: null });
    expect(dueInput(record, at(1000))).toBeNull();
    record = apply(record, pay('RENEWAL'), at(40));
    expect(record).toMatchObject({
      state: 'CURRENT',
      deadlineAt: at(70),
      deadlineInput: 'RENEWAL_DUE_REACHED',
    });
  });

  it('a late RENEWAL during the grace period starts a new period from the payment', () => {
    const due = recordAt('payment_cycle', 'RENEWAL_DUE', PARAMS, T0);
    expect(apply(due, pay('RENEWAL'), at(3))).toMatchObject({ state: 'CURRENT', deadlineAt: at(33) });
  });

  it('refuses a deadline input fired before its deadline (a stale scheduler after an early renewal)', () => {
    const current = recordAt('payment_cycle', 'CURRENT', PARAMS, T0);
    const stale = dueInput(current, at(30))!;
    const renewed = apply(current, pay('RENEWAL'), at(29));
    const result = applyInput(renewed, stale, PARAMS, at(30));
    expect(result).toMatchObject({ ok: false, from: 'CURRENT', input: 'RENEWAL_DUE_REACHED' });
    if (!result.ok)
      expect(result.reason).toContain(`RENEWAL_DUE_REACHED(at or after ${at(60).toISOString()})`);
    const grace = recordAt('payment_cycle', 'RENEWAL_DUE', PARAMS, T0);
    expect(applyInput(grace, input('GRACE_PERIOD_EXPIRED'), PARAMS, at(6)).ok).toBe(false);
  });

  it('clears the deadline on PLAN_COMPLETED', () => {
    const completed = apply(
      recordAt('payment_cycle', 'RENEWAL_DUE', PARAMS, T0),
      input('PLAN_COMPLETED'),
      at(1),
    );
    expect(completed).toMatchObject({ state: 'COMPLETE', deadlineAt: null, deadlineInput: null });
    expect(dueInput(completed, at(1000))).toBeNull();
  });

  it('a grace period of 0 days is due at once', () => {
    const params = { ...PARAMS, gracePeriodDays: 0 };
    const due = recordAt('payment_cycle', 'RENEWAL_DUE', params, T0);
    expect(dueInput(due, T0)).toEqual({ cycle: 'payment_cycle', input: 'GRACE_PERIOD_EXPIRED' });
  });
});

describe('recordAt deadlines', () => {
  it('places each state with the deadline its entry sets', () => {
    const expected: Record<string, [Date | null, string | null]> = {
      INITIAL: [null, null],
      DEPOSIT_DUE: [null, null],
      CURRENT: [at(30), 'RENEWAL_DUE_REACHED'],
      RENEWAL_DUE: [at(7), 'GRACE_PERIOD_EXPIRED'],
      FINAL_DUE: [null, null],
      COMPLETE: [null, null],
    };
    for (const [state, [deadlineAt, deadlineInput]] of Object.entries(expected)) {
      expect(recordAt('payment_cycle', state, PARAMS, T0)).toMatchObject({
        state,
        deadlineAt,
        deadlineInput,
      });
    }
  });

  it('takes a known deadline for an imported customer', () => {
    const record = recordAt('payment_cycle', 'CURRENT', PARAMS, T0, at(12));
    expect(record).toMatchObject({ deadlineAt: at(12), deadlineInput: 'RENEWAL_DUE_REACHED' });
    expect(apply(record, pay('RENEWAL'), at(1)).deadlineAt).toEqual(at(42));
  });

  it('refuses a deadline for a state that has none, and an unknown state', () => {
    expect(() => recordAt('payment_cycle', 'FINAL_DUE', PARAMS, T0, at(3))).toThrow(/has no deadline/);
    expect(() => recordAt('payment_cycle', 'OVERDUE', PARAMS, T0)).toThrow(
      /unknown payment_cycle state OVERDUE/,
    );
    expect(() => recordAt('service_cycle', 'CURRENT', PARAMS, T0)).toThrow(/unknown service_cycle state/);
  });
});

describe('parameters and clock', () => {
  it('throws a coded error for invalid template parameters, all at once', () => {
    const bad = { billingPeriodDays: 0, gracePeriodDays: -1, depositRequired: true };
    expect(() => activateCycles(bad, T0)).toThrow(
      expect.objectContaining({
        code: 'INVALID_VALUE',
        details: expect.arrayContaining([expect.anything(), expect.anything()]),
      }),
    );
  });

  it('throws for an invalid clock', () => {
    expect(() => activateCycles(PARAMS, new Date('nope'))).toThrow(/invalid clock/);
  });
});
