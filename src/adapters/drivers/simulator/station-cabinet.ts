import { decodeNumber, encodeNumber, encodeString } from '../modbus/register-codec.js';
import type { DeviceProfile, RegisterTable, TagDefinition } from '../registry/device-profile.js';
import { isWritable, registerCount } from '../registry/device-profile.js';
import type { BatterySpec, BatteryState, PhysicsConstants } from './battery-model.js';
import {
  alarmCode,
  createBattery,
  DEFAULT_PHYSICS,
  packVoltage,
  socPct,
  stepBattery,
} from './battery-model.js';

/** One Modbus unit of the cabinet: a charging slot or the scanner, with the battery placed on it. */
export interface SimUnit {
  readonly unitId: number;
  readonly kind: 'slot' | 'scanner';
  battery: BatteryState | null;
  /** Raw holding-register words written by clients. */
  readonly holding: Map<number, number>;
}

export const EXCEPTION = { ILLEGAL_FUNCTION: 1, ILLEGAL_ADDRESS: 2, ILLEGAL_VALUE: 3 } as const;
const CELLS_IN_SERIES = 24;
/** Longest physics increment (keeps the thermal integration stable). */
const MAX_STEP_S = 5;

/** The station's state and its Modbus register view, described by a device profile. */
export class StationCabinet {
  readonly #units = new Map<number, SimUnit>();
  readonly #profile: DeviceProfile;
  readonly #physics: PhysicsConstants;

  constructor(
    profile: DeviceProfile,
    slotUnitIds: readonly number[],
    scannerUnitId: number,
    physics = DEFAULT_PHYSICS,
  ) {
    this.#profile = profile;
    this.#physics = physics;
    for (const unitId of slotUnitIds)
      this.#units.set(unitId, { unitId, kind: 'slot', battery: null, holding: new Map() });
    this.#units.set(scannerUnitId, {
      unitId: scannerUnitId,
      kind: 'scanner',
      battery: null,
      holding: new Map(),
    });
  }

  unit(unitId: number): SimUnit | undefined {
    return this.#units.get(unitId);
  }

  units(): SimUnit[] {
    return [...this.#units.values()];
  }

  place(unitId: number, spec: BatterySpec): BatteryState {
    const unit = this.#requireUnit(unitId);
    for (const other of this.#units.values()) {
      if (other.battery?.assetId === spec.assetId) other.battery = null;
    }
    unit.battery = createBattery(spec, this.#physics);
    return unit.battery;
  }

  remove(unitId: number): BatteryState | null {
    const unit = this.#requireUnit(unitId);
    const battery = unit.battery;
    unit.battery = null;
    return battery;
  }

  /** Advances every battery by `dtS` seconds under its slot's commands. */
  step(dtS: number): void {
    const slices = Math.max(1, Math.ceil(dtS / MAX_STEP_S));
    for (let i = 0; i < slices; i += 1) {
      for (const unit of this.#units.values()) {
        if (unit.battery) stepBattery(unit.battery, this.requestedPowerKw(unit), dtS / slices, this.#physics);
      }
    }
  }

  /** The power the slot's charger is asked for (positive = discharge), from mode_cmd and P_setpoint_kW. */
  requestedPowerKw(unit: SimUnit): number {
    if (unit.kind === 'scanner') return 0;
    const mode = this.#holdingValue(unit, 'mode_cmd');
    const magnitude = Math.abs(this.#holdingValue(unit, 'P_setpoint_kW'));
    if (mode === 1) return -magnitude;
    if (mode === 2) return magnitude;
    return 0;
  }

  /** Register words for a read request, or an exception code. */
  readRegisters(unitId: number, table: RegisterTable, address: number, count: number): number[] | number {
    const unit = this.#units.get(unitId);
    if (!unit) return EXCEPTION.ILLEGAL_ADDRESS;
    if (count < 1 || count > 125 || address + count > 0x10000) return EXCEPTION.ILLEGAL_VALUE;
    const image = this.#image(unit, table);
    return Array.from({ length: count }, (_, i) => image.get(address + i) ?? 0);
  }

  /** Stores written words; only writable holding tags accept writes, and only values in range. */
  writeRegisters(unitId: number, address: number, words: readonly number[]): number | null {
    const unit = this.#units.get(unitId);
    if (!unit) return EXCEPTION.ILLEGAL_ADDRESS;
    const staged = new Map(unit.holding);
    words.forEach((w, i) => {
      staged.set(address + i, w);
    });
    for (let a = address; a < address + words.length; a += 1) {
      const tag = this.#writableTagAt(a);
      if (!tag) return EXCEPTION.ILLEGAL_ADDRESS;
      if (!inRange(tag, this.#decode(tag, staged))) return EXCEPTION.ILLEGAL_VALUE;
    }
    for (const [a, w] of staged) unit.holding.set(a, w);
    return null;
  }

  /** Physical values of every tag the simulator knows, for one unit. */
  tagValues(unit: SimUnit): Record<string, number | string> {
    const b = unit.battery;
    const holding = {
      P_setpoint_kW: this.#holdingValue(unit, 'P_setpoint_kW'),
      mode_cmd: this.#holdingValue(unit, 'mode_cmd'),
    };
    if (!b) return { ...holding, battery_present: 0, serial_number: '', firmware_version: '' };
    const volts = packVoltage(b, this.#physics);
    return {
      ...holding,
      'SOC_%': socPct(b),
      'SOH_%': b.sohPct,
      V_dc_V: volts,
      I_dc_A: (b.powerKw * 1000) / volts,
      T_battery_C: b.temperatureC,
      T_cell_min_C: b.temperatureC - 1.5,
      mode: modeOf(b),
      P_kW: b.powerKw,
      E_kwh_remaining: b.energyKwh,
      capacity_kwh: b.capacityKwh,
      alarm_code: alarmCode(b),
      cycles_total: Math.floor(b.cycles),
      battery_present: 1,
      V_cell_avg_V: volts / CELLS_IN_SERIES,
      serial_number: b.assetId,
      firmware_version: b.firmware,
    };
  }

  /** The registers of one table: every known tag encoded, written words kept as written. */
  #image(unit: SimUnit, table: RegisterTable): Map<number, number> {
    const image = table === 'holding' ? new Map(unit.holding) : new Map<number, number>();
    const values = this.tagValues(unit);
    for (const [name, tag] of Object.entries(this.#profile.tags)) {
      const value = values[name];
      if (tag.table !== table || value === undefined || (table === 'holding' && isWritable(tag))) continue;
      const words =
        typeof value === 'string' ? encodeString(tag, value) : encodeNumber(tag, value, this.#wordOrder);
      words.forEach((w, i) => {
        image.set(tag.address + i, w);
      });
    }
    return image;
  }

  #holdingValue(unit: SimUnit, name: string): number {
    const tag = this.#profile.tags[name];
    return tag && tag.table === 'holding' ? this.#decode(tag, unit.holding) : 0;
  }

  #decode(tag: TagDefinition, words: ReadonlyMap<number, number>): number {
    const raw = Array.from({ length: registerCount(tag) }, (_, i) => words.get(tag.address + i) ?? 0);
    return decodeNumber(tag, raw, this.#wordOrder);
  }

  #writableTagAt(address: number): TagDefinition | undefined {
    return Object.values(this.#profile.tags).find(
      (t) =>
        t.table === 'holding' &&
        isWritable(t) &&
        address >= t.address &&
        address < t.address + registerCount(t),
    );
  }

  get #wordOrder() {
    return this.#profile.modbus.word_order;
  }

  #requireUnit(unitId: number): SimUnit {
    const unit = this.#units.get(unitId);
    if (!unit) throw new RangeError(`the simulator has no unit ${unitId}`);
    return unit;
  }
}

function modeOf(b: BatteryState): number {
  if (alarmCode(b) !== 0) return 3;
  if (b.powerKw < 0) return 1;
  return b.powerKw > 0 ? 2 : 0;
}

function inRange(tag: TagDefinition, value: number): boolean {
  if (tag.values && !tag.values.includes(value)) return false;
  return !tag.range || (value >= tag.range[0] && value <= tag.range[1]);
}
