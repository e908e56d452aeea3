import { describe, expect, it } from 'vitest';
import { transition } from 'xstate';
import { CYCLES, type CycleName } from '../../fsm/cycle.types.js';
import { NO_DEADLINE } from '../../fsm/cycle-deadlines.js';
import { fastRestore, fastTransition, plainTransitions } from '../../fsm/cycle-fast-path.js';
import { definitionOf } from '../../fsm/cycle-registry.js';
import { snapshotAt, toRecord } from '../../fsm/cycle-snapshot.js';

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
});
