import { describe, expect, it } from 'vitest';
import { transition } from 'xstate';
import { CYCLES, type CycleName } from '../../fsm/cycle.types.js';
import { NO_DEADLINE } from '../../fsm/cycle-deadlines.js';
import { fastRestore, fastTransition, plainTransitions } from '../../fsm/cycle-fast-path.js';
import { definitionOf } from '../../fsm/cycle-registry.js';
import { restoreRecord } from '../../fsm/cycle-restore.js';
import { snapshotAt, toRecord } from '../../fsm/cycle-snapshot.js';
import { applyInput } from '../../fsm/cycle-transition.js';

const params = { billingPeriodDays: 7, gracePeriodDays: 2, depositRequired: false };
const at = Date.parse('2026-06-01T10:00:00Z');

/** The record XState itself gives for `input` in `state` (no deadline), the long way. */
function viaXState(cycle: CycleName, state: string, input: string) {
  const def = definitionOf(cycle);
  const [next] = transition(def.machine, snapshotAt(def, state, { ...NO_DEADLINE }), {
    type: input,
    at,
    params,
    paymentType: null,
  });
  return toRecord(cycle, next);
}

function canonicalOf(cycle: CycleName, state: string) {
  return toRecord(cycle, snapshotAt(definitionOf(cycle), state, { ...NO_DEADLINE }));
}

describe('transitions worked out from the machines at start-up', () => {
  const plain = [...plainTransitions()].map(
    ([key, to]) => [...key.split('|'), to] as [CycleName, string, string, string],
  );

  it('finds the plain transitions of both cycles (the swap path among them)', () => {
    expect(plain.map(([c, s, i, t]) => `${c} ${s} ${i} → ${t}`)).toEqual(
      expect.arrayContaining([
        'service_cycle BATTERY_ISSUED BATTERY_ISSUED → BATTERY_ISSUED',
        'service_cycle WAIT_BATTERY_ISSUE BATTERY_ISSUED → BATTERY_ISSUED',
        'service_cycle BATTERY_ISSUED BATTERY_RETURNED → BATTERY_RETURNED',
      ]),
    );
    // Guarded transitions (payments, deadlines) and final targets are left to XState.
    expect(plain.some(([c, , i]) => c === 'payment_cycle' && i === 'PAYMENT_RECEIVED')).toBe(false);
    expect(plain.some(([, , , t]) => t === 'COMPLETE')).toBe(false);
  });

  it.each(
    CYCLES.flatMap((c) => [...plainTransitions()].filter(([k]) => k.startsWith(`${c}|`)).map(([k]) => k)),
  )('%s gives exactly the record XState gives', (key) => {
    const [cycle, state, input] = key.split('|') as [CycleName, string, string];
    expect(fastTransition(canonicalOf(cycle, state), input)).toEqual(viaXState(cycle, state, input));
  });

  it('restores a stored record without XState only when it is exactly the machine record of its state', () => {
    const record = canonicalOf('service_cycle', 'BATTERY_ISSUED');
    const snapshot = record.snapshot as Record<string, unknown>;
    // jsonb gives the keys back in an order of its own.
    const reordered = Object.fromEntries(Object.entries(snapshot).reverse());
    expect(fastRestore({ ...record, snapshot: reordered })).toEqual(record);
    expect(fastRestore({ ...record, machineVersion: 0 })).toBeNull();
    expect(fastRestore({ ...record, state: 'NOT_A_STATE' })).toBeNull();
    expect(fastRestore({ ...record, snapshot: { ...snapshot, value: 'BATTERY_LOST' } })).toBeNull();
    expect(fastRestore({ ...record, snapshot: { ...snapshot, extra: 1 } })).toBeNull();
    const due = canonicalOf('payment_cycle', 'CURRENT');
    expect(
      fastRestore({ ...due, deadlineAt: new Date(at), deadlineInput: 'RENEWAL_DUE_REACHED' }),
    ).toBeNull();
  });

  it('leaves records with a deadline and inputs with guards to XState', () => {
    const withDeadline = {
      ...canonicalOf('service_cycle', 'BATTERY_ISSUED'),
      deadlineAt: new Date(at),
      deadlineInput: 'X',
    };
    expect(fastTransition(withDeadline, 'BATTERY_ISSUED')).toBeNull();
    expect(fastTransition(canonicalOf('payment_cycle', 'CURRENT'), 'PAYMENT_RECEIVED')).toBeNull();
  });

  it('shares one frozen record per state: what it hands out cannot be changed by whoever holds it', () => {
    const record = canonicalOf('service_cycle', 'BATTERY_ISSUED');
    const restored = fastRestore(record);
    expect(restored).toBe(fastRestore({ ...record }));
    expect(restored).not.toBeNull();
    const snapshot = (restored as NonNullable<typeof restored>).snapshot as Record<string, unknown>;
    expect(Object.isFrozen(restored)).toBe(true);
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(Object.isFrozen(snapshot.context)).toBe(true);
    expect(Object.isFrozen(snapshot.historyValue)).toBe(true);
    const next = fastTransition(record, 'BATTERY_RETURNED');
    expect(next).toBe(fastTransition(record, 'BATTERY_RETURNED'));
    expect(Object.isFrozen((next as NonNullable<typeof next>).snapshot)).toBe(true);
  });

  it('compares the stored snapshot value by value, whatever the change', () => {
    const record = canonicalOf('service_cycle', 'BATTERY_ISSUED');
    const snapshot = record.snapshot as Record<string, unknown>;
    const context = snapshot.context as Record<string, unknown>;
    const variants: Record<string, unknown>[] = [
      { ...snapshot, status: 'doneXX' }, // another string of the same length
      { ...snapshot, status: 7 },
      { ...snapshot, historyValue: null },
      { ...snapshot, children: [] }, // an array where an object was
      { ...snapshot, status: { ...'active'.split('') } }, // an object with the string's characters as keys
      { ...snapshot, children: 5 }, // a number where an object was (a number has no keys either)
      { ...snapshot, children: { a: 1 } },
      { ...snapshot, context: { ...context, deadlineAt: 0 } },
      { ...snapshot, context: { ...context, deadlineAt: {} } }, // an object where null was
      { ...snapshot, context: { deadlineAt: null } }, // a key fewer
      Object.fromEntries(Object.entries(snapshot).filter(([k]) => k !== 'children')),
    ];
    for (const changed of variants) expect(fastRestore({ ...record, snapshot: changed })).toBeNull();
    // The same values in new objects are the same record.
    expect(fastRestore({ ...record, snapshot: structuredClone(snapshot) })).toEqual(record);
  });

  it('never restores a record with a deadline time or a deadline input, each on its own', () => {
    const record = canonicalOf('payment_cycle', 'CURRENT');
    expect(fastRestore({ ...record, deadlineAt: new Date(at) })).toBeNull();
    expect(fastRestore({ ...record, deadlineInput: 'RENEWAL_DUE_REACHED' })).toBeNull();
    expect(fastRestore(record)).toEqual(record);
  });

  it('is the path applyInput and restoreRecord take for plain inputs and canonical records', () => {
    const record = canonicalOf('service_cycle', 'BATTERY_ISSUED');
    const fast = fastTransition(record, 'BATTERY_RETURNED');
    const applied = applyInput(
      record,
      { cycle: 'service_cycle', input: 'BATTERY_RETURNED' },
      params,
      new Date(at),
    );
    expect(applied).toEqual({ ok: true, from: 'BATTERY_ISSUED', to: 'BATTERY_RETURNED', record: fast });
    // The shared record itself, not XState's copy of it: XState was not asked.
    expect(applied.ok && applied.record).toBe(fast);
    expect(restoreRecord({ ...record })).toBe(fastRestore(record));
  });
});
