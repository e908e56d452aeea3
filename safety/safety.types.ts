import type { SafetyLimits } from './safety-limits.js';
import type { SafetyCode } from './safety-reasons.js';

/** What the guard knows of a slot's device: fixed at start-up from its profile and the configuration. */
export interface SlotSafetyProfile {
  readonly limits: SafetyLimits;
  readonly staleAfterMs: number;
  /** Device rating: |setpoint| above it is rejected. */
  readonly pMaxKw: number;
  /** SPEC-001 required tags the profile cannot provide: the device is never controlled. */
  readonly unsupportedRequiredTags: readonly string[];
  /** Alarm tag → bit numbers that put the slot in Safe State. */
  readonly criticalAlarmBits: Readonly<Record<string, readonly number[]>>;
}

/** The last good reading of a slot (physical units, SPEC-001 tags). */
export interface SlotReading {
  readonly soc_pct: number;
  readonly temperature_c: number;
  /** Alarm tag → bitmap (alarm_code, and any other alarm tag the profile names). */
  readonly alarms: Readonly<Record<string, number>>;
  /** False when the slot reports that it holds no battery. */
  readonly battery_present: boolean;
}

/** What the runtime observed of the slot, at the time of the decision. */
export interface SlotObservation {
  readonly connected: boolean;
  readonly lastGoodReadAt: Date | null;
  /** Null until the first good read. */
  readonly reading: SlotReading | null;
}

/** Safe State latch of one slot: the reasons that latched it and since when; empty = not latched. */
export interface LatchState {
  readonly reasons: readonly SafetyCode[];
  readonly since: Date | null;
}

export const UNLATCHED: LatchState = Object.freeze({
  reasons: Object.freeze([]) as readonly SafetyCode[],
  since: null,
});

export interface SlotSafetyState {
  readonly profile: SlotSafetyProfile;
  readonly observation: SlotObservation;
  readonly latch: LatchState;
}

/** A power request in SPEC-001 sign: negative = charge, positive = discharge, 0 = idle. */
export interface SetpointRequest {
  readonly setpointKw: number;
}

/** SPEC-001 mode_cmd: 0 idle, 1 charge, 2 discharge. */
export type ModeCommand = 0 | 1 | 2;

export interface SafetyDecision {
  readonly allowed: boolean;
  /** What may be written: the (possibly derated) request, or 0 when refused. */
  readonly setpoint: number;
  readonly mode: ModeCommand;
  /** Every rule that applies, blocking and derating alike, in catalogue order. */
  readonly reasons: readonly SafetyCode[];
  readonly derated: boolean;
  /** The slot's latch after this decision (new Safe State reasons added). */
  readonly latch: LatchState;
}
