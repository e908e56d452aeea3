import type { SlotReading, SlotSafetyProfile, SlotSafetyState } from './safety.types.js';
import { DERATE_FACTOR, LOW_SOC_DISCHARGE_BAND_PCT, LOW_SOC_DISCHARGE_FACTOR } from './safety-limits.js';
import type { SafetyCode } from './safety-reasons.js';

export type Direction = 'charge' | 'discharge' | 'idle';

export function directionOf(setpointKw: number): Direction {
  if (setpointKw < 0) return 'charge';
  return setpointKw > 0 ? 'discharge' : 'idle';
}

/**
 * Conditions that hold whatever is requested: they put the slot in Safe State, or make its data
 * untrustworthy. Used both to decide and to refuse a clear while the cause is still present.
 */
export function standingConditions(state: SlotSafetyState, now: Date): SafetyCode[] {
  const { profile, observation } = state;
  const codes: SafetyCode[] = [];
  if (profile.unsupportedRequiredTags.length > 0) codes.push('SAFETY_REQUIRED_TAG_MISSING');
  if (!observation.connected) codes.push('SAFETY_NOT_CONNECTED');
  if (isStale(observation.lastGoodReadAt, profile.staleAfterMs, now)) codes.push('SAFETY_STALE_DATA');
  const reading = observation.reading;
  if (reading?.battery_present) codes.push(...batteryConditions(profile, reading));
  return codes;
}

export function isStale(lastGoodReadAt: Date | null, staleAfterMs: number, now: Date): boolean {
  return lastGoodReadAt === null || now.getTime() - lastGoodReadAt.getTime() > staleAfterMs;
}

function batteryConditions(profile: SlotSafetyProfile, reading: SlotReading): SafetyCode[] {
  const l = profile.limits;
  const codes: SafetyCode[] = [];
  if (reading.soc_pct <= l.soc_critical_low_pct) codes.push('SAFETY_SOC_CRITICAL_LOW');
  if (reading.soc_pct >= l.soc_critical_high_pct) codes.push('SAFETY_SOC_CRITICAL_HIGH');
  if (reading.temperature_c >= l.t_max_high_c) codes.push('SAFETY_TEMP_CRITICAL_HIGH');
  if (reading.temperature_c <= l.t_critical_low_c) codes.push('SAFETY_TEMP_CRITICAL_LOW');
  if (hasCriticalAlarm(profile.criticalAlarmBits, reading.alarms)) codes.push('SAFETY_CRITICAL_ALARM');
  return codes;
}

export function hasCriticalAlarm(
  critical: Readonly<Record<string, readonly number[]>>,
  alarms: Readonly<Record<string, number>>,
): boolean {
  return Object.entries(critical).some(([tag, bits]) => {
    const value = alarms[tag] ?? 0;
    return bits.some((bit) => Math.floor(value / 2 ** bit) % 2 === 1);
  });
}

/** Conditions that depend on the direction (and size) of the request. */
export function requestConditions(
  profile: SlotSafetyProfile,
  reading: SlotReading | null,
  setpointKw: number,
): SafetyCode[] {
  if (!Number.isFinite(setpointKw)) return ['SAFETY_INVALID_REQUEST'];
  const direction = directionOf(setpointKw);
  if (direction === 'idle') return [];
  const codes: SafetyCode[] = [];
  if (Math.abs(setpointKw) > profile.pMaxKw) codes.push('SAFETY_SETPOINT_OVER_PMAX');
  if (reading && !reading.battery_present) return [...codes, 'SAFETY_NO_BATTERY'];
  if (reading) codes.push(...directional(profile, reading, direction));
  return codes;
}

function directional(profile: SlotSafetyProfile, reading: SlotReading, direction: Direction): SafetyCode[] {
  const l = profile.limits;
  const codes: SafetyCode[] = [];
  if (direction === 'discharge' && reading.soc_pct <= l.soc_min_pct) codes.push('SAFETY_SOC_BELOW_MIN');
  if (direction === 'charge' && reading.soc_pct >= l.soc_max_pct) codes.push('SAFETY_SOC_ABOVE_MAX');
  if (direction === 'charge' && reading.temperature_c <= l.t_min_low_c)
    codes.push('SAFETY_TEMP_BELOW_MIN_CHARGE');
  if (direction === 'discharge' && reading.soc_pct < l.soc_min_pct + LOW_SOC_DISCHARGE_BAND_PCT) {
    codes.push('SAFETY_LOW_SOC_DISCHARGE_LIMIT');
  }
  if (reading.temperature_c >= l.t_warn_high_c) codes.push('SAFETY_TEMP_DERATE');
  return codes;
}

/** The largest |setpoint| the derating rules leave for this request. */
export function deratedCapKw(profile: SlotSafetyProfile, codes: readonly SafetyCode[]): number {
  let cap = profile.pMaxKw;
  if (codes.includes('SAFETY_TEMP_DERATE')) cap = Math.min(cap, profile.pMaxKw * DERATE_FACTOR);
  if (codes.includes('SAFETY_LOW_SOC_DISCHARGE_LIMIT')) {
    cap = Math.min(cap, profile.pMaxKw * LOW_SOC_DISCHARGE_FACTOR);
  }
  return cap;
}
