import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { odooSignatureCheck } from './access/odoo-signature.js';
import { clientTls, embeddedAccess, embeddedTls } from './adapters/broker/broker-security.js';
import { type EmbeddedBroker, startEmbeddedBroker } from './adapters/broker/embedded-broker.js';
import { connectBroker, connectInProcess } from './adapters/broker/mqtt-client.js';
import { takeAgentLock } from './adapters/db/agent-lock.js';
import { type DatabaseHandle, openDatabase } from './adapters/db/connect.js';
import { createDeadlineStore } from './adapters/db/deadline.repo.js';
import { migrateToLatest } from './adapters/db/migrate.js';
import { createOutboxStore } from './adapters/db/outbox.repo.js';
import { createRequestStore } from './adapters/db/request-store.js';
import { createSafetyJournalRepo } from './adapters/db/safety-journal.repo.js';
import { createStationStatusStore } from './adapters/db/station-status.repo.js';
import { createSwapEnergyRepo } from './adapters/db/swap-energy.repo.js';
import { createTelemetryRepo } from './adapters/db/telemetry.repo.js';
import { SlotPoller } from './adapters/drivers/slot-poller.js';
import { type StationHardware, startStationHardware } from './adapters/drivers/station-hardware.js';
import { type HttpRoute, startHttpServer } from './adapters/http/http-server.js';
import { lifecycleRoutes } from './adapters/http/lifecycle-routes.js';
import { pageAccess } from './adapters/http/page-access.js';
import { HttpResponseValidator } from './adapters/http/response-validator.js';
import { assetTelemetryRoute, operatorRoutes } from './adapters/http/routes.js';
import { safetyRoutes, simFaultRoute } from './adapters/http/safety-routes.js';
import { stationPageRoutes } from './adapters/http/station-page.routes.js';
import { telemetryRoutes } from './adapters/http/telemetry-routes.js';
import { loadTemplates } from './adapters/templates/template-loader.js';
import { registerStock, upsertTemplates } from './admin/admin.repo.js';
import type { SwapdConfig } from './config/config.js';
import { redactUrl } from './config/redact-url.js';
import { createLogger, type Logger } from './log.js';
import type { BrokerClient } from './ports/broker.js';
import { type Clock, systemClock } from './ports/clock.js';
import type { DriverTimings } from './ports/data-provider.js';
import { type BatteryScanner, noHardwareScanner } from './ports/scanner.js';
import { type Scheduler, systemScheduler } from './ports/scheduler.js';
import { RequestPipeline } from './router/request-pipeline.js';
import { requestSchemas, routes } from './router/routes.js';
import { AuditPruner } from './runtime/audit-pruner.js';
import { DeadlineScheduler } from './runtime/deadline-scheduler.js';
import type { SafetyObserver } from './runtime/guarded-station.js';
import { SwapdMetrics } from './runtime/metrics.js';
import { OutboxRelay } from './runtime/outbox-relay.js';
import { findProjectRoot } from './runtime/project-root.js';
import { RequestServer } from './runtime/request-server.js';
import { newOpsToken, removeRuntimeNote, writeRuntimeNote } from './runtime/runtime-file.js';
import { safetyStatusSource } from './runtime/safety-status.source.js';
import { buildStationControl, type StationControl } from './runtime/station-control.js';
import { StationStatusService } from './runtime/station-status.service.js';
import { TrustOrderScanner } from './runtime/telemetry/telemetry-scanner.js';
import { startTelemetryServices, type TelemetryServices } from './runtime/telemetry/telemetry-services.js';
import { telemetrySectionOf } from './runtime/telemetry/telemetry-status.source.js';
import { messageSchemas } from './validation/message-schemas.js';
import { MessageValidator } from './validation/message-validator.js';
import { Spec003Validator } from './validation/spec003/spec003-validator.js';

export const PROJECT_ROOT = findProjectRoot(import.meta.url);

export interface StartOptions {
  log?: Logger;
  clock?: Clock;
  /** Periodic work (telemetry, slot polling); tests drive it from a manual clock. */
  scheduler?: Scheduler;
  scanner?: BatteryScanner;
  /** Tests: keep PGlite in memory. */
  inMemoryDatabase?: boolean;
  /** Write data/swapd.runtime.json for management commands (default true). */
  writeRuntimeNote?: boolean;
  /** Tests: SPEC-001 time limits of the station's drivers, shortened. */
  driverTimings?: Partial<DriverTimings>;
  /** Tests: 0 = the built-in simulator's physics advance only when stepped (default: real time). */
  simulatorAutoStepMs?: number;
  /** Tests: 'manual' builds the charging loop without starting it (the test calls tick()). */
  controlLoop?: 'auto' | 'manual';
}

export interface RunningSwapd {
  readonly config: SwapdConfig;
  /** The broker swapd attached to, as configured (credentials included): show it through redactUrl. */
  readonly brokerUrl: string;
  /** The embedded broker's WebSocket URL, when that listener is on. */
  readonly brokerWsUrl: string | null;
  /** The embedded broker's mqtts:// and wss:// URLs, when those listeners are on. */
  readonly brokerTlsUrl: string | null;
  readonly brokerWssUrl: string | null;
  readonly httpPort: number;
  /** The token every operator endpoint but /health and /metrics asks for (also in the runtime note). */
  readonly opsToken: string;
  readonly database: DatabaseHandle;
  readonly broker: BrokerClient;
  readonly hardware: StationHardware | null;
  readonly relay: OutboxRelay | null;
  readonly scheduler: DeadlineScheduler | null;
  /** The station's guarded control side (SafetyGuard, charging loop), when the station role runs. */
  readonly control: StationControl | null;
  readonly metrics: SwapdMetrics;
  readonly telemetry: TelemetryServices;
  /** The station page's status; other parts register their sections here (`status.register`). */
  readonly status: StationStatusService;
  readonly startupMs: number;
  stop(): Promise<void>;
}

type Closer = () => Promise<void>;

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
async function openBroker(config: SwapdConfig, log: Logger, closers: Closer[]) {
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
async function openListeners(config: SwapdConfig, embedded: EmbeddedBroker | null) {
  if (!embedded) return { url: config.mqtt_url as string, wsUrl: null, tlsUrl: null, wssUrl: null };
  const listeners = await embedded.listen();
  return { url: listeners.url, wsUrl: listeners.wsUrl, tlsUrl: listeners.tlsUrl, wssUrl: listeners.wssUrl };
}

async function openHardware(
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

async function openStorage(config: SwapdConfig, log: Logger, options: StartOptions, closers: Closer[]) {
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

type Opener<T> = (closers: Closer[]) => Promise<T>;
type Opened<T extends readonly Opener<unknown>[]> = { -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> };

/**
 * Runs start-up steps side by side, then registers their closers in the order given (so shutdown runs
 * in the reverse, fixed order whichever step finished first); when one fails, the rest still finish
 * before the failure is reported, so nothing is left half-open.
 */
async function openSideBySide<const T extends readonly Opener<unknown>[]>(
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

export const SWAPD_VERSION: string = (
  JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * SPEC-003 both ways (SPEC §2.5): the adapters the telemetry services need, built here; the services
 * (cache, batched writer, ingest, publisher) are assembled and started in the runtime.
 */
function openTelemetry(
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

/** The composition root: configuration → adapters → runtime. The only place that builds adapters. */
export async function startSwapd(config: SwapdConfig, options: StartOptions = {}): Promise<RunningSwapd> {
  const started = performance.now();
  const log = options.log ?? createLogger({ level: config.log_level, pretty: config.log_pretty });
  const clock = options.clock ?? systemClock;
  const periodic = options.scheduler ?? systemScheduler;
  const closers: Closer[] = [];
  const stopAll = async () => {
    for (const close of closers.reverse())
      await close().catch((err: unknown) => log.warn({ err }, 'shutdown step failed'));
  };
  try {
    const metrics = new SwapdMetrics();
    // Independent start-up steps run side by side: the embedded database's first start dominates.
    const [database, hardware, { broker, embedded }] = await openSideBySide(closers, [
      (own) => openStorage(config, log, options, own),
      (own) => openHardware(config, log, clock, options, own),
      (own) => openBroker(config, log, own),
    ] as const);
    const stock = hardware?.simulatedBatteries.map((b) => ({ ...b, station_id: config.site_id })) ?? [];
    await registerStock(database.db, stock);
    metrics.brokerConnected.set(broker.connected ? 1 : 0);
    broker.onConnectionChange((up) => metrics.brokerConnected.set(up ? 1 : 0));
    const telemetry = await openTelemetry(
      config,
      { database, broker, hardware, metrics },
      { log, clock, scheduler: periodic },
      closers,
    );
    const status = new StationStatusService({
      siteId: config.site_id,
      slots: new Map(hardware?.slots.map((s) => [s.id, s.reader]) ?? []),
      drivers: () => hardware?.health() ?? {},
      broker,
      store: createStationStatusStore(database.db),
      databaseDescription: database.description,
      clock,
      log: log.child({ component: 'station-status' }),
      onSample: (s) => {
        if (s.outbox_depth !== null) metrics.outboxPending.set(s.outbox_depth);
      },
    });
    closers.push(() => status.stop());
    const telemetrySection = telemetrySectionOf(telemetry, clock);
    if (telemetrySection) status.register(telemetrySection);
    // Both roles queue events (service events; safety events), so the relay always runs.
    const relay = new OutboxRelay(createOutboxStore(database.db), broker, log, {
      batchSize: config.outbox_batch_size,
      retryMs: config.outbox_retry_ms,
      leaseMs: config.outbox_lease_ms,
    });
    relay.start();
    closers.push(() => relay.stop());
    let scheduler: DeadlineScheduler | null = null;
    let pipelineOf: RequestPipeline | null = null;
    if (config.roles.includes('agent')) {
      const pipeline = new RequestPipeline({
        store: createRequestStore(database.db),
        validator: new MessageValidator(messageSchemas(requestSchemas())),
        scanner: new TrustOrderScanner(
          options.scanner ?? hardware?.scanner ?? noHardwareScanner,
          telemetry.lookup,
          1500,
        ),
        clock,
        log: log.child({ component: 'router' }),
        settings: {
          maxPayloadBytes: config.max_payload_bytes,
          siteId: config.site_id,
          kwhToleranceKwh: config.kwh_mismatch_tolerance_kwh,
          scannerTimeoutMs: 2000,
          responseTopicPrefix: config.mqtt5_response_topic_prefix,
          groups: {
            maxSize: config.request_group_max,
            waitMs: config.request_group_wait_ms,
            // PGlite is one connection: a second group would only wait for it.
            concurrency: database.kind === 'pglite' ? 1 : config.request_group_concurrency,
          },
        },
        routes,
        observe: (action, outcome, seconds) => {
          metrics.observeRequest(action, outcome, seconds);
          status.kick();
        },
        onEventsQueued: () => relay.kick(),
        onResponseTopicIgnored: (reason) => metrics.responseTopicsIgnored.inc({ reason }),
        onGroup: (size, outcome) => metrics.observeGroup(size, outcome),
        ...(config.odoo_hmac_secret ? { signatureProblem: odooSignatureCheck(config.odoo_hmac_secret) } : {}),
      });
      if (config.mqtt_url && config.database_url) {
        // Several agents on one broker and database: refuse the set-up that would answer twice.
        const lock = await takeAgentLock({
          url: config.database_url,
          brokerUrl: config.mqtt_url,
          group: config.shared_subscription_group,
          log,
        });
        closers.push(() => lock.release());
      }
      pipelineOf = pipeline;
      const server = new RequestServer(broker, pipeline, log);
      await server.start(config.shared_subscription_group);
      scheduler = new DeadlineScheduler(
        createDeadlineStore(database.db),
        clock,
        log,
        config.scheduler_interval_ms,
      );
      scheduler.start();
      const running = scheduler;
      closers.push(() => running.stop());
      closers.push(() => server.drain());
    }
    const opsPipeline = pipelineOf;
    const journalStore = createSafetyJournalRepo(database.db);
    const pruner = new AuditPruner(journalStore, clock, log);
    pruner.start();
    closers.push(() => pruner.stop());
    const control = hardware
      ? buildStationControl({
          hardware,
          station: config.station,
          siteId: config.site_id,
          gatewayVersion: SWAPD_VERSION,
          store: journalStore,
          validator: new Spec003Validator(),
          clock,
          log,
          observer: safetyObserver(metrics),
          onEventsQueued: () => relay.kick(),
        })
      : null;
    if (control) status.register(safetyStatusSource(control.guard));
    if (control) {
      await control.guard.restoreLatches(await journalStore.openLatches(config.site_id));
      if (config.station.control && options.controlLoop !== 'manual') control.loop.start();
      closers.push(() => control.loop.stop());
    }
    // Clients reach the embedded broker only now that swapd's subscriptions exist: no request is lost.
    const { url, wsUrl, tlsUrl, wssUrl } = await openListeners(config, embedded);
    const token = newOpsToken();
    const health = {
      health: async () => {
        const dbUp = await database.db
          .selectFrom('plans')
          .select('plan_id')
          .limit(1)
          .execute()
          .then(() => true)
          .catch(() => false);
        const drivers = hardware?.health() ?? {};
        const safety = control ? { latched: control.guard.latchedSlots() } : undefined;
        return {
          ready: dbUp && broker.connected,
          components: { broker: broker.connected, database: dbUp, drivers, ...(safety ? { safety } : {}) },
        };
      },
    };
    const page = stationPageRoutes({
      status,
      access: pageAccess({
        host: config.http_host,
        opsToken: token,
        monitorPassword: config.monitor_password,
      }),
      webDir: resolve(PROJECT_ROOT, 'web/station'),
    });
    const http = await startHttpServer(
      operatorRoutes({
        db: database.db,
        clock,
        metrics,
        health,
        extra: [
          ...stationRoutes(hardware, control),
          ...page.routes,
          ...telemetryRoutes({
            cache: telemetry.cache,
            store: telemetry.store,
            clock,
            siteId: config.site_id,
            roles: config.roles,
            version: SWAPD_VERSION,
            validator: new HttpResponseValidator(),
            log,
            needsToken: !LOOPBACK_HOSTS.has(config.http_host),
          }),
          ...(opsPipeline ? lifecycleRoutes(database.db, (m) => opsPipeline.handle(m)) : []),
        ],
      }),
      {
        host: config.http_host,
        port: config.http_port,
        fallback: !config.explicit.includes('http_port'),
        token,
        log,
      },
    );
    closers.push(() => http.close());
    closers.push(async () => page.close());
    const httpUrl = `http://${config.http_host}:${http.port}`;
    if (options.writeRuntimeNote ?? true) {
      writeRuntimeNote(config.data_dir, {
        pid: process.pid,
        http_url: httpUrl,
        broker_url: redactUrl(url),
        database: database.description,
        ops_token: token,
        started_at: clock.now().toISOString(),
      });
      closers.unshift(async () => removeRuntimeNote(config.data_dir));
    }
    // Sampling starts once swapd is up, so it takes nothing from start-up; a page asks for a sample itself.
    status.start();
    const startupMs = Math.round(performance.now() - started);
    return {
      config,
      brokerUrl: url,
      brokerWsUrl: wsUrl,
      brokerTlsUrl: tlsUrl,
      brokerWssUrl: wssUrl,
      httpPort: http.port,
      opsToken: token,
      database,
      broker,
      hardware,
      relay,
      scheduler,
      control,
      metrics,
      telemetry,
      status,
      startupMs,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The station's HTTP routes: battery telemetry, safety status and clear, and the simulator's faults. */
function stationRoutes(hardware: StationHardware | null, control: StationControl | null): HttpRoute[] {
  if (!hardware) return [];
  return [
    assetTelemetryRoute(hardware.scanner),
    ...(control ? safetyRoutes(control.guard) : []),
    ...(hardware.simulator ? [simFaultRoute(hardware.simulator.faults)] : []),
  ];
}

function safetyObserver(metrics: SwapdMetrics): SafetyObserver {
  return {
    blocked: (reason) => metrics.safetyBlocks.inc({ reason }),
    safeState: (slot, latched) => metrics.safetySafeState.set({ slot }, latched ? 1 : 0),
    written: (slot, kw) => {
      metrics.safetyWrites.inc({ slot });
      metrics.safetySetpointKw.set({ slot }, kw);
    },
    chargingPower: (kw) => metrics.stationChargingKw.set(kw),
  };
}
