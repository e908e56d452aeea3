import { Decimal } from 'decimal.js';
import type { SlotReading } from '../../ports/slot-readings.js';
import type { TelemetryPayload } from '../../ports/telemetry.js';
import type { Spec003Envelope, Spec003MessageType } from '../../validation/spec003/spec003-validator.js';

export interface StationIdentity {
  siteId: string;
  gatewayVersion: string;
}

/** Register values arrive scaled (0.1 × 723 = 72.30000000000001): four decimals are plenty. */
function tidy(value: number | undefined, decimals = 4): number | undefined {
  if (value === undefined || !Number.isFinite(value)) return value;
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

function envelope<P>(
  id: StationIdentity,
  type: Spec003MessageType,
  timestamp: Date,
  payload: P,
): Spec003Envelope<P> {
  return {
    schema_version: '1.0',
    message_type: type,
    site_id: id.siteId,
    gateway_version: id.gatewayVersion,
    timestamp: timestamp.toISOString(),
    payload,
  };
}

/** SPEC-001 mode when the device reports it; otherwise from the sign of the power (discharge positive). */
function modeOf(tags: Readonly<Record<string, number>>): number | undefined {
  if (tags.mode !== undefined) return tags.mode;
  if (tags.P_kW === undefined) return undefined;
  if (Math.abs(tags.P_kW) < 0.01) return 0;
  return tags.P_kW < 0 ? 1 : 2;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * One occupied slot's `telemetry` message: SPEC-003's fields from the slot's reading plus the battery
 * extension fields (asset_id, energy_kwh, slot, soh_pct). A field the device does not have is left out,
 * so a reading without a required field fails the schema instead of carrying an invented value.
 */
export function slotTelemetry(
  id: StationIdentity,
  reading: SlotReading,
  cycle: number,
): Spec003Envelope<TelemetryPayload> {
  const t = reading.tags;
  const payload = withoutUndefined({
    soc_pct: tidy(t['SOC_%']),
    power_kw: tidy(t.P_kW),
    temperature_c: tidy(t.T_battery_C),
    voltage_v: tidy(t.V_dc_V) ?? null,
    current_a: tidy(t.I_dc_A) ?? null,
    mode: modeOf(t),
    alarm_code: t.alarm_code,
    driver_source: reading.source,
    cycle_number: cycle,
    asset_id: reading.assetId ?? undefined,
    energy_kwh: tidy(t.E_kwh_remaining, 3),
    slot: reading.slot,
    soh_pct: tidy(t['SOH_%']),
  }) as TelemetryPayload;
  return envelope(id, 'telemetry', reading.readAt, payload);
}

/** The station as one site of a fleet: its occupied slots summed up. */
export function stationAggregate(
  id: StationIdentity,
  occupied: readonly SlotReading[],
  now: Date,
): Spec003Envelope {
  const soc = occupied.map((r) => r.tags['SOC_%']).filter((v): v is number => v !== undefined);
  const faulted = occupied.filter((r) => modeOf(r.tags) === 3);
  const capacity = occupied.reduce((sum, r) => sum.plus(r.tags.capacity_kwh ?? 0), new Decimal(0));
  const flex = occupied
    .filter((r) => modeOf(r.tags) !== 3)
    .reduce((sum, r) => sum.plus(r.pMaxKw), new Decimal(0));
  const avg = soc.length === 0 ? 0 : soc.reduce((a, b) => a + b, 0) / soc.length;
  return envelope(id, 'fleet_aggregate', now, {
    n_sites_active: occupied.length > 0 ? 1 : 0,
    n_sites_faulted: faulted.length > 0 ? 1 : 0,
    total_capacity_kwh: capacity.toDecimalPlaces(3).toNumber(),
    total_flex_kw: flex.toDecimalPlaces(3).toNumber(),
    avg_soc_pct: tidy(avg, 2) as number,
    active_alarms_count: occupied.filter((r) => (r.tags.alarm_code ?? 0) !== 0).length,
  });
}

export interface CarbonSettings {
  gridIntensityGKwh: number;
  displacedGKwh: number;
  countryCode: string;
}

/**
 * One UTC day's `carbon_metric`: the energy the station's swaps delivered, and the CO₂ it avoided —
 * what the displaced fuel would have emitted less what the grid emitted charging it.
 */
export function dailyCarbon(
  id: StationIdentity,
  settings: CarbonSettings,
  deliveredKwh: string,
  dayEnd: Date,
): Spec003Envelope {
  const kwh = new Decimal(deliveredKwh);
  const avoided = kwh.mul(new Decimal(settings.displacedGKwh).minus(settings.gridIntensityGKwh)).div(1000);
  return envelope(id, 'carbon_metric', dayEnd, {
    co2_avoided_kg: avoided.toDecimalPlaces(3).toNumber(),
    grid_intensity_g_kwh: settings.gridIntensityGKwh,
    country_code: settings.countryCode,
    period_kwh: kwh.toDecimalPlaces(3).toNumber(),
  });
}
