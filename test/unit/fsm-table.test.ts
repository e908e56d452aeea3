import { describe, expect, it } from 'vitest';
import {
  acceptedInputs,
  applyInput,
  type CycleName,
  type CycleParams,
  type FsmInput,
  PAYMENT_CYCLE_INPUTS,
  PAYMENT_CYCLE_STATES,
  recordAt,
  SERVICE_CYCLE_INPUTS,
  SERVICE_CYCLE_STATES,
} from '../../fsm/index.js';

/**
 * The transition table of fsm/README.md, written out independently of the machines. Every state ×
 * every input variant is applied; a variant not in the table must be refused and change nothing.
 */
const PARAMS: CycleParams = { billingPeriodDays: 30, gracePeriodDays: 7, depositRequired: false };
const PLACED_AT = new Date('2025-03-01T08:00:00Z');
/** Late enough for every deadline set at PLACED_AT to be due. */
const LATE = new Date('2026-01-01T00:00:00Z');

interface Variant {
  label: string;
  input: FsmInput;
}

const service = (input: string): Variant => ({ label: input, input: { cycle: 'service_cycle', input } });
const payment = (label: string, input: string, params?: FsmInput['params']): Variant => ({
  label,
  input: params ? { cycle: 'payment_cycle', input, params } : { cycle: 'payment_cycle', input },
});

const SERVICE_VARIANTS: Variant[] = [...SERVICE_CYCLE_INPUTS, 'NOT_AN_INPUT'].map(service);
const PAYMENT_VARIANTS: Variant[] = [
  payment('PLAN_ACTIVATED(deposit)', 'PLAN_ACTIVATED', { deposit_required: true }),
  payment('PLAN_ACTIVATED(no deposit)', 'PLAN_ACTIVATED', { deposit_required: false }),
  payment('PAYMENT_RECEIVED(DEPOSIT)', 'PAYMENT_RECEIVED', { payment_type: 'DEPOSIT' }),
  payment('PAYMENT_RECEIVED(RENEWAL)', 'PAYMENT_RECEIVED', { payment_type: 'RENEWAL' }),
  payment('PAYMENT_RECEIVED(TOP_UP)', 'PAYMENT_RECEIVED', { payment_type: 'TOP_UP' }),
  payment('PAYMENT_RECEIVED(BOGUS)', 'PAYMENT_RECEIVED', { payment_type: 'BOGUS' }),
  payment('PAYMENT_RECEIVED(no type)', 'PAYMENT_RECEIVED'),
  payment('RENEWAL_DUE_REACHED', 'RENEWAL_DUE_REACHED'),
  payment('GRACE_PERIOD_EXPIRED', 'GRACE_PERIOD_EXPIRED'),
  payment('PLAN_COMPLETED', 'PLAN_COMPLETED'),
  payment('NOT_AN_INPUT', 'NOT_AN_INPUT'),
];

/** state → variant label → next state. Absent = refused. */
const SERVICE_TABLE: Record<string, Record<string, string>> = {
  INITIAL: { PLAN_ACTIVATED: 'WAIT_BATTERY_ISSUE', PLAN_COMPLETED: 'COMPLETE' },
  WAIT_BATTERY_ISSUE: {
    BATTERY_ISSUED: 'BATTERY_ISSUED',
    QUOTA_EXHAUSTED: 'WAIT_BATTERY_ISSUE',
    PLAN_COMPLETED: 'COMPLETE',
  },
  BATTERY_ISSUED: {
    BATTERY_RETURNED: 'BATTERY_RETURNED',
    BATTERY_ISSUED: 'BATTERY_ISSUED',
    QUOTA_EXHAUSTED: 'BATTERY_ISSUED',
    BATTERY_LOST_REPORTED: 'BATTERY_LOST',
  },
  BATTERY_RETURNED: {
    BATTERY_ISSUED: 'BATTERY_ISSUED',
    QUOTA_EXHAUSTED: 'BATTERY_RETURNED',
    PLAN_COMPLETED: 'COMPLETE',
  },
  BATTERY_LOST: {
    BATTERY_ISSUED: 'BATTERY_ISSUED',
    BATTERY_RECOVERED: 'BATTERY_RETURNED',
    QUOTA_EXHAUSTED: 'BATTERY_LOST',
  },
  COMPLETE: {},
};

const PAYMENT_TABLE: Record<string, Record<string, string>> = {
  INITIAL: {
    'PLAN_ACTIVATED(deposit)': 'DEPOSIT_DUE',
    'PLAN_ACTIVATED(no deposit)': 'CURRENT',
    PLAN_COMPLETED: 'COMPLETE',
  },
  DEPOSIT_DUE: {
    'PAYMENT_RECEIVED(DEPOSIT)': 'CURRENT',
    'PAYMENT_RECEIVED(TOP_UP)': 'DEPOSIT_DUE',
    PLAN_COMPLETED: 'COMPLETE',
  },
  CURRENT: {
    'PAYMENT_RECEIVED(RENEWAL)': 'CURRENT',
    'PAYMENT_RECEIVED(TOP_UP)': 'CURRENT',
    RENEWAL_DUE_REACHED: 'RENEWAL_DUE',
    PLAN_COMPLETED: 'COMPLETE',
  },
  RENEWAL_DUE: {
    'PAYMENT_RECEIVED(RENEWAL)': 'CURRENT',
    'PAYMENT_RECEIVED(TOP_UP)': 'RENEWAL_DUE',
    GRACE_PERIOD_EXPIRED: 'FINAL_DUE',
    PLAN_COMPLETED: 'COMPLETE',
  },
  FINAL_DUE: {
    'PAYMENT_RECEIVED(RENEWAL)': 'CURRENT',
    'PAYMENT_RECEIVED(TOP_UP)': 'FINAL_DUE',
    PLAN_COMPLETED: 'COMPLETE',
  },
  COMPLETE: {},
};

it('the payment variants cover every declared payment_cycle input', () => {
  const covered = new Set(PAYMENT_VARIANTS.map((v) => v.input.input));
  for (const name of PAYMENT_CYCLE_INPUTS) expect(covered).toContain(name);
});

const CASES: Array<{
  cycle: CycleName;
  states: readonly string[];
  variants: Variant[];
  table: typeof SERVICE_TABLE;
}> = [
  { cycle: 'service_cycle', states: SERVICE_CYCLE_STATES, variants: SERVICE_VARIANTS, table: SERVICE_TABLE },
  { cycle: 'payment_cycle', states: PAYMENT_CYCLE_STATES, variants: PAYMENT_VARIANTS, table: PAYMENT_TABLE },
];

const inputNameOf = (label: string) => label.replace(/\(.*\)$/, '');

describe.each(CASES)('$cycle transition table', ({ cycle, states, variants, table }) => {
  it('covers every state', () => {
    expect(Object.keys(table).sort()).toEqual([...states].sort());
  });

  for (const state of states) {
    for (const variant of variants) {
      const expected = table[state]?.[variant.label];
      const title = `${state} --${variant.label}--> ${expected ?? 'refused'}`;
      it(title, () => {
        const record = recordAt(cycle, state, PARAMS, PLACED_AT);
        const result = applyInput(record, variant.input, PARAMS, LATE);
        if (expected === undefined) {
          expect(result).toMatchObject({ ok: false, from: state, input: variant.input.input });
          if (!result.ok) {
            expect(result.reason).toContain(cycle);
            expect(result.reason).toContain(`state ${state}`);
            expect(result.reason).toContain(variant.input.input);
            expect(result.reason).toContain('accepted inputs:');
          }
        } else {
          expect(result).toMatchObject({ ok: true, from: state, to: expected });
          if (result.ok) expect(result.record.state).toBe(expected);
        }
      });
    }

    it(`acceptedInputs(${state}) lists exactly the inputs of the table`, () => {
      const fromTable = new Set(Object.keys(table[state] ?? {}).map(inputNameOf));
      expect(new Set(acceptedInputs(cycle, state))).toEqual(fromTable);
    });
  }

  it('names the accepted inputs in a refusal, with their conditions', () => {
    const result = applyInput(
      recordAt(cycle, 'COMPLETE', PARAMS, PLACED_AT),
      variants[0]!.input,
      PARAMS,
      LATE,
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('accepted inputs: none (final state)');
  });
});

describe('refusal reasons', () => {
  it('names the payment_type refused and the ones accepted', () => {
    const record = recordAt('payment_cycle', 'DEPOSIT_DUE', PARAMS, PLACED_AT);
    const input = {
      cycle: 'payment_cycle',
      input: 'PAYMENT_RECEIVED',
      params: { payment_type: 'RENEWAL' },
    } as const;
    const result = applyInput(record, input, PARAMS, LATE);
    expect(result).toEqual({
      ok: false,
      from: 'DEPOSIT_DUE',
      input: 'PAYMENT_RECEIVED',
      reason:
        'payment_cycle in state DEPOSIT_DUE does not accept PAYMENT_RECEIVED(payment_type RENEWAL); ' +
        'accepted inputs: PAYMENT_RECEIVED(payment_type DEPOSIT|TOP_UP), PLAN_COMPLETED',
    });
  });

  it('refuses PLAN_COMPLETED while a battery is held', () => {
    const record = recordAt('service_cycle', 'BATTERY_ISSUED', PARAMS, PLACED_AT);
    const result = applyInput(record, { cycle: 'service_cycle', input: 'PLAN_COMPLETED' }, PARAMS, LATE);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toContain(
        'BATTERY_RETURNED, BATTERY_ISSUED, QUOTA_EXHAUSTED, BATTERY_LOST_REPORTED',
      );
    }
  });

  it('refuses an input addressed to the other cycle', () => {
    const record = recordAt('service_cycle', 'WAIT_BATTERY_ISSUE', PARAMS, PLACED_AT);
    const result = applyInput(record, { cycle: 'payment_cycle', input: 'PLAN_COMPLETED' }, PARAMS, LATE);
    expect(result).toMatchObject({ ok: false, from: 'WAIT_BATTERY_ISSUE', input: 'PLAN_COMPLETED' });
  });

  it('does not change the record it refuses', () => {
    const record = recordAt('payment_cycle', 'FINAL_DUE', PARAMS, PLACED_AT);
    const before = structuredClone(record);
    applyInput(record, { cycle: 'payment_cycle', input: 'GRACE_PERIOD_EXPIRED' }, PARAMS, LATE);
    expect(record).toEqual(before);
  });
});

describe('acceptedInputs', () => {
  it('is empty for a state the cycle does not have', () => {
    expect(acceptedInputs('service_cycle', 'NOPE')).toEqual([]);
  });
});
