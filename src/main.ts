import type { DatabaseHandle } from './adapters/db/connect.js';
import { createOutboxStore } from './adapters/db/outbox.repo.js';
import { createSafetyJournalRepo } from './adapters/db/safety-journal.repo.js';
import { createStationStatusStore } from './adapters/db/station-status.repo.js';
import type { StationHardware } from './adapters/drivers/station-hardware.js';
import { registerStock } from './admin/admin.repo.js';
import { openAgentRole } from './composition/agent-role.js';
import {
  openBroker,
  openHardware,
  openListeners,
  openSideBySide,
  openStorage,
  openTelemetry,
} from './composition/openers.js';
import { openOpsHttp } from './composition/ops-http.js';
import type { Closer, StartOptions } from './composition/start-options.js';
import { openStationControl } from './composition/station-role.js';
import type { SwapdConfig } from './config/config.js';
import { redactUrl } from './config/redact-url.js';
import { createLogger } from './log.js';
import type { BrokerClient } from './ports/broker.js';
import { systemClock } from './ports/clock.js';
import { systemScheduler } from './ports/scheduler.js';
import { AuditPruner } from './runtime/audit-pruner.js';
import type { DeadlineScheduler } from './runtime/deadline-scheduler.js';
import { SwapdMetrics } from './runtime/metrics.js';
import { OutboxRelay } from './runtime/outbox-relay.js';
import { removeRuntimeNote, writeRuntimeNote } from './runtime/runtime-file.js';
import type { StationControl } from './runtime/station-control.js';
import { StationStatusService } from './runtime/station-status.service.js';
import type { TelemetryServices } from './runtime/telemetry/telemetry-services.js';
import { telemetrySectionOf } from './runtime/telemetry/telemetry-status.source.js';

export { PROJECT_ROOT, SWAPD_VERSION } from './composition/project.js';
export type { StartOptions } from './composition/start-options.js';

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

/**
 * The composition root: configuration → adapters → runtime. Adapters are built here and in the
 * `composition/` modules it calls (one per part: openers, agent role, station role, operator HTTP).
 */
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
    const agent = config.roles.includes('agent')
      ? await openAgentRole(
          config,
          { database, broker, hardware, telemetry, relay, status, metrics, scanner: options.scanner },
          { log, clock },
          closers,
        )
      : null;
    const journal = createSafetyJournalRepo(database.db);
    const pruner = new AuditPruner(journal, clock, log);
    pruner.start();
    closers.push(() => pruner.stop());
    const control = hardware
      ? await openStationControl(
          config,
          { hardware, journal, relay, status, metrics },
          { log, clock, controlLoop: options.controlLoop },
          closers,
        )
      : null;
    // Clients reach the embedded broker only now that swapd's subscriptions exist: no request is lost.
    const { url, wsUrl, tlsUrl, wssUrl } = await openListeners(config, embedded);
    const http = await openOpsHttp(
      config,
      { database, broker, hardware, control, telemetry, metrics, status, pipeline: agent?.pipeline ?? null },
      { log, clock },
      closers,
    );
    if (options.writeRuntimeNote ?? true) {
      writeRuntimeNote(config.data_dir, {
        pid: process.pid,
        http_url: `http://${config.http_host}:${http.port}`,
        broker_url: redactUrl(url),
        database: database.description,
        ops_token: http.token,
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
      opsToken: http.token,
      database,
      broker,
      hardware,
      relay,
      scheduler: agent?.scheduler ?? null,
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
