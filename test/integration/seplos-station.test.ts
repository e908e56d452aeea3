import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSeplosSimulator } from '../../src/adapters/drivers/simulator/seplos-simulator.js';
import { startSeplosSimulator } from '../../src/adapters/drivers/simulator/seplos-simulator.js';
import { aKenyaPlan, batteries, seed } from '../builders/plans.js';
import { startStation, type TestStation } from '../harness/station.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';
const SCANNER = 9;

/**
 * The packs' own figures, chosen so that rounding matters: the outgoing pack holds 543.84 Ah at 55.99 V
 * = 30.4496016 kWh, which is 30.4 at the template's one decimal — rounding first to Wh (30.450) and
 * then to one decimal would wrongly give 30.5. The returned pack holds 93.75 Ah at 51.23 V = 4.8028125.
 */
const OUTGOING = { remainingCentiAh: 54_384, packCentiV: 5_599 };
const INCOMING = { remainingCentiAh: 9_375, packCentiV: 5_123 };

function kwhOf(raw: { remainingCentiAh: number; packCentiV: number }): Decimal {
  return new Decimal(raw.remainingCentiAh).div(100).mul(new Decimal(raw.packCentiV).div(100)).div(1000);
}

/** SPEC §3 kWh from a battery's own BMS: a station whose slots and scanner are Seplos V2 packs. */
describe('a station of Seplos packs (agent + station roles, Seplos simulator, aedes + postgres)', () => {
  let station: TestStation;
  let packs: RunningSeplosSimulator;

  beforeAll(async () => {
    packs = await startSeplosSimulator({ addresses: [1, 2, SCANNER] });
    const slotA = packs.placeBattery(1, { assetId: 'BAT-67890', capacityKwh: 32, socPct: 95 });
    packs.placeBattery(2, { assetId: 'BAT-70000', capacityKwh: 32, socPct: 60 });
    const scanner = packs.placeBattery(SCANNER, { assetId: 'BAT-12345', capacityKwh: 32, socPct: 15 });
    slotA.override = OUTGOING;
    scanner.override = INCOMING;
    const device = (id: string, address: number, role: string) => ({
      id,
      url: `${packs.url(address)}&delay_ms=5`,
      profile: 'seplos_bms-v2',
      role,
    });
    station = await startStation({
      db: 'postgres',
      broker: 'aedes',
      overrides: {
        roles: ['agent', 'station'],
        station: {
          simulator: false,
          devices: [
            device('slot-1', 1, 'slot'),
            device('slot-2', 2, 'slot'),
            device('scanner', SCANNER, 'scanner'),
          ],
        },
      },
    });
    await seed(station.db, [aKenyaPlan()], batteries(['BAT-67890', 'BAT-70000']));
    await waitUntil(() =>
      Object.values(station.swapd.hardware?.health() ?? {}).every((s) => s === 'CONNECTED'),
    );
  });
  afterAll(async () => {
    await station?.close();
    await packs?.close();
  });

  it('the exact figure is Ah × V', () => {
    expect(kwhOf(OUTGOING).toFixed()).toBe('30.4496016');
    expect(kwhOf(INCOMING).toFixed()).toBe('4.8028125');
  });

  it('IDENTIFY_RETURNED_EQUIPMENT reads the returned pack on the scanner: Ah × V, kwh_source scanner', async () => {
    const res = await station.requester.call(PLAN, 'identify_returned_equipment', {
      action: 'IDENTIFY_RETURNED_EQUIPMENT',
      correlation_id: 'sp-1',
      equipment_id: 'BAT-12345',
    });
    expect(res.signals).toEqual(['EQUIPMENT_BELONGS_TO_USER']);
    expect(res.metadata).toMatchObject({ kwh_source: 'scanner', kwh_remaining: 4.8, battery_voltage: 51.23 });
  });

  it('IDENTIFY_OUTGOING_EQUIPMENT reads the pack in its slot: kwh_source slot, rounded once', async () => {
    const res = await station.requester.call(PLAN, 'identify_outgoing_equipment', {
      action: 'IDENTIFY_OUTGOING_EQUIPMENT',
      correlation_id: 'sp-2',
      equipment_id: 'BAT-67890',
    });
    expect(res.signals).toEqual(['EQUIPMENT_AVAILABLE']);
    expect(res.metadata).toMatchObject({ kwh_source: 'slot', kwh_remaining: 30.4, battery_voltage: 55.99 });
  });

  it('COMPLETE_SERVICE answers the packs’ kWh exact to the template precision: 30.4 − 4.8 = 25.6', async () => {
    const res = await station.requester.call(PLAN, 'complete_service', {
      action: 'COMPLETE_SERVICE',
      correlation_id: 'sp-3',
      incoming_battery_id: 'BAT-12345',
      outgoing_battery_id: 'BAT-67890',
      payment_occurred: false,
      attendant_id: 'ATT-001',
      attendant_station: 'STATION_XYZ',
    });
    expect(res.success).toBe(true);
    const meta = res.metadata as Record<string, unknown>;
    const precision = 1; // the Kenya template's electricity_tracking.decimal_precision
    const incoming = kwhOf(INCOMING).toDecimalPlaces(precision, Decimal.ROUND_HALF_UP);
    const outgoing = kwhOf(OUTGOING).toDecimalPlaces(precision, Decimal.ROUND_HALF_UP);
    const net = outgoing.minus(incoming);
    expect(meta.electricity_calculation).toMatchObject({
      incoming_kwh: incoming.toNumber(),
      outgoing_kwh: outgoing.toNumber(),
      net_delivered_kwh: net.toNumber(),
      incoming_kwh_source: 'scanner',
      outgoing_kwh_source: 'slot',
    });
    expect(net.toFixed()).toBe('25.6');
    expect(meta.quota_updates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ used_before: 344.5, used_after: 370.1, increment: 25.6 }),
      ]),
    );
    expect((meta.receipt as Record<string, unknown>).electricity_delivered_kwh).toBe(25.6);
  });
});

async function waitUntil(condition: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('the Seplos devices did not connect in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
