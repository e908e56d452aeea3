import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TelemetryMetrics } from '../../src/runtime/telemetry/telemetry-metrics.js';
import { telemetryStatusSource } from '../../src/runtime/telemetry/telemetry-status.source.js';
import { ManualClock } from '../harness/clock.js';

function setup(publishing: boolean, ingesting: boolean) {
  const clock = new ManualClock('2026-01-05T08:00:00Z');
  const metrics = new TelemetryMetrics(new Registry());
  const source = telemetryStatusSource({ metrics, clock, publishing, ingesting });
  return { clock, metrics, facts: () => source.facts!() };
}

/** The station page's telemetry section: totals and per-minute rates from the /metrics counters. */
describe('telemetry section of the station page', () => {
  it('a publishing station: what it sent, per minute over the last minute, and what it could not send', async () => {
    const { clock, metrics, facts } = setup(true, false);
    expect(await facts()).toEqual({
      'published per minute': 0,
      published: 0,
      'not sent (broker away)': 0,
      'not sent (invalid)': 0,
      'batteries cached': 0,
    });
    // 16 telemetry messages every 5 s for 30 s, plus one fleet aggregate: 97 in half a minute.
    metrics.published.inc({ message_type: 'telemetry' }, 96);
    metrics.published.inc({ message_type: 'fleet_aggregate' }, 1);
    metrics.publishDropped.inc({ message_type: 'telemetry' }, 16);
    metrics.publishInvalid.inc({ message_type: 'telemetry', cause: '/payload/soc_pct' });
    clock.advanceMs(30_000);
    expect(await facts()).toMatchObject({
      'published per minute': 194,
      published: 97,
      'not sent (broker away)': 16,
      'not sent (invalid)': 1,
    });
    // A minute later with nothing sent: the rate falls to 0, the totals stay.
    clock.advanceMs(60_000);
    await facts();
    clock.advanceMs(5_000);
    expect(await facts()).toMatchObject({ 'published per minute': 0, published: 97 });
    expect(await facts()).not.toHaveProperty('ingested');
  });

  it('an agent that ingests: taken in and refused, with their rates', async () => {
    const { clock, metrics, facts } = setup(false, true);
    await facts();
    metrics.received.inc({ message_type: 'telemetry' }, 120);
    metrics.rejected.inc({ cause: 'TELEMETRY_SCHEMA_INVALID' }, 3);
    metrics.cachedAssets.set(40);
    clock.advanceMs(60_000);
    expect(await facts()).toEqual({
      'ingested per minute': 120,
      ingested: 120,
      'refused per minute': 3,
      refused: 3,
      'batteries cached': 40,
    });
  });
});
