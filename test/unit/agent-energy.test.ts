import { describe, expect, it } from 'vitest';
import { invalidValue } from '../../agents/shared/agent.types.js';
import { dec } from '../../agents/shared/decimal.js';
import {
  capacityOf,
  checkWithinCapacity,
  energyMetadata,
  isEnergy,
  readBattery,
  requireEnergy,
  resolveEnergy,
} from '../../agents/shared/energy.js';
import type { BatteryReading } from '../../src/ports/scanner.js';
import { aContext, anAsset, aPlanView } from '../builders/plan-view.js';

const params = aPlanView().template.agent_params; // precision 1, telemetry timeout 10 s, capacity 32
const NOW = new Date('2026-01-05T08:00:00.000Z');
const capacity = dec(32);

const reading = (change: Partial<BatteryReading> = {}): BatteryReading => ({
  asset_id: 'BAT-1',
  kwh_remaining: '6.1',
  timestamp: '2026-01-05T07:59:58.000Z',
  source: 'scanner',
  ...change,
});

/** A telemetry reading taken `ms` milliseconds before NOW. */
const telemetryAged = (ms: number) =>
  reading({ source: 'telemetry', timestamp: new Date(NOW.getTime() - ms).toISOString() });

const resolve = (
  app: { kwh?: number | null; soc_pct?: number | null },
  r?: BatteryReading,
  tolerance = 0.5,
) => resolveEnergy(app, r, capacity, params, NOW, tolerance);

describe('capacityOf', () => {
  it("is the battery's registered capacity, else the template's default", () => {
    expect(capacityOf(anAsset('B', { capacity_kwh: '48.5' }), params).toFixed()).toBe('48.5');
    expect(capacityOf(undefined, params).toFixed()).toBe('32');
  });
});

describe('resolveEnergy: order of trust (scanner/slot, fresh telemetry, app kWh, app SOC)', () => {
  it('the scanner wins over the app and is rounded half up to the precision', () => {
    expect(resolve({ kwh: 6.2 }, reading({ kwh_remaining: '6.15' }))).toEqual({
      kwh: dec('6.2'),
      source: 'scanner',
      reading: reading({ kwh_remaining: '6.15' }),
      mismatch: null,
    });
    expect(resolve({}, reading({ kwh_remaining: '6.149' }))?.kwh.toFixed()).toBe('6.1');
  });

  it('a slot reading with SOC only is SOC % × capacity', () => {
    const slot = reading({ source: 'slot', kwh_remaining: undefined, soc_pct: 95 });
    expect(resolve({}, slot)).toMatchObject({ source: 'slot', reading: slot, mismatch: null });
    expect(resolve({}, slot)?.kwh.toFixed()).toBe('30.4');
  });

  it("a hardware SOC is converted with the battery's own capacity (50 % of 20 kWh = 10)", () => {
    const slot = reading({ source: 'slot', kwh_remaining: undefined, soc_pct: 50 });
    expect(resolveEnergy({}, slot, dec(20), params, NOW, 0.5)?.kwh.toFixed()).toBe('10');
  });

  it('a reading with neither kWh nor SOC is no reading: the app is used', () => {
    const empty = reading({ kwh_remaining: undefined });
    expect(resolve({ kwh: 4.8 }, empty)).toEqual({
      kwh: dec('4.8'),
      source: 'app',
      reading: null,
      mismatch: null,
    });
  });

  it('a scanner or slot reading is used however old it is', () => {
    const old = reading({ timestamp: '2020-01-01T00:00:00Z' });
    expect(resolve({ kwh: 4.8 }, old)?.source).toBe('scanner');
    expect(resolve({ kwh: 4.8 }, { ...old, source: 'slot' })?.source).toBe('slot');
  });

  // soc_telemetry_timeout_seconds = 10: a reading exactly 10 s old is still fresh.
  it.each([
    [0, 'telemetry'],
    [9_999, 'telemetry'],
    [10_000, 'telemetry'],
    [10_001, 'app'],
    [60_000, 'app'],
  ] as const)('telemetry %i ms old → %s', (age, source) => {
    const result = resolve({ kwh: 4.8 }, telemetryAged(age));
    expect(result?.source).toBe(source);
    expect(result?.kwh.toFixed()).toBe(source === 'telemetry' ? '6.1' : '4.8');
  });

  it('telemetry from the future (clock skew) counts as fresh', () => {
    expect(resolve({ kwh: 4.8 }, telemetryAged(-5_000))?.source).toBe('telemetry');
  });

  it('the app: kWh first, else SOC % × capacity, rounded half up; nothing known → null', () => {
    expect(resolve({ kwh: 4.85 })).toEqual({ kwh: dec('4.9'), source: 'app', reading: null, mismatch: null });
    expect(resolve({ kwh: 4.8, soc_pct: 50 })?.kwh.toFixed()).toBe('4.8');
    expect(resolve({ soc_pct: 15 })).toEqual({
      kwh: dec('4.8'),
      source: 'soc_conversion',
      reading: null,
      mismatch: null,
    });
    // 15.3 % of 32 = 4.896 → 4.9
    expect(resolve({ soc_pct: 15.3 })?.kwh.toFixed()).toBe('4.9');
    expect(resolve({})).toBeNull();
    expect(resolve({ kwh: null, soc_pct: null })).toBeNull();
  });

  it('an app value of 0 is a value, not a missing one', () => {
    expect(resolve({ kwh: 0, soc_pct: 50 })).toEqual({
      kwh: dec(0),
      source: 'app',
      reading: null,
      mismatch: null,
    });
    expect(resolve({ soc_pct: 0 })).toEqual({
      kwh: dec(0),
      source: 'soc_conversion',
      reading: null,
      mismatch: null,
    });
  });

  // Hardware 6.1 kWh, tolerance 0.5 kWh: a difference of exactly 0.5 is tolerated.
  it.each([
    [5.6, false],
    [5.61, false],
    [5.59, true],
    [6.6, false],
    [6.61, true],
    [6.1, false],
  ] as const)('app %d kWh vs hardware 6.1 kWh (tolerance 0.5) → mismatch %s', (app, mismatch) => {
    const result = resolve({ kwh: app }, reading());
    expect(result?.kwh.toFixed()).toBe('6.1');
    expect(result?.mismatch).toEqual(
      mismatch ? { app_kwh: app, hardware_kwh: 6.1, tolerance_kwh: 0.5 } : null,
    );
  });

  it('the mismatch reports the hardware value rounded and the app value as given', () => {
    expect(resolve({ kwh: 4.83 }, reading({ kwh_remaining: '6.14' }))?.mismatch).toEqual({
      app_kwh: 4.83,
      hardware_kwh: 6.1,
      tolerance_kwh: 0.5,
    });
  });

  it('an app SOC is compared with the hardware too (15 % of 32 = 4.8 vs 6.1)', () => {
    expect(resolve({ soc_pct: 15 }, reading())?.mismatch).toEqual({
      app_kwh: 4.8,
      hardware_kwh: 6.1,
      tolerance_kwh: 0.5,
    });
  });

  it('a different tolerance moves the boundary', () => {
    expect(resolve({ kwh: 5.1 }, reading(), 1)?.mismatch).toBeNull();
    expect(resolve({ kwh: 5.09 }, reading(), 1)?.mismatch).not.toBeNull();
  });
});

describe('checkWithinCapacity: [0, capacity + 10 %]', () => {
  // capacity 32 kWh → limit 35.2 kWh
  it.each([
    ['0', null],
    ['-0.1', 'must not be negative'],
    ['32', null],
    ['35.19', null],
    ['35.2', null],
    ['35.2000001', "35.2000001 kWh exceeds the battery's capacity 32 kWh + 10 %"],
    ['35.21', "35.21 kWh exceeds the battery's capacity 32 kWh + 10 %"],
  ] as const)('%s kWh → %s', (kwh, message) => {
    expect(checkWithinCapacity(dec(kwh), capacity, '/outgoing_kwh')).toEqual(
      message ? { path: '/outgoing_kwh', message } : null,
    );
  });
});

describe('energyMetadata', () => {
  it('nothing known: nulls', () => {
    expect(energyMetadata(null, 1)).toEqual({ kwh_remaining: null, kwh_source: null, read_timestamp: null });
  });

  it('from hardware: the reading, rounded to the precision', () => {
    const r = reading({ voltage: 52.1, temperature_c: 31 });
    const energy = { kwh: dec('6.15'), source: 'scanner' as const, reading: r, mismatch: null };
    expect(energyMetadata(energy, 1)).toEqual({
      kwh_remaining: 6.2,
      read_timestamp: '2026-01-05T07:59:58.000Z',
      battery_voltage: 52.1,
      battery_temperature: 31,
      kwh_source: 'scanner',
    });
  });

  it('from the app: no timestamp, voltage or temperature', () => {
    const energy = { kwh: dec('4.8'), source: 'app' as const, reading: null, mismatch: null };
    expect(energyMetadata(energy, 1)).toEqual({
      kwh_remaining: 4.8,
      read_timestamp: null,
      battery_voltage: null,
      battery_temperature: null,
      kwh_source: 'app',
    });
  });
});

describe('readBattery and requireEnergy', () => {
  const battery = anAsset('BAT-1', { capacity_kwh: '20' }); // limit 22 kWh
  const ctx = (readings: BatteryReading[] = []) => aContext(aPlanView(), [battery], readings);
  const fields = { kwh: 'incoming_kwh', soc: 'incoming_soc_percent' };

  it("readBattery uses the battery's capacity and the context's reading", () => {
    const { capacity: c, energy } = readBattery(ctx([reading()]), 'BAT-1', { soc_pct: 50 }, 0.5);
    expect(c.toFixed()).toBe('20');
    expect(energy).toMatchObject({ source: 'scanner', mismatch: { app_kwh: 10 } });
    expect(readBattery(ctx(), 'BAT-UNKNOWN', { soc_pct: 50 }, 0.5).energy?.kwh.toFixed()).toBe('16');
  });

  it('readBattery ignores stale telemetry by the context clock', () => {
    const stale = reading({ source: 'telemetry', timestamp: '2026-01-05T07:59:49.999Z' });
    expect(readBattery(ctx([stale]), 'BAT-1', { kwh: 4 }, 0.5).energy?.source).toBe('app');
    const fresh = reading({ source: 'telemetry', timestamp: '2026-01-05T07:59:50.000Z' });
    expect(readBattery(ctx([fresh]), 'BAT-1', { kwh: 4 }, 0.5).energy?.source).toBe('telemetry');
  });

  it('returns the energy when known and within the capacity', () => {
    const energy = requireEnergy(ctx(), 'BAT-1', { kwh: 22 }, 0.5, fields);
    expect(isEnergy(energy)).toBe(true);
    expect(energy).toEqual({ kwh: dec(22), source: 'app', reading: null, mismatch: null });
  });

  it("refuses the app's kWh above capacity + 10 %, even when the hardware is right", () => {
    const result = requireEnergy(ctx([reading()]), 'BAT-1', { kwh: 22.1 }, 0.5, fields);
    expect(isEnergy(result)).toBe(false);
    expect(result).toEqual(
      invalidValue('/incoming_kwh', "22.1 kWh exceeds the battery's capacity 20 kWh + 10 %"),
    );
    expect(result).toEqual({
      success: false,
      signals: ['VALIDATION_FAILED'],
      metadata: {},
      fsmInputs: [],
      effects: [],
      error: {
        code: 'INVALID_VALUE',
        message: "/incoming_kwh: 22.1 kWh exceeds the battery's capacity 20 kWh + 10 %",
        details: [
          { path: '/incoming_kwh', message: "22.1 kWh exceeds the battery's capacity 20 kWh + 10 %" },
        ],
      },
    });
  });

  it('refuses a negative app kWh', () => {
    expect(requireEnergy(ctx(), 'BAT-1', { kwh: -1 }, 0.5, fields)).toEqual(
      invalidValue('/incoming_kwh', 'must not be negative'),
    );
  });

  it('refuses when nothing is known, naming both fields', () => {
    expect(requireEnergy(ctx(), 'BAT-1', {}, 0.5, fields)).toEqual(
      invalidValue(
        '/incoming_kwh',
        'no hardware reading of BAT-1: incoming_kwh or incoming_soc_percent is required',
      ),
    );
  });

  it('refuses a hardware or SOC value above capacity + 10 % (SOC 111 % of 20 = 22.2)', () => {
    expect(requireEnergy(ctx([reading({ kwh_remaining: '22.3' })]), 'BAT-1', {}, 0.5, fields)).toEqual(
      invalidValue('/incoming_kwh', "22.3 kWh exceeds the battery's capacity 20 kWh + 10 %"),
    );
    expect(requireEnergy(ctx(), 'BAT-1', { soc_pct: 111 }, 0.5, fields)).toEqual(
      invalidValue('/incoming_kwh', "22.2 kWh exceeds the battery's capacity 20 kWh + 10 %"),
    );
    expect(isEnergy(requireEnergy(ctx(), 'BAT-1', { soc_pct: 110 }, 0.5, fields))).toBe(true);
  });
});
