import type { Registry } from 'prom-client';
import type { Role, TelemetryConfig } from '../../config/config.js';
import type { Logger } from '../../log.js';
import type { BrokerClient } from '../../ports/broker.js';
import type { Clock } from '../../ports/clock.js';
import type { Scheduler } from '../../ports/scheduler.js';
import type { SlotReadings } from '../../ports/slot-readings.js';
import type { SwapEnergySource, TelemetryStore } from '../../ports/telemetry.js';
import { Spec003Validator } from '../../validation/spec003/spec003-validator.js';
import type { CarbonSettings } from './station-messages.js';
import { TelemetryCache } from './telemetry-cache.js';
import { TelemetryIngest } from './telemetry-ingest.js';
import { TelemetryMetrics } from './telemetry-metrics.js';
import { TelemetryPublisher } from './telemetry-publisher.js';
import { TelemetryLookup } from './telemetry-scanner.js';
import { TelemetryWriter } from './telemetry-writer.js';

type Closer = () => Promise<void>;

export interface TelemetryServicesDeps {
  settings: TelemetryConfig;
  siteId: string;
  roles: readonly Role[];
  sharedGroup: string | null;
  version: string;
  broker: BrokerClient;
  store: TelemetryStore;
  energy: SwapEnergySource;
  /** The station's shared slot readings, when this process publishes (station role, publishing on). */
  readings: SlotReadings | null;
  /** What keeps the slot readings current (started and stopped with the publisher). */
  poller: { start(): void; stop(): void } | null;
  registry: Registry;
  log: Logger;
  clock: Clock;
  scheduler: Scheduler;
}

export interface TelemetryServices {
  cache: TelemetryCache;
  store: TelemetryStore;
  lookup: TelemetryLookup;
  writer: TelemetryWriter;
  ingest: TelemetryIngest | null;
  publisher: TelemetryPublisher | null;
  /** The counters behind /metrics (and the station page's telemetry section). */
  metrics: TelemetryMetrics;
}

/** What the ingest and the publisher share: one cache, one set of metrics, one compiled validator. */
interface Shared {
  cache: TelemetryCache;
  metrics: TelemetryMetrics;
  validator: Spec003Validator;
}

function carbonSettings(t: TelemetryConfig, siteId: string): CarbonSettings | null {
  if (t.grid_intensity_g_kwh === null) return null;
  return {
    gridIntensityGKwh: t.grid_intensity_g_kwh,
    displacedGKwh: t.displaced_g_kwh,
    countryCode: t.country_code ?? siteId.split('-')[1] ?? 'ZZ',
  };
}

function startIngest(deps: TelemetryServicesDeps, parts: Shared) {
  const t = deps.settings;
  return new TelemetryIngest({
    broker: deps.broker,
    cache: parts.cache,
    validator: parts.validator,
    clock: deps.clock,
    metrics: parts.metrics,
    log: deps.log,
    rules: {
      maxBytes: t.max_message_bytes,
      sites: t.sites ? new Set(t.sites) : null,
      maxFutureSkewMs: t.max_future_skew_seconds * 1000,
    },
  });
}

function publisherFor(deps: TelemetryServicesDeps, readings: SlotReadings, parts: Shared) {
  const t = deps.settings;
  return new TelemetryPublisher({
    broker: deps.broker,
    readings,
    validator: parts.validator,
    metrics: parts.metrics,
    clock: deps.clock,
    scheduler: deps.scheduler,
    log: deps.log,
    energy: deps.energy,
    settings: {
      siteId: deps.siteId,
      gatewayVersion: deps.version,
      intervalMs: t.interval_ms,
      fleetIntervalMs: t.fleet_interval_ms,
      qos: t.qos,
      carbon: carbonSettings(t, deps.siteId),
    },
    // The station's own messages are its site's latest too (GET /api/v1/status without an agent).
    onPublished: (message) =>
      parts.cache.foldSite({
        siteId: message.site_id,
        messageType: message.message_type,
        measuredAt: new Date(message.timestamp),
        message,
      }),
  });
}

/**
 * SPEC-003 both ways (SPEC §2.5): the latest-reading cache and its batched writer (any role), the
 * ingest (agent role) and the slot poller + publisher (station role). Each registers its stop in
 * `closers`, so shutdown runs in reverse: publisher and ingest first, the writer's last flush after.
 */
export async function startTelemetryServices(
  deps: TelemetryServicesDeps,
  closers: Closer[],
): Promise<TelemetryServices> {
  const t = deps.settings;
  const metrics = new TelemetryMetrics(deps.registry);
  const cache = new TelemetryCache(t.max_assets);
  const validator = new Spec003Validator();
  const lookup = new TelemetryLookup(cache, deps.store, { alwaysAskStore: deps.sharedGroup !== null });
  // In the background: until it is known, the database is asked (and the answers remembered).
  void lookup.warm(t.max_assets);
  const writer = new TelemetryWriter({
    store: deps.store,
    cache,
    metrics,
    clock: deps.clock,
    scheduler: deps.scheduler,
    log: deps.log,
    options: {
      intervalMs: t.write_interval_ms,
      batchRows: t.write_batch_rows,
      retentionMs: t.history_retention_hours * 3_600_000,
      pruneEveryMs: 60_000,
    },
  });
  writer.start();
  closers.push(() => writer.stop());
  let ingest: TelemetryIngest | null = null;
  if (deps.roles.includes('agent') && t.ingest) {
    const started = startIngest(deps, { cache, metrics, validator });
    await started.start(deps.sharedGroup);
    closers.push(async () => started.stop());
    ingest = started;
  }
  let publisher: TelemetryPublisher | null = null;
  if (deps.readings) {
    const started = publisherFor(deps, deps.readings, { cache, metrics, validator });
    const poller = deps.poller;
    poller?.start();
    started.start();
    closers.push(async () => {
      started.stop();
      poller?.stop();
    });
    publisher = started;
  }
  return { cache, store: deps.store, lookup, writer, ingest, publisher, metrics };
}
