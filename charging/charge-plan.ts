/**
 * The charging policy of a swap station, pure: which slots want charge, how much each would take,
 * and how the station's grid limit is shared among them. The SafetyGuard still judges every setpoint
 * this produces (src/runtime/guarded-station.ts); this module only proposes.
 */
export interface ChargeSettings {
  /** Charge towards this SOC. */
  readonly targetSocPct: number;
  /** A slot that reached its target starts again only below target − this (no toggling). */
  readonly restartBelowPct: number;
  /** Within this many SOC points of the target the power tapers linearly… */
  readonly taperBandPct: number;
  /** …but not below this share of the slot's maximum, so the target is reached. */
  readonly minTaperShare: number;
  /** Setpoints are whole multiples of this (kW), rounded down. */
  readonly stepKw: number;
}

export const DEFAULT_CHARGE_SETTINGS: Omit<ChargeSettings, 'targetSocPct'> = Object.freeze({
  restartBelowPct: 2,
  taperBandPct: 5,
  minTaperShare: 0.1,
  stepKw: 0.1,
});

/** Whether a battery at `socPct` should be charging, given whether it was charging on the last poll. */
export function wantsCharge(
  socPct: number,
  targetPct: number,
  wasCharging: boolean,
  restartBelowPct: number,
): boolean {
  return wasCharging ? socPct < targetPct : socPct < targetPct - restartBelowPct;
}

/** The power a slot would take now: its maximum, tapering over the last `taperBandPct` points. */
export function taperedKw(
  socPct: number,
  targetPct: number,
  maxKw: number,
  settings: ChargeSettings,
): number {
  const remaining = targetPct - socPct;
  if (remaining <= 0 || maxKw <= 0) return 0;
  const share = Math.min(1, Math.max(settings.minTaperShare, remaining / settings.taperBandPct));
  return maxKw * share;
}

export interface Demand {
  readonly id: string;
  readonly kw: number;
}

/**
 * Max-min fair shares of `limitKw` (water-filling): slots are served smallest demand first, each gets
 * at most an equal share of what is left, and what a small demand leaves goes to the others. Shares
 * are rounded down to `stepKw`, so their sum never exceeds the limit.
 */
export function shareFairly(
  demands: readonly Demand[],
  limitKw: number,
  stepKw: number,
): Map<string, number> {
  const shares = new Map<string, number>();
  const wanting = demands.filter((d) => d.kw > 0).sort((a, b) => a.kw - b.kw || a.id.localeCompare(b.id));
  let left = Math.max(0, limitKw);
  wanting.forEach((d, i) => {
    const equal = left / (wanting.length - i);
    const given = floorTo(Math.min(d.kw, equal), stepKw);
    shares.set(d.id, given);
    left -= given;
  });
  for (const d of demands) if (!shares.has(d.id)) shares.set(d.id, 0);
  return shares;
}

/** Rounds down to a whole number of steps (with a guard against binary fractions like 2.9999999). */
export function floorTo(value: number, step: number): number {
  if (value <= 0) return 0;
  const steps = Math.floor(value / step + 1e-9);
  return Number((steps * step).toFixed(6));
}
