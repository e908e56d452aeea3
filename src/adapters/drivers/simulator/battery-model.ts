/**
 * Battery physics for the station simulator: energy follows the slot's power and the charge/discharge
 * efficiency, temperature rises with power and relaxes to ambient, kWh = SOC × capacity.
 */
export interface BatterySpec {
  assetId: string;
  capacityKwh?: number;
  socPct?: number;
  sohPct?: number;
  temperatureC?: number;
  cycles?: number;
  firmware?: string;
}

export interface BatteryState {
  readonly assetId: string;
  readonly capacityKwh: number;
  energyKwh: number;
  sohPct: number;
  temperatureC: number;
  cycles: number;
  /** Alarm bits raised by hand (fault injection); the over-temperature bit follows the temperature. */
  alarmBits: number;
  /** Positive = discharging (SPEC-001 sign), kW. */
  powerKw: number;
  firmware: string;
}

export interface PhysicsConstants {
  ambientC: number;
  efficiency: number;
  /** °C per second per kW of throughput. */
  heatingCPerKwS: number;
  /** Thermal time constant towards ambient, seconds. */
  coolingTauS: number;
  /** Pack voltage when empty and when full (a 72 V-class pack). */
  vEmpty: number;
  vFull: number;
}

export const DEFAULT_PHYSICS: PhysicsConstants = Object.freeze({
  ambientC: 25,
  efficiency: 0.95,
  heatingCPerKwS: 0.005,
  coolingTauS: 600,
  vEmpty: 64,
  vFull: 84,
});

export const ALARM_OVER_TEMPERATURE_BIT = 2;
/** The BMS raises its over-temperature alarm at this cell temperature and drops it below it. */
export const OVER_TEMPERATURE_C = 60;

export function createBattery(spec: BatterySpec, physics: PhysicsConstants = DEFAULT_PHYSICS): BatteryState {
  const capacityKwh = spec.capacityKwh ?? 32;
  return {
    assetId: spec.assetId,
    capacityKwh,
    energyKwh: (capacityKwh * (spec.socPct ?? 50)) / 100,
    sohPct: spec.sohPct ?? 98,
    temperatureC: spec.temperatureC ?? physics.ambientC,
    cycles: spec.cycles ?? 0,
    alarmBits: 0,
    powerKw: 0,
    firmware: spec.firmware ?? 'BMS1.4.2',
  };
}

export function socPct(battery: BatteryState): number {
  return (battery.energyKwh / battery.capacityKwh) * 100;
}

export function packVoltage(battery: BatteryState, physics: PhysicsConstants = DEFAULT_PHYSICS): number {
  return physics.vEmpty + ((physics.vFull - physics.vEmpty) * socPct(battery)) / 100;
}

/** Advances one battery by `dtS` seconds at the requested power (positive = discharge). */
export function stepBattery(
  battery: BatteryState,
  requestedKw: number,
  dtS: number,
  physics = DEFAULT_PHYSICS,
): void {
  const powerKw = limitPower(battery, requestedKw);
  const hours = dtS / 3600;
  const delta = powerKw < 0 ? -powerKw * physics.efficiency * hours : (-powerKw / physics.efficiency) * hours;
  battery.energyKwh = clamp(battery.energyKwh + delta, 0, battery.capacityKwh);
  battery.cycles += Math.abs(delta) / (2 * battery.capacityKwh);
  battery.powerKw = powerKw;
  const heating = Math.abs(powerKw) * physics.heatingCPerKwS;
  const cooling = (battery.temperatureC - physics.ambientC) / physics.coolingTauS;
  battery.temperatureC += (heating - cooling) * dtS;
}

/** The BMS alarm bitmap: the injected bits plus over-temperature while the cells are that hot. */
export function alarmCode(battery: BatteryState): number {
  const hot = battery.temperatureC >= OVER_TEMPERATURE_C ? 1 << ALARM_OVER_TEMPERATURE_BIT : 0;
  return battery.alarmBits | hot;
}

/** No charging when full, no discharging when empty. */
function limitPower(battery: BatteryState, requestedKw: number): number {
  if (requestedKw < 0 && battery.energyKwh >= battery.capacityKwh) return 0;
  if (requestedKw > 0 && battery.energyKwh <= 0) return 0;
  return requestedKw;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
