import { resolve } from 'node:path';
import type { DatabaseHandle } from '../adapters/db/connect.js';
import type { StationHardware } from '../adapters/drivers/station-hardware.js';
import { type HttpRoute, startHttpServer } from '../adapters/http/http-server.js';
import { lifecycleRoutes } from '../adapters/http/lifecycle-routes.js';
import { pageAccess } from '../adapters/http/page-access.js';
import { HttpResponseValidator } from '../adapters/http/response-validator.js';
import { assetTelemetryRoute, operatorRoutes } from '../adapters/http/routes.js';
import { safetyRoutes, simFaultRoute } from '../adapters/http/safety-routes.js';
import { stationPageRoutes } from '../adapters/http/station-page.routes.js';
import { telemetryRoutes } from '../adapters/http/telemetry-routes.js';
import type { SwapdConfig } from '../config/config.js';
import type { Logger } from '../log.js';
import type { BrokerClient } from '../ports/broker.js';
import type { Clock } from '../ports/clock.js';
import type { RequestPipeline } from '../router/request-pipeline.js';
import type { SwapdMetrics } from '../runtime/metrics.js';
import { newOpsToken } from '../runtime/runtime-file.js';
import type { StationControl } from '../runtime/station-control.js';
import type { StationStatusService } from '../runtime/station-status.service.js';
import type { TelemetryServices } from '../runtime/telemetry/telemetry-services.js';
import { PROJECT_ROOT, SWAPD_VERSION } from './project.js';
import type { Closer } from './start-options.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

export interface OpsHttp {
  readonly port: number;
  /** The token every operator endpoint but /health and /metrics asks for. */
  readonly token: string;
}

/** The operator HTTP endpoint: health, metrics, admin, lifecycle, telemetry, safety and the station page. */
export async function openOpsHttp(
  config: SwapdConfig,
  deps: {
    database: DatabaseHandle;
    broker: BrokerClient;
    hardware: StationHardware | null;
    control: StationControl | null;
    telemetry: TelemetryServices;
    metrics: SwapdMetrics;
    status: StationStatusService;
    pipeline: RequestPipeline | null;
  },
  runtime: { log: Logger; clock: Clock },
  closers: Closer[],
): Promise<OpsHttp> {
  const { database, broker, hardware, control, telemetry, pipeline } = deps;
  const { log, clock } = runtime;
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
    status: deps.status,
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
      metrics: deps.metrics,
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
        ...(pipeline ? lifecycleRoutes(database.db, (m) => pipeline.handle(m)) : []),
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
  return { port: http.port, token };
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
