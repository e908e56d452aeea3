import { type AnyMachineSnapshot, type AnyTransitionDefinition, transition } from 'xstate';
import type {
  CycleEvent,
  CycleName,
  CycleParams,
  CycleRecord,
  FsmInput,
  TransitionResult,
} from './cycle.types.js';
import { fastTransition } from './cycle-fast-path.js';
import { assertParams, epochOf } from './cycle-params.js';
import { type CycleDefinition, definitionOf } from './cycle-registry.js';
import { restoreRecord } from './cycle-restore.js';
import { parseSnapshot, toRecord } from './cycle-snapshot.js';

/**
 * Applies one input to one record with XState's pure `transition`: no actor, no timer, no I/O.
 * An input the state does not accept is a refusal value (ok:false), never an exception.
 */
export function applyInput(
  record: CycleRecord,
  input: FsmInput,
  params: CycleParams,
  now: Date,
): TransitionResult {
  assertParams(params);
  const at = epochOf(now);
  if (input.cycle !== record.cycle) {
    return refused(
      record.state,
      input.input,
      `input for ${input.cycle} cannot be applied to ${record.cycle}`,
    );
  }
  const fast = fastTransition(record, input.input);
  if (fast) return { ok: true, from: record.state, to: fast.state, record: fast };
  const def = definitionOf(record.cycle);
  const snapshot = parseSnapshot(restoreRecord(record));
  const event = toEvent(input, params, at);
  if (!isAccepted(def, snapshot, event)) {
    return refused(record.state, input.input, refusalReason(record.cycle, snapshot, event));
  }
  const [next] = transition(def.machine, snapshot, event);
  const nextRecord = toRecord(record.cycle, next);
  return { ok: true, from: String(snapshot.value), to: nextRecord.state, record: nextRecord };
}

/** The input the scheduler fires for this record, once its deadline has come. */
export function dueInput(record: CycleRecord, now: Date): FsmInput | null {
  if (record.deadlineAt === null || record.deadlineInput === null) return null;
  if (record.deadlineAt.getTime() > epochOf(now)) return null;
  return { cycle: record.cycle, input: record.deadlineInput };
}

/** The inputs a state has transitions for (some are accepted only when their guard holds). */
export function acceptedInputs(cycle: CycleName, state: string): string[] {
  const node = stateNode(definitionOf(cycle), state);
  return node ? [...node.transitions.keys()] : [];
}

function toEvent(input: FsmInput, params: CycleParams, at: number): CycleEvent {
  const p = input.params ?? {};
  const override = p.deposit_required ?? p.depositRequired;
  const depositRequired = typeof override === 'boolean' ? override : params.depositRequired;
  const paymentType = typeof p.payment_type === 'string' ? p.payment_type : null;
  return { type: input.input, at, params: { ...params, depositRequired }, paymentType };
}

function isAccepted(def: CycleDefinition, snapshot: AnyMachineSnapshot, event: CycleEvent): boolean {
  return snapshot.status === 'active' && def.machine.getTransitionData(snapshot, event).length > 0;
}

function refused(from: string, input: string, reason: string): TransitionResult {
  return { ok: false, from, input, reason };
}

function refusalReason(cycle: CycleName, snapshot: AnyMachineSnapshot, event: CycleEvent): string {
  const def = definitionOf(cycle);
  const state = String(snapshot.value);
  const accepted = acceptedInputs(cycle, state).map((type) => describeInput(def, snapshot, type));
  const list = accepted.length > 0 ? accepted.join(', ') : 'none (final state)';
  return `${cycle} in state ${state} does not accept ${describeEvent(event)}; accepted inputs: ${list}`;
}

function describeEvent(event: CycleEvent): string {
  if (event.type === 'PAYMENT_RECEIVED')
    return `PAYMENT_RECEIVED(payment_type ${event.paymentType ?? 'missing'})`;
  if (DEADLINE_INPUTS.has(event.type)) return `${event.type}(at ${new Date(event.at).toISOString()})`;
  return event.type;
}

const DEADLINE_INPUTS: ReadonlySet<string> = new Set(['RENEWAL_DUE_REACHED', 'GRACE_PERIOD_EXPIRED']);

/** `PAYMENT_RECEIVED(payment_type DEPOSIT|TOP_UP)`, `RENEWAL_DUE_REACHED(at or after <deadline>)`, `PLAN_COMPLETED`. */
function describeInput(def: CycleDefinition, snapshot: AnyMachineSnapshot, type: string): string {
  const transitions: AnyTransitionDefinition[] =
    stateNode(def, String(snapshot.value))?.transitions.get(type) ?? [];
  if (transitions.some((t) => t.guard === undefined)) return type;
  const paymentTypes = transitions.map((t) => guardParam(t, 'paymentType')).filter((v) => v !== undefined);
  if (paymentTypes.length > 0) return `${type}(payment_type ${paymentTypes.join('|')})`;
  const deadlineAt = snapshot.context.deadlineAt as number | null;
  const when = deadlineAt === null ? 'never' : new Date(deadlineAt).toISOString();
  return `${type}(at or after ${when})`;
}

function guardParam(t: AnyTransitionDefinition, key: string): string | undefined {
  const guard = t.guard as { params?: Record<string, unknown> } | undefined;
  const value = guard?.params?.[key];
  return typeof value === 'string' ? value : undefined;
}

function stateNode(def: CycleDefinition, state: string) {
  return def.machine.root.states[state];
}
