/**
 * BESSAI-SPEC-002 limits per battery chemistry (SPEC §8). The critical limits are fixed; the normal
 * limits may be configured, but only strictly inside their critical limit (a configuration outside
 * is refused before anything starts).
 */
export const CHEMISTRIES = ['LFP', 'NMC'] as const;
export type Chemistry = (typeof CHEMISTRIES)[number];

export interface SafetyLimits {
  /** Discharge is blocked at or below this SOC (normal tier). */
  readonly soc_min_pct: number;
  /** Charge is blocked at or above this SOC (normal tier). */
  readonly soc_max_pct: number;
  /** At or below: Safe State. */
  readonly soc_critical_low_pct: number;
  /** At or above: Safe State. */
  readonly soc_critical_high_pct: number;
  /** At or above: |setpoint| derated to DERATE_FACTOR × p_max. */
  readonly t_warn_high_c: number;
  /** At or above: Safe State. */
  readonly t_max_high_c: number;
  /** At or below: no charging. */
  readonly t_min_low_c: number;
  /** At or below: Safe State. */
  readonly t_critical_low_c: number;
}

/** The limits an operator may change (the normal tier). */
export const CONFIGURABLE_LIMITS = ['soc_min_pct', 'soc_max_pct', 't_warn_high_c', 't_min_low_c'] as const;
export type ConfigurableLimit = (typeof CONFIGURABLE_LIMITS)[number];
export type LimitOverrides = Partial<Record<ConfigurableLimit, number>>;

export const DEFAULT_LIMITS: Readonly<Record<Chemistry, SafetyLimits>> = Object.freeze({
  LFP: Object.freeze({
    soc_min_pct: 10,
    soc_max_pct: 95,
    soc_critical_low_pct: 5,
    soc_critical_high_pct: 98,
    t_warn_high_c: 45,
    t_max_high_c: 60,
    t_min_low_c: -10,
    t_critical_low_c: -20,
  }),
  NMC: Object.freeze({
    soc_min_pct: 15,
    soc_max_pct: 90,
    soc_critical_low_pct: 8,
    soc_critical_high_pct: 95,
    t_warn_high_c: 45,
    t_max_high_c: 60,
    t_min_low_c: -10,
    t_critical_low_c: -20,
  }),
});

/** T_WARN_HIGH derating: |setpoint| ≤ this share of p_max. */
export const DERATE_FACTOR = 0.5;
/** Below SOC_MIN + this band, discharge is limited to LOW_SOC_DISCHARGE_FACTOR × p_max. */
export const LOW_SOC_DISCHARGE_BAND_PCT = 5;
export const LOW_SOC_DISCHARGE_FACTOR = 0.5;
/** Last good read older than this blocks control (default), and the smallest value allowed. */
export const DEFAULT_STALE_AFTER_S = 30;
export const MIN_STALE_AFTER_S = 10;

export function isChemistry(value: unknown): value is Chemistry {
  return value === 'LFP' || value === 'NMC';
}

export type LimitsResult = { ok: true; limits: SafetyLimits } | { ok: false; problems: string[] };

/** The chemistry's defaults with the operator's normal-tier overrides, each checked against its critical limit. */
export function resolveLimits(chemistry: Chemistry, overrides: LimitOverrides = {}): LimitsResult {
  const limits: SafetyLimits = { ...DEFAULT_LIMITS[chemistry], ...definedOnly(overrides) };
  const problems = limitProblems(chemistry, limits);
  return problems.length === 0 ? { ok: true, limits: Object.freeze(limits) } : { ok: false, problems };
}

function limitProblems(chemistry: Chemistry, l: SafetyLimits): string[] {
  const checks: [boolean, string][] = [
    [
      l.soc_min_pct > l.soc_critical_low_pct,
      `soc_min_pct ${l.soc_min_pct} must be above SOC_CRITICAL_LOW ${l.soc_critical_low_pct}`,
    ],
    [
      l.soc_max_pct < l.soc_critical_high_pct,
      `soc_max_pct ${l.soc_max_pct} must be below SOC_CRITICAL_HIGH ${l.soc_critical_high_pct}`,
    ],
    [
      l.soc_min_pct < l.soc_max_pct,
      `soc_min_pct ${l.soc_min_pct} must be below soc_max_pct ${l.soc_max_pct}`,
    ],
    [
      l.t_warn_high_c < l.t_max_high_c,
      `t_warn_high_c ${l.t_warn_high_c} must be below T_MAX_HIGH ${l.t_max_high_c}`,
    ],
    [
      l.t_min_low_c > l.t_critical_low_c,
      `t_min_low_c ${l.t_min_low_c} must be above T_CRITICAL_LOW ${l.t_critical_low_c}`,
    ],
    [
      l.t_min_low_c < l.t_warn_high_c,
      `t_min_low_c ${l.t_min_low_c} must be below t_warn_high_c ${l.t_warn_high_c}`,
    ],
  ];
  return checks.filter(([ok]) => !ok).map(([, message]) => `${chemistry}: ${message}`);
}

/** The stale-data limit in milliseconds; below MIN_STALE_AFTER_S (or not a number) is a problem. */
export function resolveStaleAfter(
  seconds: number,
): { ok: true; ms: number } | { ok: false; problem: string } {
  if (!Number.isFinite(seconds) || seconds < MIN_STALE_AFTER_S) {
    return { ok: false, problem: `stale_after_s ${seconds} must be at least ${MIN_STALE_AFTER_S} s` };
  }
  return { ok: true, ms: seconds * 1000 };
}

function definedOnly(overrides: LimitOverrides): LimitOverrides {
  return Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
}
