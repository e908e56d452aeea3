import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAjv } from '../../src/validation/ajv.js';
import { SPEC003_SCHEMAS } from '../../src/validation/spec003/spec003-validator.js';
import { ManualClock } from '../harness/clock.js';
import { ManualScheduler } from '../harness/manual-scheduler.js';
import { startStation, type TestStation } from '../harness/station.js';

const SITE = 'SITE-KE-014';
const START = '2026-01-05T23:58:00.000Z';

/** The seed's schemas as they are, without swapd's extension check: what any SPEC-003 consumer runs. */
function seedValidator() {
  const ajv = createAjv();
  const envelope = ajv.compile(SPEC003_SCHEMAS.envelope);
  const payloads = Object.fromEntries(
    Object.entries(SPEC003_SCHEMAS.payloads).map(([type, schema]) => [type, ajv.compile(schema)]),
  );
  return (message: { message_type: string; payload: unknown }) =>
    envelope(message) && (payloads[message.message_type]?.(message.payload) ?? false);
}

interface Seen {
  topic: string;
  message: { message_type: string; site_id: string; timestamp: string; payload: Record<string, unknown> };
  qos: number;
}

/**
 * A station-role swapd with the built-in simulator (16 occupied slots) runs five minutes of station
 * time on a manual clock; a subscriber on `bessai/#` checks what it publishes.
 */
describe('SPEC-003 publisher over a simulated 5-minute station run', () => {
  let station: TestStation;
  let subscriber: MqttClient;
  const clock = new ManualClock(START);
  const scheduler = new ManualScheduler(clock);
  const seen: Seen[] = [];
  let elapsedMs = 0;

  beforeAll(async () => {
    station = await startStation({
      db: 'pglite',
      broker: 'aedes',
      overrides: {
        roles: ['agent', 'station'],
        site_id: SITE,
        telemetry: { grid_intensity_g_kwh: 120 },
      },
      start: { clock, scheduler },
    });
    subscriber = await mqtt.connectAsync(station.swapd.brokerUrl, { protocolVersion: 4 });
    subscriber.on('message', (topic, payload, packet) =>
      seen.push({ topic, message: JSON.parse(payload.toString()), qos: packet.qos }),
    );
    await subscriber.subscribeAsync('bessai/#', { qos: 1 });
    const started = performance.now();
    for (let second = 0; second < 300; second++) await scheduler.advance(1000);
    elapsedMs = performance.now() - started;
    console.log(`five minutes of station time took ${Math.round(elapsedMs)} ms`);
    const expected = 16 * 60 + 5 + 1;
    const deadline = Date.now() + 5000;
    while (seen.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }, 60_000);
  afterAll(async () => {
    await subscriber?.endAsync();
    await station?.close();
  });

  it('finishes five minutes of station time in seconds', () => {
    expect(elapsedMs).toBeLessThan(20_000);
  });

  it('publishes telemetry for every occupied slot every 5 s, at QoS 0', () => {
    const telemetry = seen.filter((s) => s.topic === `bessai/${SITE}/telemetry`);
    const occupied = station.swapd.hardware!.simulatedBatteries.map((b) => b.asset_id).sort();
    expect(occupied).toHaveLength(16);
    const byAsset = new Map<string, string[]>();
    for (const s of telemetry) {
      const id = s.message.payload.asset_id as string;
      byAsset.set(id, [...(byAsset.get(id) ?? []), s.message.timestamp]);
    }
    expect([...byAsset.keys()].sort()).toEqual(occupied);
    const start = Date.parse(START);
    const every5s = Array.from({ length: 60 }, (_, i) => new Date(start + (i + 1) * 5000).toISOString());
    for (const times of byAsset.values()) expect(times).toEqual(every5s);
    expect(new Set(telemetry.map((s) => s.qos))).toEqual(new Set([0]));
    const first = telemetry[0]!.message.payload;
    expect(first).toMatchObject({ mode: expect.any(Number), slot: expect.any(Number) });
    expect(typeof first.energy_kwh).toBe('number');
    expect(typeof first.soh_pct).toBe('number');
  });

  it('publishes a fleet_aggregate every 60 s and the carbon_metric of the day that ended', () => {
    const fleet = seen.filter((s) => s.topic === `bessai/${SITE}/fleet_aggregate`);
    expect(fleet.map((s) => s.message.timestamp)).toEqual(
      [1, 2, 3, 4, 5].map((m) => new Date(Date.parse(START) + m * 60_000).toISOString()),
    );
    expect(fleet[0]!.message.payload).toMatchObject({ n_sites_active: 1, active_alarms_count: 0 });
    const carbon = seen.filter((s) => s.topic === `bessai/${SITE}/carbon_metric`);
    expect(carbon).toHaveLength(1);
    expect(carbon[0]!.message).toMatchObject({
      timestamp: '2026-01-05T23:59:59.000Z',
      payload: { country_code: 'KE', grid_intensity_g_kwh: 120, period_kwh: 0, co2_avoided_kg: 0 },
    });
  });

  it("sends only messages that validate against the seed's schemas", () => {
    const valid = seedValidator();
    expect(seen.length).toBe(16 * 60 + 5 + 1);
    for (const s of seen) expect(valid(s.message), JSON.stringify(s.message)).toBe(true);
  });

  it('ingests its own stream: latest per battery and a throttled history in the database', async () => {
    await station.swapd.telemetry.writer.flush();
    const latest = await station.db.selectFrom('telemetry_latest').select(['asset_id', 'site_id']).execute();
    expect(latest).toHaveLength(16);
    const history = await station.db
      .selectFrom('telemetry_history')
      .select((eb) => ['asset_id', eb.fn.countAll<string>().as('n')])
      .groupBy('asset_id')
      .execute();
    for (const row of history) expect(Number(row.n)).toBeLessThanOrEqual(61);
    const status = await fetch(`http://127.0.0.1:${station.swapd.httpPort}/api/v1/status`);
    expect(await status.json()).toMatchObject({ site_id: SITE, message_type: 'telemetry' });
  });
});
