import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StationScanner } from '../../src/adapters/drivers/scanner/station-scanner.js';
import type { RunningSimulator } from '../../src/adapters/drivers/simulator/station-simulator.js';
import type { DataProvider } from '../../src/ports/data-provider.js';
import { simDriver, startTestSimulator } from '../harness/simulator-harness.js';

let sim: RunningSimulator;
let drivers: DataProvider[];
let scanner: StationScanner;
const clock = { now: () => new Date('2026-03-01T08:00:00.000Z') };

beforeEach(async () => {
  sim = await startTestSimulator({ slots: 4 });
  drivers = [sim.scannerUnitId, ...sim.slotUnitIds].map((u) => simDriver(sim, u));
  await Promise.all(drivers.map((d) => d.connect()));
  const [scan, ...slots] = drivers;
  scanner = new StationScanner({ scanner: scan ?? null, slots, clock });
});

afterEach(async () => {
  await Promise.all(drivers.map((d) => d.disconnect()));
  await sim.close();
});

describe('StationScanner', () => {
  it('reads a battery from the slot holding it', async () => {
    sim.placeBattery(3, { assetId: 'BAT-0042', socPct: 80.5, capacityKwh: 32 });
    const reading = await scanner.read('BAT-0042');
    expect(reading).toEqual({
      asset_id: 'BAT-0042',
      source: 'slot',
      kwh_remaining: '25.76',
      soc_pct: 80.5,
      voltage: expect.any(Number),
      temperature_c: 25,
      timestamp: '2026-03-01T08:00:00.000Z',
    });
  });

  it('prefers the scanner when the battery is on it', async () => {
    sim.placeBattery(sim.scannerUnitId, { assetId: 'BAT-0777', socPct: 12.5, capacityKwh: 20 });
    const reading = await scanner.read('BAT-0777');
    expect(reading).toMatchObject({ source: 'scanner', kwh_remaining: '2.5', soc_pct: 12.5 });
  });

  it('returns null for a battery the station cannot see', async () => {
    expect(await scanner.read('BAT-9999')).toBeNull();
  });

  it('follows a battery moved from one slot to another', async () => {
    sim.removeBattery(1);
    sim.placeBattery(1, { assetId: 'BAT-0100', socPct: 50 });
    expect((await scanner.read('BAT-0100'))?.source).toBe('slot');
    sim.placeBattery(4, { assetId: 'BAT-0100', socPct: 50 });
    expect(sim.battery(1)).toBeNull();
    expect(await scanner.read('BAT-0100')).toMatchObject({ kwh_remaining: '16' });
  });
});
