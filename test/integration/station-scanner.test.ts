import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aKenyaPlan, batteries, seed } from '../builders/plans.js';
import { startStation, type TestStation } from '../harness/station.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';
const SCANNER_UNIT = 100;

/** SPEC §3: kWh from the station's own scanner or slot first; the app's value only when the hardware cannot see the battery. */
describe('kWh from the station hardware (agent + station roles, simulator, aedes + postgres)', () => {
  let station: TestStation;

  beforeAll(async () => {
    station = await startStation({
      db: 'postgres',
      broker: 'aedes',
      overrides: { roles: ['agent', 'station'], station: { simulator: true, simulator_slots: 4 } },
    });
    await seed(station.db, [aKenyaPlan()], batteries(['BAT-67890']));
    const sim = station.swapd.hardware!.simulator!;
    sim.placeBattery(SCANNER_UNIT, { assetId: 'BAT-12345', capacityKwh: 32, socPct: 15 });
    sim.placeBattery(1, { assetId: 'BAT-67890', capacityKwh: 32, socPct: 95 });
  });
  afterAll(() => station?.close());

  it('reads the returned battery on the scanner: kwh_source scanner, and the hardware wins over a different app value', async () => {
    const res = await station.requester.call(PLAN, 'identify_returned_equipment', {
      action: 'IDENTIFY_RETURNED_EQUIPMENT',
      correlation_id: 'hw-1',
      equipment_id: 'BAT-12345',
      kwh_remaining: 9.9,
    });
    expect(res.signals).toEqual(['EQUIPMENT_BELONGS_TO_USER', 'KWH_MISMATCH']);
    expect(res.metadata).toMatchObject({ kwh_source: 'scanner', kwh_remaining: 4.8 });
    expect((res.metadata as Record<string, unknown>).kwh_mismatch).toMatchObject({
      app_kwh: 9.9,
      hardware_kwh: 4.8,
    });
  });

  it('reads the outgoing battery in its charging slot: kwh_source slot', async () => {
    const res = await station.requester.call(PLAN, 'identify_outgoing_equipment', {
      action: 'IDENTIFY_OUTGOING_EQUIPMENT',
      correlation_id: 'hw-2',
      equipment_id: 'BAT-67890',
    });
    expect(res.signals).toEqual(['EQUIPMENT_AVAILABLE']);
    expect(res.metadata).toMatchObject({ kwh_source: 'slot', kwh_remaining: 30.4 });
  });

  it('checks out with hardware kWh: net 25.6 even though the app sent nothing', async () => {
    const res = await station.requester.call(PLAN, 'equipment_checkout', {
      action: 'EQUIPMENT_CHECKOUT',
      correlation_id: 'hw-3',
      incoming_equipment_id: 'BAT-12345',
      replacement_equipment_id: 'BAT-67890',
    });
    expect(res.success).toBe(true);
    expect((res.metadata as Record<string, unknown>).electricity_calculation).toMatchObject({
      incoming_kwh: 4.8,
      outgoing_kwh: 30.4,
      net_delivered_kwh: 25.6,
      incoming_kwh_source: 'scanner',
      outgoing_kwh_source: 'slot',
    });
  });

  it('serves the hardware reading over HTTP: GET /api/v1/assets/{id}/telemetry/latest', async () => {
    const base = `http://127.0.0.1:${station.swapd.httpPort}/api/v1/assets`;
    const auth = { headers: { authorization: `Bearer ${station.swapd.opsToken}` } };
    expect((await fetch(`${base}/BAT-12345/telemetry/latest`)).status).toBe(401);
    const res = await fetch(`${base}/BAT-12345/telemetry/latest`, auth);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      asset_id: 'BAT-12345',
      telemetry: { kwh_remaining: 4.8, source: 'scanner' },
    });
    expect((await fetch(`${base}/BAT-NOWHERE/telemetry/latest`, auth)).status).toBe(404);
  });

  it('falls back to the app value for a battery the station cannot see', async () => {
    await seed(station.db, [], batteries(['BAT-AWAY']));
    const res = await station.requester.call(PLAN, 'identify_outgoing_equipment', {
      action: 'IDENTIFY_OUTGOING_EQUIPMENT',
      correlation_id: 'hw-4',
      equipment_id: 'BAT-AWAY',
      kwh_remaining: 31,
    });
    expect(res.metadata).toMatchObject({ kwh_source: 'app', kwh_remaining: 31 });
  });
});
