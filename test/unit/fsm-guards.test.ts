import { describe, expect, it } from 'vitest';
import { fromColumnsOnly } from '../../fsm/cycle-migrations.js';
import { assertParams, epochOf } from '../../fsm/cycle-params.js';
import {
  activateCycles,
  applyInput,
  type CycleName,
  type CycleParams,
  type CycleRecord,
  createCycle,
  DAY_MS,
  dueInput,
  type FsmInput,
  migrateRaw,
  type RawCycleRecord,
  recordAt,
  renameStates,
  restoreRecord,
} from '../../fsm/index.js';
import { SwapdError } from '../../src/errors.js';

/**
 * The guards of the cycle engine: parameters, clocks, stored records and refusal reasons, each with the
 * exact error a caller sees (code, message and details).
 */
const PARAMS: CycleParams = { billingPeriodDays: 30, gracePeriodDays: 7, depositRequired: false };
const T0 = new Date('2025-01-15T10:00:00Z');
const at = (days: number, ms = 0) => new Date(T0.getTime() + days * DAY_MS + ms);

function caught(fn: () => unknown): SwapdError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SwapdError) return err;
    throw err;
  }
  throw new Error('expected a SwapdError');
}

const errorOf = (fn: () => unknown) => {
  const err = caught(fn);
  return { code: err.code, message: err.message, details: err.details };
};

function throughStorage(record: CycleRecord): RawCycleRecord {
  const parsed = JSON.parse(JSON.stringify(record)) as Omit<RawCycleRecord, 'deadlineAt'> & {
    deadlineAt: string | null;
  };
  return { ...parsed, deadlineAt: parsed.deadlineAt === null ? null : new Date(parsed.deadlineAt) };
}

const stored = (cycle: CycleName, state: string) => throughStorage(recordAt(cycle, state, PARAMS, T0));
const withSnapshot = (raw: RawCycleRecord, change: Record<string, unknown>): RawCycleRecord => ({
  ...raw,
  snapshot: { ...(raw.snapshot as object), ...change },
});

describe('assertParams: every template parameter at its boundary', () => {
  const billing = { path: 'billingPeriodDays', message: 'must be a number above 0' };
  const grace = { path: 'gracePeriodDays', message: 'must be a number of at least 0' };
  const deposit = { path: 'depositRequired', message: 'must be a boolean' };
  it.each([
    [{ billingPeriodDays: 1 }, []],
    [{ billingPeriodDays: 0.001 }, []],
    [{ billingPeriodDays: 0 }, [billing]],
    [{ billingPeriodDays: -1 }, [billing]],
    [{ billingPeriodDays: Number.NaN }, [billing]],
    [{ billingPeriodDays: Number.POSITIVE_INFINITY }, [billing]],
    [{ gracePeriodDays: 0 }, []],
    [{ gracePeriodDays: -0.001 }, [grace]],
    [{ gracePeriodDays: Number.NaN }, [grace]],
    [{ gracePeriodDays: Number.POSITIVE_INFINITY }, [grace]],
    [{ depositRequired: true }, []],
    [{ depositRequired: 'yes' }, [deposit]],
    [{ billingPeriodDays: 0, gracePeriodDays: -1, depositRequired: 1 }, [billing, grace, deposit]],
  ])('%o → %o', (change, details) => {
    const params = { ...PARAMS, ...change } as CycleParams;
    if (details.length === 0) {
      expect(() => assertParams(params)).not.toThrow();
    } else {
      expect(errorOf(() => assertParams(params))).toEqual({
        code: 'INVALID_VALUE',
        message: 'invalid cycle parameters',
        details,
      });
    }
  });

  it('is checked by createCycle, activateCycles, recordAt and applyInput', () => {
    const bad = { ...PARAMS, billingPeriodDays: 0 };
    for (const fn of [
      () => createCycle('service_cycle', bad, T0),
      () => activateCycles(bad, T0),
      () => recordAt('payment_cycle', 'CURRENT', bad, T0),
      () =>
        applyInput(
          recordAt('payment_cycle', 'CURRENT', PARAMS, T0),
          { cycle: 'payment_cycle', input: 'PLAN_COMPLETED' },
          bad,
          T0,
        ),
    ]) {
      expect(caught(fn).message).toBe('invalid cycle parameters');
    }
  });
});

describe('epochOf: the clock', () => {
  it('a valid Date is its epoch milliseconds', () => {
    expect(epochOf(T0)).toBe(T0.getTime());
  });

  it.each([
    [new Date('nope'), 'invalid clock value Invalid Date'],
    ['2025-01-15T10:00:00Z' as unknown as Date, 'invalid clock value 2025-01-15T10:00:00Z'],
    [1_736_935_200_000 as unknown as Date, 'invalid clock value 1736935200000'],
  ])('%s → %s', (value, message) => {
    expect(errorOf(() => epochOf(value))).toEqual({ code: 'INVALID_VALUE', message, details: [] });
  });
});

describe('version-0 rows (columns only)', () => {
  const v0 = (state: string, deadlineAt: unknown, deadlineInput: string | null): RawCycleRecord =>
    ({
      cycle: 'payment_cycle',
      machineVersion: 0,
      state,
      snapshot: null,
      deadlineAt,
      deadlineInput,
    }) as RawCycleRecord;

  it.each([
    ['COMPLETE', 'done'],
    ['CURRENT', 'active'],
    ['FINAL_DUE', 'active'],
  ])('%s → status %s', (state, status) => {
    expect(fromColumnsOnly(v0(state, null, null))).toEqual({
      ...v0(state, null, null),
      machineVersion: 1,
      snapshot: {
        status,
        value: state,
        historyValue: {},
        context: { deadlineAt: null, deadlineInput: null },
        children: {},
      },
    });
  });

  it.each([
    [at(3), at(3).getTime()],
    [at(3).toISOString(), at(3).getTime()],
    [null, null],
    [undefined, null],
  ])('a stored deadline %s → %s', (deadlineAt, ms) => {
    const input = ms === null ? null : 'RENEWAL_DUE_REACHED';
    const migrated = fromColumnsOnly(v0('CURRENT', deadlineAt, input));
    expect((migrated.snapshot as { context: unknown }).context).toEqual({
      deadlineAt: ms,
      deadlineInput: input,
    });
  });

  it.each([['not a date'], [12345], [new Date('nope')]])(
    'a stored deadline %s is a clear fault',
    (deadlineAt) => {
      expect(errorOf(() => fromColumnsOnly(v0('CURRENT', deadlineAt, 'RENEWAL_DUE_REACHED')))).toEqual({
        code: 'INTERNAL_ERROR',
        message: `stored deadline ${String(deadlineAt)} is not a date`,
        details: [],
      });
    },
  );

  it('a migration fault names the cycle and the stored version', () => {
    expect(errorOf(() => migrateRaw(v0('CURRENT', null, null), 1, {}))).toEqual({
      code: 'INTERNAL_ERROR',
      message: 'payment_cycle snapshot migration failed: no migration from version 0 to 1',
      details: [{ path: 'machineVersion', message: 'stored version 0' }],
    });
  });

  it('renameStates leaves a snapshot that is not an object as it is', () => {
    const rename = renameStates(2, { CURRENT: 'PAID_UP' });
    for (const snapshot of [null, 'text', ['CURRENT']]) {
      expect(rename({ ...v0('CURRENT', null, null), machineVersion: 1, snapshot })).toEqual({
        ...v0('PAID_UP', null, null),
        machineVersion: 2,
        snapshot,
      });
    }
    expect(
      rename({ ...v0('FINAL_DUE', null, null), machineVersion: 1, snapshot: { value: 'FINAL_DUE' } }),
    ).toEqual({
      ...v0('FINAL_DUE', null, null),
      machineVersion: 2,
      snapshot: { value: 'FINAL_DUE' },
    });
  });
});

describe('corrupt stored records: the exact fault', () => {
  const record = stored('payment_cycle', 'CURRENT');
  const corrupt = (path: string, message: string) => ({
    code: 'INTERNAL_ERROR',
    message: `stored payment_cycle record is corrupt: ${path} ${message}`,
    details: [{ path, message }],
  });
  const states = 'INITIAL, DEPOSIT_DUE, CURRENT, RENEWAL_DUE, FINAL_DUE, COMPLETE';
  const deadline = at(30).getTime();

  const cases: Array<[string, RawCycleRecord, ReturnType<typeof corrupt>]> = [
    ['snapshot null', { ...record, snapshot: null }, corrupt('snapshot', 'is not an object')],
    ['snapshot an array', { ...record, snapshot: [] }, corrupt('snapshot', 'is not an object')],
    ['snapshot a string', { ...record, snapshot: 'CURRENT' }, corrupt('snapshot', 'is not an object')],
    [
      'value not a state',
      { ...withSnapshot(record, { value: 'OVERDUE' }), state: 'OVERDUE' },
      corrupt('snapshot.value', `is not a payment_cycle state (${states})`),
    ],
    [
      'value not a string',
      withSnapshot(record, { value: { CURRENT: {} } }),
      corrupt('snapshot.value', `is not a payment_cycle state (${states})`),
    ],
    [
      'column and snapshot disagree',
      { ...record, state: 'FINAL_DUE' },
      corrupt('state', 'column says FINAL_DUE, snapshot says CURRENT'),
    ],
    [
      'status stopped',
      withSnapshot(record, { status: 'stopped' }),
      corrupt('snapshot.status', 'is not active or done'),
    ],
    [
      'status missing',
      withSnapshot(record, { status: undefined }),
      corrupt('snapshot.status', 'is not active or done'),
    ],
    ...(
      [
        ['context null', null],
        ['context an array', []],
        ['deadlineAt a string', { deadlineAt: 'soon', deadlineInput: 'RENEWAL_DUE_REACHED' }],
        [
          'deadlineAt not finite',
          { deadlineAt: Number.POSITIVE_INFINITY, deadlineInput: 'RENEWAL_DUE_REACHED' },
        ],
        ['deadlineInput a number', { deadlineAt: deadline, deadlineInput: 7 }],
        ['deadline without input', { deadlineAt: deadline, deadlineInput: null }],
        ['input without deadline', { deadlineAt: null, deadlineInput: 'RENEWAL_DUE_REACHED' }],
      ] as const
    ).map(
      ([label, context]) =>
        [
          label,
          withSnapshot(record, { context }),
          corrupt('snapshot.context', 'is not { deadlineAt, deadlineInput }'),
        ] as [string, RawCycleRecord, ReturnType<typeof corrupt>],
    ),
  ];
  it.each(cases)('%s', (_label, raw, expected) => {
    expect(errorOf(() => restoreRecord(raw))).toEqual(expected);
  });

  it('a done snapshot and a context with neither deadline nor input are valid', () => {
    const complete = stored('payment_cycle', 'COMPLETE');
    expect(restoreRecord(complete).state).toBe('COMPLETE');
    const noDeadline = withSnapshot(record, { context: { deadlineAt: null, deadlineInput: null } });
    expect(restoreRecord(noDeadline)).toMatchObject({
      state: 'CURRENT',
      deadlineAt: null,
      deadlineInput: null,
    });
  });

  it('a version fault names the cycle and carries the version detail', () => {
    const message =
      "machine version 2 is newer than this swapd's version 1; upgrade swapd before it handles this plan";
    expect(errorOf(() => restoreRecord({ ...record, machineVersion: 2 }))).toEqual({
      code: 'INTERNAL_ERROR',
      message: `cannot restore payment_cycle record: ${message}`,
      details: [{ path: 'machineVersion', message }],
    });
    expect(errorOf(() => restoreRecord({ ...record, machineVersion: Number.NaN }))).toEqual({
      code: 'INTERNAL_ERROR',
      message: 'cannot restore payment_cycle record: unknown machine version NaN',
      details: [{ path: 'machineVersion', message: 'unknown machine version NaN' }],
    });
    expect(restoreRecord({ ...record, machineVersion: 1 }).state).toBe('CURRENT');
  });

  it('unknown cycles and states are named with the valid ones', () => {
    expect(errorOf(() => recordAt('loyalty_cycle' as CycleName, 'CURRENT', PARAMS, T0))).toEqual({
      code: 'INTERNAL_ERROR',
      message: 'unknown cycle loyalty_cycle; cycles: service_cycle, payment_cycle',
      details: [],
    });
    expect(errorOf(() => recordAt('payment_cycle', 'OVERDUE', PARAMS, T0))).toEqual({
      code: 'INVALID_VALUE',
      message: `unknown payment_cycle state OVERDUE; states: ${states}`,
      details: [],
    });
    expect(errorOf(() => recordAt('payment_cycle', 'FINAL_DUE', PARAMS, T0, at(3)))).toEqual({
      code: 'INVALID_VALUE',
      message: 'payment_cycle state FINAL_DUE has no deadline to set',
      details: [],
    });
  });
});

describe('dueInput: the scheduler fires at the deadline, not a millisecond before', () => {
  const current = recordAt('payment_cycle', 'CURRENT', PARAMS, T0); // due at day 30
  it.each([
    [at(30, -1), null],
    [at(30), { cycle: 'payment_cycle', input: 'RENEWAL_DUE_REACHED' }],
    [at(30, 1), { cycle: 'payment_cycle', input: 'RENEWAL_DUE_REACHED' }],
  ])('at %s → %o', (now, expected) => {
    expect(dueInput(current, now)).toEqual(expected);
  });

  it('a record with a deadline but no input, or an input but no deadline, fires nothing', () => {
    expect(dueInput({ ...current, deadlineInput: null }, at(40))).toBeNull();
    expect(dueInput({ ...current, deadlineAt: null }, at(40))).toBeNull();
  });

  it('the deadline input is accepted at the deadline and refused a millisecond before', () => {
    const input: FsmInput = { cycle: 'payment_cycle', input: 'RENEWAL_DUE_REACHED' };
    expect(applyInput(current, input, PARAMS, at(30)).ok).toBe(true);
    expect(applyInput(current, input, PARAMS, at(30, -1))).toEqual({
      ok: false,
      from: 'CURRENT',
      input: 'RENEWAL_DUE_REACHED',
      reason:
        `payment_cycle in state CURRENT does not accept RENEWAL_DUE_REACHED(at ${at(30, -1).toISOString()}); ` +
        'accepted inputs: PAYMENT_RECEIVED(payment_type RENEWAL|TOP_UP), ' +
        `RENEWAL_DUE_REACHED(at or after ${at(30).toISOString()}), PLAN_COMPLETED`,
    });
  });

  it('a state with no deadline never accepts its deadline input', () => {
    const raw = withSnapshot(stored('payment_cycle', 'CURRENT'), {
      context: { deadlineAt: null, deadlineInput: null },
    });
    const result = applyInput(
      raw,
      { cycle: 'payment_cycle', input: 'RENEWAL_DUE_REACHED' },
      PARAMS,
      at(1000),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('RENEWAL_DUE_REACHED(at or after never)');
  });

  it('an early RENEWAL keeps the renewal input on the extended deadline', () => {
    const input: FsmInput = {
      cycle: 'payment_cycle',
      input: 'PAYMENT_RECEIVED',
      params: { payment_type: 'RENEWAL' },
    };
    const result = applyInput(current, input, PARAMS, at(10));
    expect(result.ok && result.record).toMatchObject({
      deadlineAt: at(60),
      deadlineInput: 'RENEWAL_DUE_REACHED',
    });
  });
});

describe('refusal reasons name the input as it was sent', () => {
  const reason = (record: CycleRecord, input: FsmInput, now = at(1)) => {
    const result = applyInput(record, input, PARAMS, now);
    return result.ok ? null : result.reason;
  };

  it('an input for the other cycle', () => {
    expect(
      reason(recordAt('service_cycle', 'BATTERY_ISSUED', PARAMS, T0), {
        cycle: 'payment_cycle',
        input: 'PLAN_COMPLETED',
      }),
    ).toBe('input for payment_cycle cannot be applied to service_cycle');
  });

  it('a payment without a payment_type, or with one that is not text', () => {
    const due = recordAt('payment_cycle', 'DEPOSIT_DUE', PARAMS, T0);
    const accepted = 'accepted inputs: PAYMENT_RECEIVED(payment_type DEPOSIT|TOP_UP), PLAN_COMPLETED';
    expect(reason(due, { cycle: 'payment_cycle', input: 'PAYMENT_RECEIVED' })).toBe(
      `payment_cycle in state DEPOSIT_DUE does not accept PAYMENT_RECEIVED(payment_type missing); ${accepted}`,
    );
    expect(
      reason(due, { cycle: 'payment_cycle', input: 'PAYMENT_RECEIVED', params: { payment_type: 1 } }),
    ).toBe(
      `payment_cycle in state DEPOSIT_DUE does not accept PAYMENT_RECEIVED(payment_type missing); ${accepted}`,
    );
  });

  it('a plain input, and a state with an unguarded choice among guarded ones', () => {
    const initial = recordAt('payment_cycle', 'INITIAL', PARAMS, T0);
    expect(reason(initial, { cycle: 'payment_cycle', input: 'GRACE_PERIOD_EXPIRED' })).toBe(
      `payment_cycle in state INITIAL does not accept GRACE_PERIOD_EXPIRED(at ${at(1).toISOString()}); ` +
        'accepted inputs: PLAN_ACTIVATED, PLAN_COMPLETED',
    );
    expect(reason(initial, { cycle: 'payment_cycle', input: 'BATTERY_LOST_REPORTED' })).toBe(
      'payment_cycle in state INITIAL does not accept BATTERY_LOST_REPORTED; accepted inputs: PLAN_ACTIVATED, PLAN_COMPLETED',
    );
  });
});

describe('PLAN_ACTIVATED: the deposit parameter and its per-input override', () => {
  const activate = (params?: FsmInput['params'], depositRequired = false) =>
    applyInput(
      createCycle('payment_cycle', PARAMS, T0),
      { cycle: 'payment_cycle', input: 'PLAN_ACTIVATED', ...(params ? { params } : {}) },
      { ...PARAMS, depositRequired },
      T0,
    );
  it.each([
    [undefined, false, 'CURRENT'],
    [undefined, true, 'DEPOSIT_DUE'],
    [{ deposit_required: true }, false, 'DEPOSIT_DUE'],
    [{ depositRequired: true }, false, 'DEPOSIT_DUE'],
    [{ deposit_required: false }, true, 'CURRENT'],
    [{ deposit_required: 'yes' }, false, 'CURRENT'],
    [{ deposit_required: 'no' }, true, 'DEPOSIT_DUE'],
  ] as const)('params %o, template deposit %s → %s', (params, deposit, state) => {
    expect(activate(params, deposit)).toMatchObject({ ok: true, to: state });
  });
});
