import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localConfig } from '../../bench/infra.js';
import { silentLogger } from '../../src/log.js';
import { startSwapd } from '../../src/main.js';
import { TelemetryCache } from '../../src/runtime/telemetry/telemetry-cache.js';
import { TelemetryLookup } from '../../src/runtime/telemetry/telemetry-scanner.js';
import { aKenyaPlan, batteries, seed, seedCheckout } from '../builders/plans.js';
import { batteryTelemetry, fleetAggregate } from '../builders/spec003.js';
import { startStation, type TestStation } from '../harness/station.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';
const SITE = 'SITE-KE-014';

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not reached');
}

/**
 * An agent-only swapd on Postgres; a plain MQTT client plays the station controller and publishes
 * SPEC-003 telemetry of its slots. The agent answers with the controller's kWh (`kwh_source: telemetry`)
 * while the reading is fresh, and with the app's value once it is stale.
 */
describe('SPEC-003 ingest into an agent-only swapd', () => {
  let station: TestStation;
  let controller: MqttClient;

  const publish = async (message: object, topic?: string) => {
    const m = message as { site_id: string; message_type: string };
    await controller.publishAsync(topic ?? `bessai/${m.site_id}/${m.message_type}`, JSON.stringify(message), {
      qos: 1,
    });
  };

  beforeAll(async () => {
    station = await startStation({
      db: 'postgres',
      broker: 'aedes',
      overrides: { telemetry: { write_interval_ms: 50 } },
    });
    await seed(
      station.db,
      [
        aKenyaPlan(),
        aKenyaPlan((p) => {
          p.planId = 'plan-stale';
          p.customerId = 'CUST-STALE';
          p.currentAsset = 'BAT-STALE-1';
        }),
      ],
      batteries(['BAT-67890', 'BAT-STALE-1', 'BAT-FRESH-2']),
    );
    controller = await mqtt.connectAsync(station.swapd.brokerUrl, { protocolVersion: 4 });
  });
  afterAll(async () => {
    await controller?.endAsync();
    await station?.close();
  });

  it('uses the controller kWh for IDENTIFY_RETURNED_EQUIPMENT with kwh_source telemetry', async () => {
    const now = new Date();
    await publish(batteryTelemetry(SITE, 'BAT-12345', 5.1, now));
    await publish(batteryTelemetry(SITE, 'BAT-67890', 30.9, now));
    await until(() => station.swapd.telemetry.cache.asset('BAT-67890') !== undefined);
    const res = await station.requester.call(PLAN, 'identify_returned_equipment', {
      action: 'IDENTIFY_RETURNED_EQUIPMENT',
      correlation_id: 'tel-1',
      equipment_id: 'BAT-12345',
      kwh_remaining: 4.8,
    });
    expect(res.signals).toEqual(['EQUIPMENT_BELONGS_TO_USER']);
    expect(res.metadata).toMatchObject({
      kwh_remaining: 5.1,
      kwh_source: 'telemetry',
      read_timestamp: now.toISOString(),
      battery_voltage: 52.1,
      battery_temperature: 27.5,
    });
  });

  it('counts the swap with the controller kWh in EQUIPMENT_CHECKOUT', async () => {
    const res = await station.requester.call(PLAN, 'equipment_checkout', seedCheckout('tel-2'));
    expect(res.success).toBe(true);
    const meta = res.metadata as Record<string, Record<string, unknown>>;
    expect(meta.electricity_calculation).toMatchObject({
      incoming_kwh: 5.1,
      outgoing_kwh: 30.9,
      net_delivered_kwh: 25.8,
      incoming_kwh_source: 'telemetry',
      outgoing_kwh_source: 'telemetry',
    });
  });

  it("falls back to the app's value when the reading is older than soc_telemetry_timeout_seconds", async () => {
    await publish(batteryTelemetry(SITE, 'BAT-STALE-1', 9.9, new Date(Date.now() - 60_000)));
    await until(() => station.swapd.telemetry.cache.asset('BAT-STALE-1') !== undefined);
    const res = await station.requester.call('plan-stale', 'identify_returned_equipment', {
      action: 'IDENTIFY_RETURNED_EQUIPMENT',
      correlation_id: 'tel-3',
      equipment_id: 'BAT-STALE-1',
      kwh_remaining: 3.2,
    });
    expect(res.metadata).toMatchObject({ kwh_remaining: 3.2, kwh_source: 'app' });
  });

  it('keeps only the newest reading per battery, in memory and in Postgres, with a history', async () => {
    const base = Date.now();
    await publish(batteryTelemetry(SITE, 'BAT-FRESH-2', 20, new Date(base)));
    await publish(batteryTelemetry(SITE, 'BAT-FRESH-2', 18, new Date(base - 5000)));
    await until(async () => {
      const row = await station.db
        .selectFrom('telemetry_latest')
        .select('energy_kwh')
        .where('asset_id', '=', 'BAT-FRESH-2')
        .executeTakeFirst();
      return row?.energy_kwh === '20';
    });
    const history = await station.db
      .selectFrom('telemetry_history')
      .select(['energy_kwh', 'slot', 'soh_pct'])
      .where('asset_id', '=', 'BAT-FRESH-2')
      .execute();
    expect(history).toEqual([{ energy_kwh: '20', slot: 3, soh_pct: 97.5 }]);
    // After a restart the memory is empty: the stored row answers.
    const fresh = new TelemetryLookup(new TelemetryCache(10), station.swapd.telemetry.store, {
      alwaysAskStore: false,
    });
    const stored = await fresh.latest('BAT-FRESH-2');
    expect(stored?.message.payload.energy_kwh).toBe(20);
    expect(stored?.measuredAt.toISOString()).toBe(new Date(base).toISOString());
  });

  it('refuses and counts bad messages without storing them', async () => {
    const ingest = station.swapd.telemetry.ingest!;
    const before = new Map(ingest.rejected);
    const now = new Date();
    await publish(
      { ...batteryTelemetry(SITE, 'BAT-BAD-1', 5, now), site_id: 'SITE-KE-999' },
      `bessai/${SITE}/telemetry`,
    );
    await publish(batteryTelemetry(SITE, 'BAT-BAD-2', 5, new Date(now.getTime() + 3_600_000)));
    await publish(batteryTelemetry(SITE, 'BAT-BAD-3', 5, now, { soc_pct: 140 }));
    await controller.publishAsync(`bessai/${SITE}/telemetry`, 'not json', { qos: 1 });
    const delta = (cause: string) =>
      (ingest.rejected.get(cause as never) ?? 0) - (before.get(cause as never) ?? 0);
    await until(() => delta('TELEMETRY_MALFORMED') === 1);
    expect(delta('TELEMETRY_TOPIC_MISMATCH')).toBe(1);
    expect(delta('TELEMETRY_FUTURE_TIMESTAMP')).toBe(1);
    expect(delta('TELEMETRY_SCHEMA_VIOLATION')).toBe(1);
    for (const id of ['BAT-BAD-1', 'BAT-BAD-2', 'BAT-BAD-3'])
      expect(station.swapd.telemetry.cache.asset(id)).toBeUndefined();
    const metrics = await (await fetch(`http://127.0.0.1:${station.swapd.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/swapd_telemetry_rejected_total\{cause="TELEMETRY_FUTURE_TIMESTAMP"\} 1/);
  });

  it('serves the site status, the fleet and a battery history over HTTP', async () => {
    const http = `http://127.0.0.1:${station.swapd.httpPort}/api/v1`;
    await publish(fleetAggregate(SITE, new Date()));
    await until(() => station.swapd.telemetry.cache.site(SITE, 'fleet_aggregate') !== undefined);
    const status = await fetch(`${http}/status?site_id=${SITE}`);
    expect(status.status).toBe(200);
    const envelope = (await status.json()) as Record<string, unknown>;
    expect(envelope).toMatchObject({ schema_version: '1.0', message_type: 'telemetry', site_id: SITE });
    const fleet = (await (await fetch(`${http}/fleet`)).json()) as { sites: { site_id: string }[] };
    expect(fleet.sites.map((s) => s.site_id)).toEqual([SITE]);
    const history = await fetch(`${http}/assets/BAT-FRESH-2/telemetry/history`);
    expect(((await history.json()) as { points: unknown[] }).points).toHaveLength(1);
    const bad = await fetch(`${http}/assets/BAT-FRESH-2/telemetry/history?from=yesterday`);
    expect(bad.status).toBe(400);
    expect((await fetch(`${http}/status?site_id=SITE-KE-404`)).status).toBe(404);
    const version = (await (await fetch(`${http}/version`)).json()) as Record<string, unknown>;
    expect(version).toMatchObject({ name: 'swapd', spec003_schema_version: '1.0', roles: ['agent'] });
  });
});

/**
 * Two swapd processes' worth on one broker: an agent-only swapd on Postgres, and a station-only swapd
 * (its own simulator, no agent role) attached to the agent's broker. The station's published slot
 * telemetry is what the agent answers with.
 */
describe('a station-only swapd feeding an agent-only swapd', () => {
  let agent: TestStation;
  let stationOnly: Awaited<ReturnType<typeof startSwapd>>;

  beforeAll(async () => {
    agent = await startStation({ db: 'postgres', broker: 'aedes', overrides: { site_id: SITE } });
    stationOnly = await startSwapd(
      localConfig(
        {
          databaseUrl: null,
          mqttUrl: agent.swapd.brokerUrl,
          dataDir: mkdtempSync(join(tmpdir(), 'swapd-st-')),
        },
        {
          roles: ['station'],
          site_id: SITE,
          telemetry: { interval_ms: 200 },
          station: { simulator_slots: 4 },
        },
      ),
      { log: silentLogger(), inMemoryDatabase: true, writeRuntimeNote: false },
    );
    const held = stationOnly.hardware!.simulatedBatteries[0]!.asset_id;
    await seed(
      agent.db,
      [
        aKenyaPlan((p) => {
          p.planId = 'plan-station';
          p.customerId = 'CUST-ST';
          p.currentAsset = held;
        }),
      ],
      batteries([held]),
    );
  }, 60_000);
  afterAll(async () => {
    await stationOnly?.stop();
    await agent?.close();
  });

  it("answers IDENTIFY_RETURNED_EQUIPMENT with the station's slot reading, kwh_source telemetry", async () => {
    const sim = stationOnly.hardware!.simulator!;
    const held = stationOnly.hardware!.simulatedBatteries[0]!.asset_id;
    await until(() => agent.swapd.telemetry.cache.asset(held) !== undefined, 10_000);
    const published = agent.swapd.telemetry.cache.asset(held)!.message.payload;
    const res = await agent.requester.call('plan-station', 'identify_returned_equipment', {
      action: 'IDENTIFY_RETURNED_EQUIPMENT',
      correlation_id: 'st-1',
      equipment_id: held,
      kwh_remaining: 1,
    });
    expect(res.metadata).toMatchObject({ kwh_source: 'telemetry' });
    const kwh = (res.metadata as { kwh_remaining: number }).kwh_remaining;
    expect(Math.abs(kwh - (published.energy_kwh as number))).toBeLessThan(0.1);
    expect(sim.slotUnitIds).toContain(published.slot);
  });
});
