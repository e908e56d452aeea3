import type { AnyMachineSnapshot } from 'xstate';
import { SwapdError } from '../src/errors.js';
import type { CycleContext, CycleName, CycleRecord, RawCycleRecord } from './cycle.types.js';
import { type CycleDefinition, definitionOf } from './cycle-registry.js';

/**
 * Between XState snapshots and stored records. The stored snapshot is XState's persisted snapshot,
 * passed through JSON so that what is returned is exactly what survives a database round trip.
 * The snapshot is the truth; `state` and the deadline columns are projections of it.
 */
export function toRecord(cycle: CycleName, snapshot: AnyMachineSnapshot): CycleRecord {
  const def = definitionOf(cycle);
  const context = snapshot.context as CycleContext;
  return {
    cycle,
    machineVersion: def.version,
    state: String(snapshot.value),
    snapshot: JSON.parse(JSON.stringify(def.machine.getPersistedSnapshot(snapshot))),
    deadlineAt: context.deadlineAt === null ? null : new Date(context.deadlineAt),
    deadlineInput: context.deadlineInput,
  };
}

/** A snapshot placed in `state` with `context`, for new and imported records. */
export function snapshotAt(def: CycleDefinition, state: string, context: CycleContext): AnyMachineSnapshot {
  return def.machine.resolveState({ value: state, context });
}

/** Rebuilds the machine snapshot of a current-version record; throws on a corrupt one. */
export function parseSnapshot(raw: RawCycleRecord): AnyMachineSnapshot {
  const def = definitionOf(raw.cycle);
  const persisted = raw.snapshot;
  if (!isObject(persisted)) throw corrupt(raw, 'snapshot', 'is not an object');
  const { value, context, status } = persisted;
  if (typeof value !== 'string' || !def.states.includes(value)) {
    throw corrupt(raw, 'snapshot.value', `is not a ${raw.cycle} state (${def.states.join(', ')})`);
  }
  if (value !== raw.state) throw corrupt(raw, 'state', `column says ${raw.state}, snapshot says ${value}`);
  if (status !== 'active' && status !== 'done')
    throw corrupt(raw, 'snapshot.status', 'is not active or done');
  if (!isCycleContext(context))
    throw corrupt(raw, 'snapshot.context', 'is not { deadlineAt, deadlineInput }');
  return snapshotAt(def, value, { deadlineAt: context.deadlineAt, deadlineInput: context.deadlineInput });
}

function isCycleContext(value: unknown): value is CycleContext {
  if (!isObject(value)) return false;
  const { deadlineAt, deadlineInput } = value;
  const atOk = deadlineAt === null || (typeof deadlineAt === 'number' && Number.isFinite(deadlineAt));
  const inputOk = deadlineInput === null || typeof deadlineInput === 'string';
  return atOk && inputOk && (deadlineAt === null) === (deadlineInput === null);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function corrupt(raw: RawCycleRecord, path: string, message: string): SwapdError {
  return new SwapdError('INTERNAL_ERROR', `stored ${raw.cycle} record is corrupt: ${path} ${message}`, {
    details: [{ path, message }],
  });
}
