/**
 * The SafetyGuard's reason codes: one per rule of BESSAI-SPEC-002 (SPEC §8), each with its effect.
 * `block` refuses the request (the safe command is written instead), `safe_state` also latches the
 * slot until an operator clears it, `stale` blocks until reads are good again, `derate` lowers the
 * setpoint but lets it through.
 */
export type SafetyEffect = 'block' | 'safe_state' | 'stale' | 'derate';

export interface SafetyReasonInfo {
  readonly rule: number;
  readonly effect: SafetyEffect;
  readonly meaning: string;
}

export const SAFETY_REASONS = {
  SAFETY_SOC_BELOW_MIN: { rule: 1, effect: 'block', meaning: 'discharge requested at or below SOC_MIN' },
  SAFETY_SOC_ABOVE_MAX: { rule: 2, effect: 'block', meaning: 'charge requested at or above SOC_MAX' },
  SAFETY_SOC_CRITICAL_LOW: { rule: 3, effect: 'safe_state', meaning: 'SOC at or below SOC_CRITICAL_LOW' },
  SAFETY_SOC_CRITICAL_HIGH: { rule: 4, effect: 'safe_state', meaning: 'SOC at or above SOC_CRITICAL_HIGH' },
  SAFETY_LOW_SOC_DISCHARGE_LIMIT: {
    rule: 5,
    effect: 'derate',
    meaning: 'SOC below SOC_MIN + 5: discharge limited to 50 % of p_max',
  },
  SAFETY_TEMP_DERATE: {
    rule: 6,
    effect: 'derate',
    meaning: 'temperature at or above T_WARN_HIGH: 50 % of p_max',
  },
  SAFETY_TEMP_CRITICAL_HIGH: { rule: 7, effect: 'safe_state', meaning: 'temperature at or above T_MAX_HIGH' },
  SAFETY_TEMP_BELOW_MIN_CHARGE: {
    rule: 8,
    effect: 'block',
    meaning: 'charge requested at or below T_MIN_LOW',
  },
  SAFETY_TEMP_CRITICAL_LOW: {
    rule: 9,
    effect: 'safe_state',
    meaning: 'temperature at or below T_CRITICAL_LOW',
  },
  SAFETY_SETPOINT_OVER_PMAX: { rule: 10, effect: 'block', meaning: '|setpoint| above the device p_max' },
  SAFETY_CRITICAL_ALARM: { rule: 11, effect: 'safe_state', meaning: 'a safety-critical alarm bit is set' },
  SAFETY_NOT_CONNECTED: { rule: 12, effect: 'block', meaning: 'the driver is not connected' },
  SAFETY_STALE_DATA: {
    rule: 13,
    effect: 'stale',
    meaning: 'the last good read is older than the stale limit',
  },
  SAFETY_REQUIRED_TAG_MISSING: {
    rule: 14,
    effect: 'block',
    meaning: 'the device profile lacks a required tag (unsupported_required_tags)',
  },
  SAFETY_LATCHED: { rule: 15, effect: 'block', meaning: 'Safe State is latched until an operator clears it' },
  SAFETY_NO_BATTERY: { rule: 16, effect: 'block', meaning: 'no battery in the slot: only idle is allowed' },
  SAFETY_INVALID_REQUEST: {
    rule: 17,
    effect: 'block',
    meaning: 'the requested setpoint is not a finite number',
  },
} as const satisfies Record<string, SafetyReasonInfo>;

export type SafetyCode = keyof typeof SAFETY_REASONS;
export const SAFETY_CODES = Object.keys(SAFETY_REASONS) as SafetyCode[];

export function effectOf(code: SafetyCode): SafetyEffect {
  return SAFETY_REASONS[code].effect;
}

export function isSafeStateCode(code: SafetyCode): boolean {
  return effectOf(code) === 'safe_state';
}

export function isDerating(code: SafetyCode): boolean {
  return effectOf(code) === 'derate';
}

/** Codes that refuse the request (everything but derating). */
export function isBlocking(code: SafetyCode): boolean {
  return !isDerating(code);
}

export function isSafetyCode(value: unknown): value is SafetyCode {
  return typeof value === 'string' && Object.hasOwn(SAFETY_REASONS, value);
}
