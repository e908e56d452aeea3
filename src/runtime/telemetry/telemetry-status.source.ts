import type { Counter } from 'prom-client';
import type { Clock } from '../../ports/clock.js';
import type { StationStatusSource, StatusFact } from '../../ports/station-status.js';
import type { TelemetryMetrics } from './telemetry-metrics.js';
import type { TelemetryServices } from './telemetry-services.js';

const WINDOW_MS = 60_000;

/** The sum of a counter over all its label values. */
async function total(counter: Counter<string>): Promise<number> {
  const { values } = await counter.get();
  return values.reduce((sum, v) => sum + v.value, 0);
}

/**
 * Totals sampled over time, so that a rate over the last minute can be told from counters that only
 * grow. Until a minute has been seen, the rate is over the time seen so far (per minute all the same).
 */
class PerMinute {
  readonly #samples: { at: number; value: number }[] = [];

  rate(at: number, value: number): number {
    this.#samples.push({ at, value });
    while (this.#samples.length > 1 && at - (this.#samples[1]?.at ?? at) >= WINDOW_MS) this.#samples.shift();
    const first = this.#samples[0] as { at: number; value: number };
    const spanMs = at - first.at;
    if (spanMs <= 0) return 0;
    return Math.round(((value - first.value) * WINDOW_MS) / spanMs);
  }
}

export interface TelemetrySourceOptions {
  metrics: TelemetryMetrics;
  clock: Clock;
  /** This process publishes the station's SPEC-003 telemetry (station role, publishing on). */
  publishing: boolean;
  /** This process ingests other stations' SPEC-003 messages (agent role, ingest on). */
  ingesting: boolean;
}

/**
 * SPEC-003 telemetry as a section of the station page: what this station published and what the
 * ingest took in or refused, with rates over the last minute, from the same counters as /metrics.
 */
export function telemetryStatusSource(options: TelemetrySourceOptions): StationStatusSource {
  const { metrics, clock } = options;
  const rates = { published: new PerMinute(), accepted: new PerMinute(), rejected: new PerMinute() };
  return {
    name: 'telemetry',
    title: 'Telemetry (SPEC-003)',
    async facts() {
      const at = clock.now().getTime();
      const facts: Record<string, StatusFact> = {};
      if (options.publishing) {
        const published = await total(metrics.published);
        facts['published per minute'] = rates.published.rate(at, published);
        facts.published = published;
        facts['not sent (broker away)'] = await total(metrics.publishDropped);
        facts['not sent (invalid)'] = await total(metrics.publishInvalid);
      }
      if (options.ingesting) {
        const accepted = await total(metrics.received);
        const rejected = await total(metrics.rejected);
        facts['ingested per minute'] = rates.accepted.rate(at, accepted);
        facts.ingested = accepted;
        facts['refused per minute'] = rates.rejected.rate(at, rejected);
        facts.refused = rejected;
      }
      facts['batteries cached'] = (await metrics.cachedAssets.get()).values[0]?.value ?? 0;
      return facts;
    },
  };
}

/** The telemetry section of a running swapd, or null when it neither publishes nor ingests. */
export function telemetrySectionOf(services: TelemetryServices, clock: Clock): StationStatusSource | null {
  const publishing = services.publisher !== null;
  const ingesting = services.ingest !== null;
  if (!publishing && !ingesting) return null;
  return telemetryStatusSource({ metrics: services.metrics, clock, publishing, ingesting });
}
