import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aKenyaPlan, batteries, seed } from '../builders/plans.js';
import { startStation, type TestStation } from '../harness/station.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';
const SCANNER_UNIT = 100;

/** A station device that stops answering does not stop the attendant: the app's figure is used, and said so. */
describe('station device timeout during a request (simulator, aedes + postgres)', () => {
  let station: TestStation;

  beforeAll(async () => {
    station = await startStation({
      db: 'postgres',
      broker: 'aedes',
      overrides: { roles: ['agent', 'station'], station: { simulator: true, simulator_slots: 2 } },
    });
    await seed(station.db, [aKenyaPlan()], batteries(['BAT-67890']));
    station.swapd.hardware!.simulator!.placeBattery(SCANNER_UNIT, {
      assetId: 'BAT-12345',
      capacityKwh: 32,
      socPct: 15,
    });
  });
  afterAll(() => station?.close());

  it('answers with the app value (kwh_source app) when the scanner does not answer', async () => {
    const sim = station.swapd.hardware!.simulator!;
    sim.faults.set({ kind: 'no-answer' }, SCANNER_UNIT);
    const started = Date.now();
    const res = await station.requester.call(PLAN, 'identify_returned_equipment', {
      action: 'IDENTIFY_RETURNED_EQUIPMENT',
      correlation_id: 'silent-1',
      equipment_id: 'BAT-12345',
      kwh_remaining: 4.9,
    });
    expect(res.signals).toEqual(['EQUIPMENT_BELONGS_TO_USER']);
    expect(res.metadata).toMatchObject({ kwh_source: 'app', kwh_remaining: 4.9 });
    expect(Date.now() - started).toBeLessThan(8000);
    sim.faults.clear(SCANNER_UNIT);
    const health = await fetch(`http://127.0.0.1:${station.swapd.httpPort}/health`).then((r) => r.json());
    expect(health).toMatchObject({ database: true, broker: true });
  });
});
