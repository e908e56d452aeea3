import { initialTransition } from 'xstate';
import { SwapdError } from '../src/errors.js';
import { CYCLES, type CycleName, type CycleParams, type CycleRecord } from './cycle.types.js';
import { assertParams, epochOf } from './cycle-params.js';
import { assertState, definitionOf } from './cycle-registry.js';
import { snapshotAt, toRecord } from './cycle-snapshot.js';
import { applyInput } from './cycle-transition.js';

/** The INITIAL record of a cycle. */
export function createCycle(cycle: CycleName, params: CycleParams, now: Date): CycleRecord {
  assertParams(params);
  epochOf(now);
  const [snapshot] = initialTransition(definitionOf(cycle).machine);
  return toRecord(cycle, snapshot);
}

/** Both cycles after PLAN_ACTIVATED: what a new plan starts with. */
export function activateCycles(params: CycleParams, now: Date): Record<CycleName, CycleRecord> {
  const entries = CYCLES.map((cycle) => {
    const result = applyInput(
      createCycle(cycle, params, now),
      { cycle, input: 'PLAN_ACTIVATED' },
      params,
      now,
    );
    if (!result.ok) throw new SwapdError('INTERNAL_ERROR', `cannot activate ${cycle}: ${result.reason}`);
    return [cycle, result.record] as const;
  });
  return Object.fromEntries(entries) as Record<CycleName, CycleRecord>;
}

/**
 * A record placed directly in a state (importing existing customers), with the deadline that state
 * sets on entry from `now`, or `deadlineAt` when the customer's real deadline is known.
 */
export function recordAt(
  cycle: CycleName,
  state: string,
  params: CycleParams,
  now: Date,
  deadlineAt?: Date,
): CycleRecord {
  assertParams(params);
  assertState(cycle, state);
  const def = definitionOf(cycle);
  const context = def.entryDeadline(state, epochOf(now), params);
  if (deadlineAt !== undefined) {
    if (context.deadlineInput === null) {
      throw new SwapdError('INVALID_VALUE', `${cycle} state ${state} has no deadline to set`);
    }
    context.deadlineAt = epochOf(deadlineAt);
  }
  return toRecord(cycle, snapshotAt(def, state, context));
}
