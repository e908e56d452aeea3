import type {
  LatchState,
  ModeCommand,
  SafetyDecision,
  SetpointRequest,
  SlotSafetyState,
} from './safety.types.js';
import { deratedCapKw, requestConditions, standingConditions } from './safety-conditions.js';
import { isBlocking, isDerating, isSafeStateCode, SAFETY_CODES, type SafetyCode } from './safety-reasons.js';

/**
 * The SafetyGuard's decision for one request on one slot (BESSAI-SPEC-002, SPEC §8). Pure: it returns
 * what may be written and why, and the slot's next latch; it writes nothing. Every applicable rule is
 * reported. A refused request becomes the safe command (0 kW, mode idle).
 */
export function evaluate(state: SlotSafetyState, request: SetpointRequest, now: Date): SafetyDecision {
  const standing = standingConditions(state, now);
  const latch = latchWith(state.latch, standing.filter(isSafeStateCode), now);
  const found = [
    ...standing,
    ...requestConditions(state.profile, state.observation.reading, request.setpointKw),
  ];
  if (latch.reasons.length > 0) found.push('SAFETY_LATCHED');
  const reasons = inCatalogueOrder(found);
  if (reasons.some(isBlocking)) {
    return { allowed: false, setpoint: 0, mode: 0, reasons, derated: false, latch };
  }
  const magnitude = Math.min(Math.abs(request.setpointKw), deratedCapKw(state.profile, reasons));
  const setpoint = magnitude === 0 ? 0 : Math.sign(request.setpointKw) * magnitude;
  return {
    allowed: true,
    setpoint,
    mode: modeOf(setpoint),
    reasons,
    derated: reasons.some(isDerating),
    latch,
  };
}

/** SPEC-001 mode_cmd for a setpoint: charge below zero, discharge above, idle at zero. */
export function modeOf(setpointKw: number): ModeCommand {
  if (setpointKw < 0) return 1;
  return setpointKw > 0 ? 2 : 0;
}

/** The latch with further Safe State reasons added; the first one sets `since`. */
export function latchWith(latch: LatchState, reasons: readonly SafetyCode[], now: Date): LatchState {
  const added = reasons.filter((r) => !latch.reasons.includes(r));
  if (added.length === 0) return latch;
  return {
    reasons: inCatalogueOrder([...latch.reasons, ...added]),
    since: latch.since ?? now,
  };
}

export function inCatalogueOrder(codes: readonly SafetyCode[]): SafetyCode[] {
  return SAFETY_CODES.filter((c) => codes.includes(c));
}
