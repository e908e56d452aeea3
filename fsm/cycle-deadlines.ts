import type { CycleContext, CycleParams } from './cycle.types.js';

/**
 * Deadlines are columns, not XState `after` delays (SPEC §5): a state's entry stores when its
 * deadline falls and which input the scheduler fires then. Days are exact 24-hour periods in UTC.
 */
export const DAY_MS = 86_400_000;

export const NO_DEADLINE: CycleContext = Object.freeze({ deadlineAt: null, deadlineInput: null });

export function addDays(fromMs: number, days: number): number {
  return fromMs + days * DAY_MS;
}

/** Entering CURRENT: the next renewal falls one billing period from now. */
export function renewalDeadline(atMs: number, params: CycleParams): CycleContext {
  return { deadlineAt: addDays(atMs, params.billingPeriodDays), deadlineInput: 'RENEWAL_DUE_REACHED' };
}

/** Entering RENEWAL_DUE: the grace period runs from now. */
export function graceDeadline(atMs: number, params: CycleParams): CycleContext {
  return { deadlineAt: addDays(atMs, params.gracePeriodDays), deadlineInput: 'GRACE_PERIOD_EXPIRED' };
}

/** A RENEWAL paid early: one more period from the current deadline, so paying early loses no days. */
export function extendedRenewalDeadline(
  context: CycleContext,
  atMs: number,
  params: CycleParams,
): CycleContext {
  const from = context.deadlineAt ?? atMs;
  return { deadlineAt: addDays(from, params.billingPeriodDays), deadlineInput: 'RENEWAL_DUE_REACHED' };
}

/** The deadline a payment_cycle state sets on entry (also used to place imported records). */
export function paymentEntryDeadline(state: string, atMs: number, params: CycleParams): CycleContext {
  if (state === 'CURRENT') return renewalDeadline(atMs, params);
  if (state === 'RENEWAL_DUE') return graceDeadline(atMs, params);
  return NO_DEADLINE;
}

export function isDeadlineReached(context: CycleContext, atMs: number): boolean {
  return context.deadlineAt !== null && atMs >= context.deadlineAt;
}
