import type { AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { CYCLES, type CycleName, type CycleRecord, type RawCycleRecord } from './cycle.types.js';
import { NO_DEADLINE } from './cycle-deadlines.js';
import { definitionOf } from './cycle-registry.js';
import { snapshotAt, toRecord } from './cycle-snapshot.js';

/**
 * What the machines say without running them, worked out from their definitions once, at start-up.
 *
 * A *plain* transition is one an input always takes in a state, changing nothing but the state: a
 * single candidate with no guard and no actions, into a state that is not final and has no entry
 * actions, out of a state with no exit actions. Taken from a record without a deadline, it leads to the
 * record of its target state without a deadline — the same record XState builds (pinned by
 * test/unit/fsm-fast-path.test.ts for every plain transition). The machines stay the definition:
 * anything else (guards, deadlines, final states, older machine versions) goes through XState.
 */
type Key = `${CycleName}|${string}|${string}`;

function hasActions(list: readonly unknown[] | undefined): boolean {
  return (list?.length ?? 0) > 0;
}

function plainTarget(source: AnyStateNode, candidates: readonly AnyTransitionDefinition[]): string | null {
  if (candidates.length !== 1 || hasActions(source.exit)) return null;
  const [t] = candidates as [AnyTransitionDefinition];
  if (t.guard !== undefined || hasActions(t.actions) || (t.target?.length ?? 0) > 1) return null;
  const target = t.target?.[0] ?? source;
  if (target.type === 'final' || hasActions(target.entry) || hasActions(target.always)) return null;
  return target.key;
}

function buildPlainTransitions(): ReadonlyMap<Key, string> {
  const table = new Map<Key, string>();
  for (const cycle of CYCLES) {
    const root = definitionOf(cycle).machine.root;
    for (const [state, node] of Object.entries(root.states as Record<string, AnyStateNode>)) {
      for (const [input, candidates] of node.transitions) {
        const target = plainTarget(node, candidates);
        if (target !== null) table.set(`${cycle}|${state}|${input}`, target);
      }
    }
  }
  return table;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const PLAIN = buildPlainTransitions();

/** The record XState builds for each state without a deadline: built at start-up, then shared, frozen. */
const CANONICAL: ReadonlyMap<string, CycleRecord> = new Map(
  CYCLES.flatMap((cycle) =>
    definitionOf(cycle).states.map(
      (state) =>
        [
          `${cycle}|${state}`,
          deepFreeze(toRecord(cycle, snapshotAt(definitionOf(cycle), state, { ...NO_DEADLINE }))),
        ] as const,
    ),
  ),
);

function canonical(cycle: CycleName, state: string): CycleRecord | undefined {
  return CANONICAL.get(`${cycle}|${state}`);
}

/** Equal JSON values, whatever the order of object keys (jsonb stores them in an order of its own). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && sameJson(ra[k], rb[k]));
}

/** The current machine's record of a stored record's state, when the stored one is exactly it (no deadline). */
function canonicalOf(raw: RawCycleRecord): CycleRecord | null {
  const def = definitionOf(raw.cycle);
  if (raw.machineVersion !== def.version || raw.deadlineAt !== null || raw.deadlineInput !== null)
    return null;
  const record = canonical(raw.cycle, raw.state);
  return record !== undefined && sameJson(raw.snapshot, record.snapshot) ? record : null;
}

/** A stored record restored without XState when it is canonical; null: restore it the long way. */
export function fastRestore(raw: RawCycleRecord): CycleRecord | null {
  return canonicalOf(raw);
}

/** The record after a plain transition from a canonical record; null: ask XState. */
export function fastTransition(record: CycleRecord, input: string): CycleRecord | null {
  const target = PLAIN.get(`${record.cycle}|${record.state}|${input}`);
  if (target === undefined || canonicalOf(record) === null) return null;
  return canonical(record.cycle, target) ?? null;
}

/** The plain transitions found in the machines, as `cycle|state|input → target` (for the tests). */
export function plainTransitions(): ReadonlyMap<string, string> {
  return PLAIN;
}
