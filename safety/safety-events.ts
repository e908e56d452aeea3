import type { SafetyDecision, SlotReading } from './safety.types.js';
import { effectOf, SAFETY_REASONS, type SafetyCode } from './safety-reasons.js';

/** SPEC-003 safety_event types (seed 004 §4.2). */
export const SAFETY_EVENT_TYPES = [
  'DISPATCH_BLOCKED',
  'SAFE_STATE_ENTERED',
  'SAFE_STATE_CLEARED',
  'STALE_DATA_BLOCK',
] as const;
export type SafetyEventType = (typeof SAFETY_EVENT_TYPES)[number];

export interface SafetyEventPlan {
  readonly event_type: SafetyEventType;
  readonly reasons: readonly SafetyCode[];
  readonly resolution_required: boolean;
}

/** A block that is neither Safe State, the latch itself, nor stale data: a refused dispatch. */
function isDispatchBlock(code: SafetyCode): boolean {
  return effectOf(code) === 'block' && code !== 'SAFETY_LATCHED';
}

/**
 * The safety events between two consecutive decisions of one slot: a new Safe State reason, a new
 * stale-data block, a new refusal. A condition that persists is not announced again.
 */
export function eventsBetween(previous: SafetyDecision | null, next: SafetyDecision): SafetyEventPlan[] {
  const before = (code: SafetyCode) => previous?.reasons.includes(code) ?? false;
  const latchedBefore = (code: SafetyCode) => previous?.latch.reasons.includes(code) ?? false;
  const plans: SafetyEventPlan[] = [];
  const newlyLatched = next.latch.reasons.filter((r) => !latchedBefore(r));
  if (newlyLatched.length > 0) {
    plans.push({ event_type: 'SAFE_STATE_ENTERED', reasons: newlyLatched, resolution_required: true });
  }
  if (next.reasons.includes('SAFETY_STALE_DATA') && !before('SAFETY_STALE_DATA')) {
    plans.push({
      event_type: 'STALE_DATA_BLOCK',
      reasons: ['SAFETY_STALE_DATA'],
      resolution_required: false,
    });
  }
  const refused = next.reasons.filter((r) => isDispatchBlock(r) && !before(r));
  if (refused.length > 0) {
    plans.push({ event_type: 'DISPATCH_BLOCKED', reasons: refused, resolution_required: false });
  }
  return plans;
}

/** The event of an operator clearing a slot's Safe State. */
export function clearedEvent(cleared: readonly SafetyCode[]): SafetyEventPlan {
  return { event_type: 'SAFE_STATE_CLEARED', reasons: cleared, resolution_required: false };
}

export interface SafetyEventPayload {
  event_type: SafetyEventType;
  trigger_condition: string;
  soc_pct: number;
  temperature_c: number;
  alarm_code?: number;
  action_taken: string;
  resolution_required: boolean;
  device_id: string;
  reasons: SafetyCode[];
  /** False when the slot never answered: soc_pct and temperature_c are then 0 and mean nothing. */
  reading_available: boolean;
}

/** The seed-004 payload of one event: the reasons in words, the last reading, what the guard did. */
export function eventPayload(
  plan: SafetyEventPlan,
  deviceId: string,
  reading: SlotReading | null,
  actionTaken: string,
): SafetyEventPayload {
  const alarm = reading?.alarms.alarm_code;
  return {
    event_type: plan.event_type,
    trigger_condition: plan.reasons.map((r) => `${r}: ${SAFETY_REASONS[r].meaning}`).join('; '),
    soc_pct: reading?.soc_pct ?? 0,
    temperature_c: reading?.temperature_c ?? 0,
    ...(alarm === undefined ? {} : { alarm_code: Math.trunc(alarm) }),
    action_taken: actionTaken,
    resolution_required: plan.resolution_required,
    device_id: deviceId,
    reasons: [...plan.reasons],
    reading_available: reading !== null,
  };
}
