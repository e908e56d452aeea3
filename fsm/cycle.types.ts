/**
 * The public types of the two cycles (SPEC §5). Others code against these names and shapes: keep them
 * stable, and bump MACHINE_VERSIONS plus a migration when a persisted shape changes.
 */
export const CYCLES = ['service_cycle', 'payment_cycle'] as const;
export type CycleName = (typeof CYCLES)[number];

export const SERVICE_CYCLE_STATES = [
  'INITIAL',
  'WAIT_BATTERY_ISSUE',
  'BATTERY_ISSUED',
  'BATTERY_RETURNED',
  'BATTERY_LOST',
  'COMPLETE',
] as const;
export type ServiceCycleState = (typeof SERVICE_CYCLE_STATES)[number];

export const PAYMENT_CYCLE_STATES = [
  'INITIAL',
  'DEPOSIT_DUE',
  'CURRENT',
  'RENEWAL_DUE',
  'FINAL_DUE',
  'COMPLETE',
] as const;
export type PaymentCycleState = (typeof PAYMENT_CYCLE_STATES)[number];

export const SERVICE_CYCLE_INPUTS = [
  'PLAN_ACTIVATED',
  'BATTERY_ISSUED',
  'BATTERY_RETURNED',
  'QUOTA_EXHAUSTED',
  'BATTERY_LOST_REPORTED',
  'BATTERY_RECOVERED',
  'PLAN_COMPLETED',
] as const;
export type ServiceCycleInput = (typeof SERVICE_CYCLE_INPUTS)[number];

export const PAYMENT_CYCLE_INPUTS = [
  'PLAN_ACTIVATED',
  'PAYMENT_RECEIVED',
  'RENEWAL_DUE_REACHED',
  'GRACE_PERIOD_EXPIRED',
  'PLAN_COMPLETED',
] as const;
export type PaymentCycleInput = (typeof PAYMENT_CYCLE_INPUTS)[number];

/** The `payment_type` of a PAYMENT_RECEIVED input (SPEC §2.3). */
export const PAYMENT_TYPES = ['DEPOSIT', 'TOP_UP', 'RENEWAL'] as const;
export type PaymentType = (typeof PAYMENT_TYPES)[number];

/** An input as actions report it in `fsmInputs`, e.g. `{ cycle: 'payment_cycle', input: 'PAYMENT_RECEIVED', params: { payment_type: 'TOP_UP' } }`. */
export interface FsmInput {
  cycle: CycleName;
  input: string;
  params?: Record<string, string | number | boolean>;
}

/** From the plan's template. */
export interface CycleParams {
  billingPeriodDays: number;
  gracePeriodDays: number;
  depositRequired: boolean;
}

/** What is stored per plan and cycle (table `fsm_snapshots`). */
export interface CycleRecord {
  cycle: CycleName;
  machineVersion: number;
  state: string;
  /** JSON-serialisable persisted XState snapshot. */
  snapshot: unknown;
  deadlineAt: Date | null;
  deadlineInput: string | null;
}

/** A record as read from storage, possibly written by an older machine version. */
export type RawCycleRecord = CycleRecord;

export type TransitionResult =
  | { ok: true; from: string; to: string; record: CycleRecord }
  | { ok: false; from: string; input: string; reason: string };

/** The context both machines carry: the pending deadline (epoch ms) and the input it fires. */
export interface CycleContext {
  deadlineAt: number | null;
  deadlineInput: string | null;
}

/** The event sent to a machine: the input plus the clock and the template parameters it needs. */
export interface CycleEvent<TInput extends string = string> {
  type: TInput;
  at: number;
  params: CycleParams;
  paymentType: string | null;
}
