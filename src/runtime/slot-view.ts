import {
  inCatalogueOrder,
  isSafeStateCode,
  isSafetyCode,
  type LatchState,
  type SafetyDecision,
  type SlotObservation,
  type SlotReading,
  type SlotSafetyProfile,
} from '../../safety/index.js';
import type { SlotSafetySnapshot } from '../ports/safety-snapshot.js';

/** What the guarded station knows of one slot, for its operator picture (nothing here writes). */
export interface SlotView {
  readonly id: string;
  readonly source: string;
  readonly controlled: boolean;
  readonly observation: SlotObservation;
  readonly latch: LatchState;
  readonly last: SafetyDecision | null;
  readonly held: { readonly setpoint: number; readonly mode: number } | null;
  readonly powerKw: number | null;
}

/**
 * A latch an earlier run left open, as the guard holds it again: its Safe State reasons (anything
 * else is dropped) and the decision it stands for, so a persisting cause is not announced twice.
 * Null when nothing of it is a Safe State reason.
 */
export function restoredLatch(
  reasons: readonly string[],
  since: Date,
): { latch: LatchState; decision: SafetyDecision } | null {
  const codes = inCatalogueOrder(reasons.filter(isSafetyCode).filter(isSafeStateCode));
  if (codes.length === 0) return null;
  const latch: LatchState = { reasons: codes, since };
  const decision: SafetyDecision = {
    allowed: false,
    setpoint: 0,
    mode: 0,
    reasons: inCatalogueOrder([...codes, 'SAFETY_LATCHED']),
    derated: false,
    latch,
  };
  return { latch, decision };
}

/** The guard's reading of a slot from one batch read (null until SOC and temperature are known). */
export function readingOf(values: Record<string, number>, profile: SlotSafetyProfile): SlotReading | null {
  const soc = values['SOC_%'];
  const temperature = values.T_battery_C;
  if (soc === undefined || temperature === undefined) return null;
  const alarmTags = new Set(['alarm_code', ...Object.keys(profile.criticalAlarmBits)]);
  const alarms = Object.fromEntries(
    [...alarmTags].filter((t) => values[t] !== undefined).map((t) => [t, values[t] as number]),
  );
  const present = values.battery_present;
  return {
    soc_pct: soc,
    temperature_c: temperature,
    alarms,
    battery_present: present === undefined || present >= 0.5,
  };
}

export function snapshotOf(slot: SlotView): SlotSafetySnapshot {
  const reading = slot.observation.reading;
  return {
    device_id: slot.id,
    source: slot.source,
    connected: slot.observation.connected,
    controlled: slot.controlled,
    latched: slot.latch.reasons.length > 0,
    latch_reasons: [...slot.latch.reasons],
    latched_since: slot.latch.since?.toISOString() ?? null,
    reasons: [...(slot.last?.reasons ?? [])],
    allowed: slot.last?.allowed ?? null,
    derated: slot.last?.derated ?? false,
    setpoint_kw: slot.held?.setpoint ?? null,
    mode_cmd: slot.held?.mode ?? null,
    charging_power_kw: slot.powerKw === null ? null : Math.max(0, -slot.powerKw),
    soc_pct: reading?.soc_pct ?? null,
    temperature_c: reading?.temperature_c ?? null,
    last_good_read_at: slot.observation.lastGoodReadAt?.toISOString() ?? null,
  };
}
