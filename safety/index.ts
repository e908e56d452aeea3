/**
 * The SafetyGuard (BESSAI-SPEC-002 rules, SPEC §8): pure decisions on charging setpoints. Nothing
 * here performs I/O; src/runtime/guarded-station.ts is the only code that writes what it allows.
 * Rules, numbers and what an operator sees: docs/safety.md.
 */

export type {
  LatchState,
  ModeCommand,
  SafetyDecision,
  SetpointRequest,
  SlotObservation,
  SlotReading,
  SlotSafetyProfile,
  SlotSafetyState,
} from './safety.types.js';
export { UNLATCHED } from './safety.types.js';
export type { Direction } from './safety-conditions.js';
export {
  deratedCapKw,
  directionOf,
  hasCriticalAlarm,
  isStale,
  requestConditions,
  standingConditions,
} from './safety-conditions.js';
export { evaluate, inCatalogueOrder, latchWith, modeOf } from './safety-evaluate.js';
export {
  clearedEvent,
  eventPayload,
  eventsBetween,
  SAFETY_EVENT_TYPES,
  type SafetyEventPayload,
  type SafetyEventPlan,
  type SafetyEventType,
} from './safety-events.js';
export { type ClearResult, clearLatch } from './safety-latch.js';
export {
  CHEMISTRIES,
  type Chemistry,
  CONFIGURABLE_LIMITS,
  type ConfigurableLimit,
  DEFAULT_LIMITS,
  DEFAULT_STALE_AFTER_S,
  DERATE_FACTOR,
  isChemistry,
  type LimitOverrides,
  type LimitsResult,
  LOW_SOC_DISCHARGE_BAND_PCT,
  LOW_SOC_DISCHARGE_FACTOR,
  MIN_STALE_AFTER_S,
  resolveLimits,
  resolveStaleAfter,
  type SafetyLimits,
} from './safety-limits.js';
export {
  effectOf,
  isBlocking,
  isDerating,
  isSafeStateCode,
  isSafetyCode,
  SAFETY_CODES,
  SAFETY_REASONS,
  type SafetyCode,
  type SafetyEffect,
  type SafetyReasonInfo,
} from './safety-reasons.js';
