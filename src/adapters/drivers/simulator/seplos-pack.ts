import type { ManufacturerInfo, Telemetry, Telesignal } from '../seplos/seplos-payload.js';
import { KELVIN_OFFSET_DECI } from '../seplos/seplos-payload.js';
import { ALARM_FLAGS, SWITCH, SYSTEM } from '../seplos/seplos-values.js';
import type { BatterySpec, BatteryState, PhysicsConstants } from './battery-model.js';
import {
  ALARM_OVER_TEMPERATURE_BIT,
  createBattery,
  packVoltage,
  socPct,
  stepBattery,
} from './battery-model.js';

/** A 16-cell LFP pack (2.8-3.5 V per cell): the battery model's physics with a Seplos pack's voltages. */
export const SEPLOS_PHYSICS: PhysicsConstants = Object.freeze({
  ambientC: 25,
  efficiency: 0.95,
  heatingCPerKwS: 0.005,
  coolingTauS: 600,
  vEmpty: 44.8,
  vFull: 56,
});
export const SEPLOS_CELLS = 16;
const NOMINAL_V = 51.2;
/** alarm_code bits of the high-temperature protections (charging / discharging). */
const CHARGING_HOT_CODE = 4;
const DISCHARGING_HOT_CODE = 6;

/**
 * One simulated Seplos pack: the station simulator's battery model (energy, temperature, cycles) seen
 * through a Seplos BMS. A charger or load is simulated by `powerKw` (positive = discharge).
 */
export class SeplosPack {
  readonly address: number;
  readonly battery: BatteryState;
  readonly #physics: PhysicsConstants;
  /** Raised protection / failure bits, in alarm_code numbering. */
  protections = 0;
  /** Requested power, kW, positive = discharge (what a charger or load would draw). */
  powerKw = 0;
  hardware = 'SEPLOS-SIM-16S-100A';
  /** Raw telemetry fields forced by a test (a failing sensor, a misreading cell). */
  override: Partial<Telemetry> = {};

  constructor(address: number, spec: BatterySpec, physics: PhysicsConstants = SEPLOS_PHYSICS) {
    this.address = address;
    this.#physics = physics;
    this.battery = createBattery(spec, physics);
  }

  step(seconds: number): void {
    stepBattery(this.battery, this.powerKw, seconds, this.#physics);
  }

  /** Raises or clears one alarm_code bit (a protection or failure flag). */
  protect(code: number, on = true): void {
    this.protections = on ? this.protections | (1 << code) : this.protections & ~(1 << code);
  }

  get volts(): number {
    return packVoltage(this.battery, this.#physics);
  }

  telemetry(): Telemetry {
    return {
      ...this.#modelTelemetry(),
      ...this.override,
    };
  }

  #modelTelemetry(): Telemetry {
    const b = this.battery;
    const volts = this.volts;
    const centiV = Math.round(volts * 100);
    const perCellMv = Math.round((centiV * 10) / SEPLOS_CELLS);
    const amps = (b.powerKw * 1000) / volts;
    const fullCentiAh = Math.round((b.capacityKwh * 100_000) / NOMINAL_V);
    const deciK = (c: number) => Math.round(c * 10) + KELVIN_OFFSET_DECI;
    return {
      dataFlag: 0,
      group: this.address,
      cellMv: Array.from({ length: SEPLOS_CELLS }, (_, i) => perCellMv + ((i % 3) - 1) * 2),
      tempDeciK: [
        deciK(b.temperatureC),
        deciK(b.temperatureC - 0.5),
        deciK(b.temperatureC - 1),
        deciK(b.temperatureC - 1.5),
        deciK(this.#physics.ambientC),
        deciK(b.temperatureC + 2),
      ],
      currentCentiA: Math.round(-amps * 100),
      packCentiV: centiV,
      remainingCentiAh: Math.round((b.energyKwh * 100_000) / volts),
      customCount: 10,
      fullCentiAh,
      socDeci: Math.round(socPct(b) * 10),
      ratedCentiAh: fullCentiAh,
      cycles: Math.floor(b.cycles),
      sohDeci: Math.round(b.sohPct * 10),
      portCentiV: centiV - 1,
    };
  }

  telesignal(): Telesignal {
    const events: Telesignal['events'] = [0, 0, 0, 0, 0, 0];
    const code = this.alarmCode();
    for (const flag of ALARM_FLAGS) {
      const i = flag.event - 1;
      if (flag.event !== 8 && (code >> flag.code) & 1) events[i] = (events[i] ?? 0) | (1 << flag.bit);
    }
    const charging = this.battery.powerKw < 0;
    const discharging = this.battery.powerKw > 0;
    const protectedNow = this.alarmCode() !== 0;
    const system = charging
      ? 1 << SYSTEM.CHARGING
      : discharging
        ? 1 << SYSTEM.DISCHARGING
        : 1 << SYSTEM.STANDBY;
    const fets = protectedNow ? 0 : (1 << SWITCH.CHARGE_FET) | (1 << SWITCH.DISCHARGE_FET);
    return {
      dataFlag: 0,
      cellAlarms: Array.from({ length: SEPLOS_CELLS }, () => 0),
      tempAlarms: [0, 0, 0, 0, 0, 0],
      chargeCurrentAlarm: 0,
      packVoltageAlarm: 0,
      dischargeCurrentAlarm: 0,
      events,
      switches: fets,
      balancing: charging && socPct(this.battery) > 95 ? 0b101 : 0,
      system,
      disconnection: 0,
      event7: 0,
      event8: 0,
    };
  }

  manufacturer(): ManufacturerInfo {
    const [major, minor] = (this.battery.firmware.match(/\d+/g) ?? ['1', '0']).map(Number);
    return {
      hardware: this.hardware,
      firmware: `${major ?? 1}.${minor ?? 0}`,
      identity: this.battery.assetId.slice(0, 20),
    };
  }

  /** The pack's protections, plus the battery model's over-temperature as a high-temperature protection. */
  alarmCode(): number {
    let code = this.protections;
    if ((this.battery.alarmBits >> ALARM_OVER_TEMPERATURE_BIT) & 1)
      code |= 1 << (this.battery.powerKw < 0 ? CHARGING_HOT_CODE : DISCHARGING_HOT_CODE);
    return code >>> 0;
  }
}
