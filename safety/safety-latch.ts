import { type LatchState, type SlotSafetyState, UNLATCHED } from './safety.types.js';
import { standingConditions } from './safety-conditions.js';
import type { SafetyCode } from './safety-reasons.js';

export type ClearResult =
  | { outcome: 'cleared'; latch: LatchState; cleared: readonly SafetyCode[] }
  | { outcome: 'not_latched'; latch: LatchState }
  | { outcome: 'refused'; latch: LatchState; reasons: readonly SafetyCode[] };

/**
 * An operator's request to leave Safe State. Refused while any cause is still present, and while the
 * slot cannot be seen (not connected, stale data): the guard must know the cause is gone.
 */
export function clearLatch(state: SlotSafetyState, now: Date): ClearResult {
  if (state.latch.reasons.length === 0) return { outcome: 'not_latched', latch: state.latch };
  const present = standingConditions(state, now).filter((c) => c !== 'SAFETY_REQUIRED_TAG_MISSING');
  if (present.length > 0) return { outcome: 'refused', latch: state.latch, reasons: present };
  return { outcome: 'cleared', latch: UNLATCHED, cleared: state.latch.reasons };
}
