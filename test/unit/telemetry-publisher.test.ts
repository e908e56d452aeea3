import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SlotReadingCache } from '../../src/adapters/drivers/slot-reading-cache.js';
import { createLogger } from '../../src/log.js';
import type { BrokerClient } from '../../src/ports/broker.js';
import { dailyCarbon } from '../../src/runtime/telemetry/station-messages.js';
import { TelemetryMetrics } from '../../src/runtime/telemetry/telemetry-metrics.js';
import { TelemetryPublisher } from '../../src/runtime/telemetry/telemetry-publisher.js';
import { Spec003Validator } from '../../src/validation/spec003/spec003-validator.js';
import { ManualClock } from '../harness/clock.js';
import { ManualScheduler } from '../harness/manual-scheduler.js';

/** A broker connection whose state the test sets; what is handed to it is kept. */
function brokerThatIs(connected: boolean) {
  const sent: { topic: string; payload: string; qos: number }[] = [];
  const broker: BrokerClient = {
    connected,
    subscribe: async () => undefined,
    publish: async (topic, payload, options) => {
      sent.push({ topic, payload: String(payload), qos: options.qos });
    },
    onConnectionChange: () => undefined,
    close: async () => undefined,
  };
  return { broker, sent };
}

function setup(connected: boolean, temperature = 29) {
  const clock = new ManualClock('2026-01-05T08:00:00Z');
  const readings = new SlotReadingCache();
  const registry = new Registry();
  const lines: string[] = [];
  const log = createLogger({ level: 'warn', pretty: false }, { write: (l: string) => lines.push(l) });
  const { broker, sent } = brokerThatIs(connected);
  const publisher = new TelemetryPublisher({
    broker,
    readings,
    validator: new Spec003Validator(),
    metrics: new TelemetryMetrics(registry),
    clock,
    scheduler: new ManualScheduler(clock),
    log,
    energy: null,
    settings: {
      siteId: 'SITE-KE-001',
      gatewayVersion: '0.1.0',
      intervalMs: 5000,
      fleetIntervalMs: 60000,
      qos: 0,
      carbon: null,
    },
  });
  for (const slot of [1, 2])
    readings.record({
      slot,
      deviceId: `slot-${slot}`,
      source: 'sim',
      assetId: `BAT-${slot}`,
      readAt: clock.now(),
      tags: {
        'SOC_%': 80,
        P_kW: -1,
        T_battery_C: temperature,
        mode: 1,
        alarm_code: 0,
        E_kwh_remaining: 25.6,
      },
      pMaxKw: 3,
    });
  return { publisher, sent, registry, lines };
}

describe('TelemetryPublisher', () => {
  it('drops telemetry while the broker is down, and counts it', async () => {
    const { publisher, sent, registry } = setup(false);
    publisher.publishSlots();
    publisher.publishAggregate();
    expect(sent).toEqual([]);
    const text = await registry.metrics();
    expect(text).toContain('swapd_telemetry_publish_dropped_total{message_type="telemetry"} 2');
    expect(text).toContain('swapd_telemetry_publish_dropped_total{message_type="fleet_aggregate"} 1');
  });

  it('does not send a message that fails the schema; counts every one, logs the cause once', async () => {
    const { publisher, sent, registry, lines } = setup(true, 140);
    publisher.publishSlots();
    publisher.publishSlots();
    expect(sent.filter((s) => s.topic.endsWith('/telemetry'))).toEqual([]);
    const text = await registry.metrics();
    expect(text).toMatch(
      /swapd_telemetry_publish_invalid_total\{message_type="telemetry",cause="\/payload\/temperature_c [^"]*"\} 4/,
    );
    expect(lines.filter((l) => l.includes('not sent'))).toHaveLength(1);
  });

  it('computes the CO₂ a day of swaps avoided, exactly', () => {
    const message = dailyCarbon(
      { siteId: 'SITE-KE-001', gatewayVersion: '0.1.0' },
      { gridIntensityGKwh: 120, displacedGKwh: 1460, countryCode: 'KE' },
      '370.1',
      new Date('2026-01-05T23:59:59Z'),
    );
    expect(message.payload).toEqual({
      co2_avoided_kg: 495.934,
      grid_intensity_g_kwh: 120,
      country_code: 'KE',
      period_kwh: 370.1,
    });
    expect(new Spec003Validator().validate(message)).toMatchObject({ ok: true });
  });
});
