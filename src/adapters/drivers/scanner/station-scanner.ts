import { Decimal } from 'decimal.js';
import type { Clock } from '../../../ports/clock.js';
import { systemClock } from '../../../ports/clock.js';
import type { DataReader } from '../../../ports/data-provider.js';
import type { BatteryReading, BatteryScanner } from '../../../ports/scanner.js';

export interface StationScannerOptions {
  /** The scanner unit (the battery presented at the counter). */
  scanner: DataReader | null;
  /** Charging slots, in slot order. */
  slots: readonly DataReader[];
  clock?: Clock;
  /** Decimal places of kwh_remaining (default 3: the register resolution of Wh). */
  kwhDecimals?: number;
}

const TAGS = ['SOC_%', 'E_kwh_remaining', 'V_dc_V', 'T_battery_C'] as const;

/**
 * BatteryScanner over the station's drivers: the scanner unit first, then the slot holding the battery.
 * A device that fails or is disconnected is skipped (the caller falls back to telemetry or the app).
 */
export class StationScanner implements BatteryScanner {
  readonly #scanner: DataReader | null;
  readonly #slots: readonly DataReader[];
  readonly #clock: Clock;
  readonly #decimals: number;
  /** Last slot a battery was seen in, tried first next time. */
  readonly #lastSlot = new Map<string, number>();

  constructor(options: StationScannerOptions) {
    this.#scanner = options.scanner;
    this.#slots = options.slots;
    this.#clock = options.clock ?? systemClock;
    this.#decimals = options.kwhDecimals ?? 3;
  }

  async read(assetId: string): Promise<BatteryReading | null> {
    if (this.#scanner && (await holds(this.#scanner, assetId))) {
      const reading = await this.#reading(this.#scanner, assetId, 'scanner');
      if (reading) return reading;
    }
    for (const index of this.#slotOrder(assetId)) {
      const slot = this.#slots[index] as DataReader;
      if (!(await holds(slot, assetId))) continue;
      this.#lastSlot.set(assetId, index);
      return this.#reading(slot, assetId, 'slot');
    }
    return null;
  }

  #slotOrder(assetId: string): number[] {
    const all = this.#slots.map((_, i) => i);
    const last = this.#lastSlot.get(assetId);
    return last === undefined ? all : [last, ...all.filter((i) => i !== last)];
  }

  async #reading(
    device: DataReader,
    assetId: string,
    source: 'scanner' | 'slot',
  ): Promise<BatteryReading | null> {
    const wanted = TAGS.filter((t) => device.tags.readable.includes(t));
    const read = await readValues(device, wanted).catch(() => null);
    if (!read) return null;
    const { values, exactKwh } = read;
    const reading: BatteryReading = { asset_id: assetId, timestamp: this.#clock.now().toISOString(), source };
    const kwh = values['E_kwh_remaining'];
    if (exactKwh !== undefined && new Decimal(exactKwh).gte(0)) {
      reading.kwh_remaining = exactKwh;
    } else if (kwh !== undefined && Number.isFinite(kwh) && kwh >= 0) {
      reading.kwh_remaining = new Decimal(kwh).toDecimalPlaces(this.#decimals).toFixed();
    }
    if (values['SOC_%'] !== undefined) reading.soc_pct = values['SOC_%'];
    if (values['V_dc_V'] !== undefined) reading.voltage = values['V_dc_V'];
    if (values['T_battery_C'] !== undefined) reading.temperature_c = values['T_battery_C'];
    return reading;
  }
}

/**
 * The reading; a device that computes its energy (a BMS: remaining Ah × pack voltage) also gives it as an
 * exact decimal, kept as is so that the service rounds once, to its own precision.
 */
async function readValues(
  device: DataReader,
  tags: readonly string[],
): Promise<{ values: Record<string, number>; exactKwh?: string }> {
  if (!device.readTagsExact) return { values: await device.readTags(tags) };
  const exact = await device.readTagsExact(tags);
  const values = Object.fromEntries(Object.entries(exact).map(([t, v]) => [t, Number(v)]));
  return { values, exactKwh: exact['E_kwh_remaining'] };
}

async function holds(device: DataReader, assetId: string): Promise<boolean> {
  if (!device.isConnected) return false;
  const info = await device.readStaticInfo().catch(() => null);
  return info?.serial_number === assetId;
}
