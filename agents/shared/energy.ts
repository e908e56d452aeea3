import type { BatteryReading, KwhSource } from '../../src/ports/scanner.js';
import { type AgentResult, invalidValue } from './agent.types.js';
import { type Dec, dec, roundTo } from './decimal.js';
import type { AgentContext, AgentParams, AssetView } from './plan.types.js';

/** What the app said about one battery. */
export interface AppEnergy {
  kwh?: number | null;
  soc_pct?: number | null;
}

export interface ResolvedEnergy {
  kwh: Dec;
  source: KwhSource;
  reading: BatteryReading | null;
  /** Set when the app's value and the hardware's differ by more than the tolerance. */
  mismatch: { app_kwh: number; hardware_kwh: number; tolerance_kwh: number } | null;
}

export type EnergyProblem = { path: string; message: string };

export function capacityOf(asset: AssetView | undefined, params: AgentParams): Dec {
  return dec(asset?.capacity_kwh ?? params.electricity_tracking.default_battery_capacity_kwh);
}

function readingKwh(reading: BatteryReading, capacity: Dec): Dec | null {
  if (reading.kwh_remaining !== undefined) return dec(reading.kwh_remaining);
  if (reading.soc_pct !== undefined) return dec(reading.soc_pct).div(100).mul(capacity);
  return null;
}

function isFresh(reading: BatteryReading, now: Date, timeoutSeconds: number): boolean {
  if (reading.source !== 'telemetry') return true;
  return now.getTime() - Date.parse(reading.timestamp) <= timeoutSeconds * 1000;
}

/**
 * A battery's energy by SPEC §3's order of trust: station scanner or slot, then fresh telemetry,
 * then the app (kWh, or SOC % × capacity). Null when nothing is known.
 */
export function resolveEnergy(
  app: AppEnergy,
  reading: BatteryReading | undefined,
  capacity: Dec,
  params: AgentParams,
  now: Date,
  toleranceKwh: number,
): ResolvedEnergy | null {
  const precision = params.electricity_tracking.decimal_precision;
  const fromApp =
    app.kwh != null ? dec(app.kwh) : app.soc_pct != null ? dec(app.soc_pct).div(100).mul(capacity) : null;
  const appSource: KwhSource = app.kwh != null ? 'app' : 'soc_conversion';
  const usable = reading && isFresh(reading, now, params.electricity_tracking.soc_telemetry_timeout_seconds);
  const hardware = usable ? readingKwh(reading, capacity) : null;
  if (hardware !== null && reading) {
    const differs = fromApp !== null && fromApp.minus(hardware).abs().gt(toleranceKwh);
    return {
      kwh: roundTo(hardware, precision),
      source: reading.source,
      reading,
      mismatch: differs
        ? {
            app_kwh: fromApp.toNumber(),
            hardware_kwh: roundTo(hardware, precision).toNumber(),
            tolerance_kwh: toleranceKwh,
          }
        : null,
    };
  }
  if (fromApp === null) return null;
  return { kwh: roundTo(fromApp, precision), source: appSource, reading: null, mismatch: null };
}

/** kWh must lie within [0, capacity + 10 %] (SPEC §2.2). */
export function checkWithinCapacity(kwh: Dec, capacity: Dec, path: string): EnergyProblem | null {
  if (kwh.isNegative()) return { path, message: 'must not be negative' };
  const limit = capacity.mul('1.1');
  if (kwh.gt(limit)) {
    return {
      path,
      message: `${kwh.toFixed()} kWh exceeds the battery's capacity ${capacity.toFixed()} kWh + 10 %`,
    };
  }
  return null;
}

/** The kWh metadata IDENTIFY_* and checkout report for a battery. */
export function energyMetadata(energy: ResolvedEnergy | null, precision: number): Record<string, unknown> {
  if (!energy) return { kwh_remaining: null, kwh_source: null, read_timestamp: null };
  return {
    kwh_remaining: Number(energy.kwh.toFixed(precision)),
    read_timestamp: energy.reading?.timestamp ?? null,
    battery_voltage: energy.reading?.voltage ?? null,
    battery_temperature: energy.reading?.temperature_c ?? null,
    kwh_source: energy.source,
  };
}

/** A battery's capacity and what this request can know of its energy (hardware first). */
export function readBattery(ctx: AgentContext, id: string, app: AppEnergy, toleranceKwh: number) {
  const params = ctx.plan.template.agent_params;
  const capacity = capacityOf(ctx.assets.get(id), params);
  const energy = resolveEnergy(app, ctx.readings.get(id), capacity, params, ctx.now, toleranceKwh);
  return { capacity, energy };
}

/**
 * The battery's energy where the action cannot go on without it: known (hardware or app) and within
 * [0, capacity + 10 %], the app's own figure included; otherwise an INVALID_VALUE refusal on the field.
 */
export function requireEnergy(
  ctx: AgentContext,
  id: string,
  app: AppEnergy,
  toleranceKwh: number,
  fields: { kwh: string; soc: string },
): ResolvedEnergy | AgentResult {
  const { capacity, energy } = readBattery(ctx, id, app, toleranceKwh);
  const path = `/${fields.kwh}`;
  const given = app.kwh != null ? checkWithinCapacity(dec(app.kwh), capacity, path) : null;
  if (given) return invalidValue(given.path, given.message);
  if (!energy)
    return invalidValue(path, `no hardware reading of ${id}: ${fields.kwh} or ${fields.soc} is required`);
  const problem = checkWithinCapacity(energy.kwh, capacity, path);
  return problem ? invalidValue(problem.path, problem.message) : energy;
}

export function isEnergy(value: ResolvedEnergy | AgentResult): value is ResolvedEnergy {
  return 'kwh' in value;
}
