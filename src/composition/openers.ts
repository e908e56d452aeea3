import { resolve } from 'node:path';
import { clientTls, embeddedAccess, embeddedTls } from '../adapters/broker/broker-security.js';
import { type EmbeddedBroker, startEmbeddedBroker } from '../adapters/broker/embedded-broker.js';
import { connectBroker, connectInProcess } from '../adapters/broker/mqtt-client.js';
import { type DatabaseHandle, openDatabase } from '../adapters/db/connect.js';
import { migrateToLatest } from '../adapters/db/migrate.js';
import { createSwapEnergyRepo } from '../adapters/db/swap-energy.repo.js';
import { createTelemetryRepo } from '../adapters/db/telemetry.repo.js';
import { SlotPoller } from '../adapters/drivers/slot-poller.js';
import { type StationHardware, startStationHardware } from '../adapters/drivers/station-hardware.js';
import { loadTemplates } from '../adapters/templates/template-loader.js';
import { upsertTemplates } from '../admin/admin.repo.js';
import type { SwapdConfig } from '../config/config.js';
import type { Logger } from '../log.js';
import type { BrokerClient } from '../ports/broker.js';
import type { Clock } from '../ports/clock.js';
import type { Scheduler } from '../ports/scheduler.js';
import type { SwapdMetrics } from '../runtime/metrics.js';
import { startTelemetryServices, type TelemetryServices } from '../runtime/telemetry/telemetry-services.js';
import { PROJECT_ROOT, SWAPD_VERSION } from './project.js';
import type { Closer, StartOptions } from './start-options.js';

// The adapters start-up opens first: storage, station hardware, broker, and the telemetry services.

/** Room in an MQTT packet beside the payload: topic, packet id, MQTT 5 properties. */
const MQTT_PACKET_OVERHEAD_BYTES = 4096;

/** The largest message swapd reads: a request, or a telemetry message it ingests and counts when too big. */
function largestInbound(config: SwapdConfig): number {
  return Math.max(config.max_payload_bytes, config.telemetry.max_message_bytes);
}

/**
 * The broker connection. With the embedded broker, swapd's own client attaches in-process and the
 * broker's listeners stay closed until `openListeners` (after swapd has subscribed).
 */
export async function openBroker(config: SwapdConfig, log: Logger, closers: Closer[]) {
  const clientId = `swapd-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  if (config.mqtt_url) {
    const broker = await connectBroker({
      url: config.mqtt_url,
      clientId,
      username: config.mqtt_username,
      password: config.mqtt_password,
      tls: clientTls(config),
      protocolVersion: 5,
      maxPacketBytes: largestInbound(config) + MQTT_PACKET_OVERHEAD_BYTES,
      log,
    });
    closers.push(() => broker.close());
    return { broker, embedded: null };
  }
  const access = embeddedAccess(config, log);
  const explicit = config.explicit.includes('broker_port');
  const embedded = await startEmbeddedBroker({
    host: config.broker_host,
    port: config.broker_port,
    fallback: config.broker_port_fallback && !explicit,
    wsPort: config.broker_ws_port,
    maxPacketBytes: largestInbound(config) + MQTT_PACKET_OVERHEAD_BYTES,
    tls: embeddedTls(config),
    ...(access ? { hooks: access.hooks } : {}),
    log: log.child({ component: 'embedded-broker' }),
  });
  closers.push(() => embedded.close());
  const broker = await connectInProcess({
    clientId,
    open: () => embedded.connectInProcess(),
    username: access?.internal.username ?? null,
    password: access?.internal.password ?? null,
    log,
  });
  closers.push(() => broker.close());
  return { broker, embedded };
}

/** The URLs clients use: the embedded broker's, once its listeners open, or the configured one. */
export async function openListeners(config: SwapdConfig, embedded: EmbeddedBroker | null) {
  if (!embedded) return { url: config.mqtt_url as string, wsUrl: null, tlsUrl: null, wssUrl: null };
  const listeners = await embedded.listen();
  return { url: listeners.url, wsUrl: listeners.wsUrl, tlsUrl: listeners.tlsUrl, wssUrl: listeners.wssUrl };
}

export async function openHardware(
  config: SwapdConfig,
  log: Logger,
  clock: Clock,
  options: StartOptions,
  closers: Closer[],
) {
  if (!config.roles.includes('station')) return null;
  const hardware = await startStationHardware({
    driverTimings: options.driverTimings,
    simulatorAutoStepMs: options.simulatorAutoStepMs,
    simulator: config.station.simulator,
    simulatorPort: config.station.simulator_port,
    simulatorSlots: config.station.simulator_slots,
    devices: config.station.devices,
    registryDir: config.registry_dir,
    clock,
    log,
  });
  closers.push(() => hardware.close());
  return hardware;
}

export async function openStorage(
  config: SwapdConfig,
  log: Logger,
  options: StartOptions,
  closers: Closer[],
) {
  const database = await openDatabase({
    url: config.database_url,
    dataDir: config.data_dir,
    poolSize: config.db_pool_size,
    inMemory: options.inMemoryDatabase ?? false,
    log: log.child({ component: 'database' }),
  });
  closers.push(() => database.close());
  const { applied } = await migrateToLatest(database.db);
  if (applied.length > 0) log.info({ applied }, 'database migrated');
  const templates = loadTemplates(config.templates_dir ?? resolve(PROJECT_ROOT, 'templates'));
  await upsertTemplates(database.db, templates);
  return database;
}

export type Opener<T> = (closers: Closer[]) => Promise<T>;
type Opened<T extends readonly Opener<unknown>[]> = { -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> };

/**
 * Runs start-up steps side by side, then registers their closers in the order given (so shutdown runs
 * in the reverse, fixed order whichever step finished first); when one fails, the rest still finish
 * before the failure is reported, so nothing is left half-open.
 */
export async function openSideBySide<const T extends readonly Opener<unknown>[]>(
  closers: Closer[],
  openers: T,
): Promise<Opened<T>> {
  const own = openers.map((): Closer[] => []);
  const results = await Promise.allSettled(openers.map((open, i) => open(own[i]!)));
  for (const list of own) closers.push(...list);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as Opened<T>;
}

/**
 * SPEC-003 both ways (SPEC §2.5): the adapters the telemetry services need, built here; the services
 * (cache, batched writer, ingest, publisher) are assembled and started in the runtime.
 */
export function openTelemetry(
  config: SwapdConfig,
  deps: {
    database: DatabaseHandle;
    broker: BrokerClient;
    hardware: StationHardware | null;
    metrics: SwapdMetrics;
  },
  runtime: { log: Logger; clock: Clock; scheduler: Scheduler },
  closers: Closer[],
): Promise<TelemetryServices> {
  const publishing = deps.hardware && config.telemetry.publish ? deps.hardware : null;
  return startTelemetryServices(
    {
      settings: config.telemetry,
      siteId: config.site_id,
      roles: config.roles,
      sharedGroup: config.shared_subscription_group,
      version: SWAPD_VERSION,
      broker: deps.broker,
      store: createTelemetryRepo(deps.database.db),
      energy: createSwapEnergyRepo(deps.database.db),
      readings: publishing?.readings ?? null,
      poller: publishing
        ? new SlotPoller({
            slots: publishing.slots.map((s) => ({ slot: s.slot, deviceId: s.id, driver: s.reader })),
            readings: publishing.readings,
            clock: runtime.clock,
            scheduler: runtime.scheduler,
            intervalMs: config.telemetry.interval_ms,
            log: runtime.log,
          })
        : null,
      registry: deps.metrics.registry,
      ...runtime,
    },
    closers,
  );
}
