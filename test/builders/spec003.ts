import type { TelemetryPayload } from '../../src/ports/telemetry.js';

/** A SPEC-003 telemetry message for one battery, as a station controller publishes it. */
export function batteryTelemetry(
  siteId: string,
  assetId: string,
  energyKwh: number,
  at: Date,
  change: Partial<TelemetryPayload> = {},
) {
  return {
    schema_version: '1.0',
    message_type: 'telemetry',
    site_id: siteId,
    gateway_version: 'controller-2.1.0',
    timestamp: at.toISOString(),
    payload: {
      soc_pct: Math.round((energyKwh / 32) * 1000) / 10,
      power_kw: -1.2,
      temperature_c: 27.5,
      voltage_v: 52.1,
      current_a: -23,
      mode: 1,
      alarm_code: 0,
      driver_source: 'Station controller @ slot bus',
      cycle_number: 1,
      asset_id: assetId,
      energy_kwh: energyKwh,
      slot: 3,
      soh_pct: 97.5,
      ...change,
    },
  };
}

export function fleetAggregate(siteId: string, at: Date) {
  return {
    schema_version: '1.0',
    message_type: 'fleet_aggregate',
    site_id: siteId,
    timestamp: at.toISOString(),
    payload: { n_sites_active: 1, n_sites_faulted: 0, total_capacity_kwh: 512, avg_soc_pct: 71.2 },
  };
}
