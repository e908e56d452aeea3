import { odooSignatureCheck } from '../access/odoo-signature.js';
import { takeAgentLock } from '../adapters/db/agent-lock.js';
import type { DatabaseHandle } from '../adapters/db/connect.js';
import { createDeadlineStore } from '../adapters/db/deadline.repo.js';
import { createRequestStore } from '../adapters/db/request-store.js';
import type { StationHardware } from '../adapters/drivers/station-hardware.js';
import type { SwapdConfig } from '../config/config.js';
import type { Logger } from '../log.js';
import type { BrokerClient } from '../ports/broker.js';
import type { Clock } from '../ports/clock.js';
import { type BatteryScanner, noHardwareScanner } from '../ports/scanner.js';
import { RequestPipeline } from '../router/request-pipeline.js';
import { requestSchemas, routes } from '../router/routes.js';
import { DeadlineScheduler } from '../runtime/deadline-scheduler.js';
import type { SwapdMetrics } from '../runtime/metrics.js';
import type { OutboxRelay } from '../runtime/outbox-relay.js';
import { RequestServer } from '../runtime/request-server.js';
import type { StationStatusService } from '../runtime/station-status.service.js';
import { TrustOrderScanner } from '../runtime/telemetry/telemetry-scanner.js';
import type { TelemetryServices } from '../runtime/telemetry/telemetry-services.js';
import { messageSchemas } from '../validation/message-schemas.js';
import { MessageValidator } from '../validation/message-validator.js';
import type { Closer } from './start-options.js';

export interface AgentRole {
  readonly pipeline: RequestPipeline;
  readonly scheduler: DeadlineScheduler;
}

/**
 * The agent role: the request pipeline behind the attendant and Odoo topics, subscribed and answering
 * when this returns, and the scheduler that fires the cycles' deadlines.
 */
export async function openAgentRole(
  config: SwapdConfig,
  deps: {
    database: DatabaseHandle;
    broker: BrokerClient;
    hardware: StationHardware | null;
    telemetry: TelemetryServices;
    relay: OutboxRelay;
    status: StationStatusService;
    metrics: SwapdMetrics;
    scanner: BatteryScanner | undefined;
  },
  runtime: { log: Logger; clock: Clock },
  closers: Closer[],
): Promise<AgentRole> {
  const { database, metrics, status, relay } = deps;
  const { log, clock } = runtime;
  const pipeline = new RequestPipeline({
    store: createRequestStore(database.db),
    validator: new MessageValidator(messageSchemas(requestSchemas())),
    scanner: new TrustOrderScanner(
      deps.scanner ?? deps.hardware?.scanner ?? noHardwareScanner,
      deps.telemetry.lookup,
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
  const server = new RequestServer(deps.broker, pipeline, log);
  await server.start(config.shared_subscription_group);
  const scheduler = new DeadlineScheduler(
    createDeadlineStore(database.db),
    clock,
    log,
    config.scheduler_interval_ms,
  );
  scheduler.start();
  closers.push(() => scheduler.stop());
  closers.push(() => server.drain());
  return { pipeline, scheduler };
}
