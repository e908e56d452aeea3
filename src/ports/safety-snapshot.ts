/**
 * A read-only picture of the SafetyGuard per charging slot, for the operator surface (station page,
 * /health, `swapd safety status`). Nothing reachable from here can change a slot.
 */
export interface SlotSafetySnapshot {
  device_id: string;
  source: string;
  connected: boolean;
  /** False when the profile lacks a required tag: the slot is never written to. */
  controlled: boolean;
  latched: boolean;
  latch_reasons: string[];
  latched_since: string | null;
  /** Every rule that applied to the last decision (SAFETY_* codes). */
  reasons: string[];
  allowed: boolean | null;
  derated: boolean;
  /** The command the guard last wrote (SPEC-001 sign: negative = charge); null before the first write. */
  setpoint_kw: number | null;
  mode_cmd: number | null;
  /** Measured charging power (kW, positive while charging). */
  charging_power_kw: number | null;
  soc_pct: number | null;
  temperature_c: number | null;
  last_good_read_at: string | null;
}

export interface SafetySnapshotSource {
  safetySnapshot(): SlotSafetySnapshot[];
}
