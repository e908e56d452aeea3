import { addAssets, importPlans } from '../../admin/admin.repo.js';
import { parseAssets, parsePlans } from '../../admin/admin-validation.js';
import { reconcile } from '../../admin/reconcile.js';
import type { Clock } from '../../ports/clock.js';
import type { Db } from '../../ports/database.js';
import type { BatteryScanner } from '../../ports/scanner.js';
import type { SwapdMetrics } from '../../runtime/metrics.js';
import type { HttpRoute } from './http-server.js';

export interface HealthSource {
  /** Each component's readiness, e.g. { broker: true, database: true, drivers: {...} }. */
  health(): Promise<{ ready: boolean; components: Record<string, unknown> }>;
}

/** GET /api/v1/assets/{asset_id}/telemetry/latest: the battery as the station's hardware reads it now (seed 002 §3.1). */
export function assetTelemetryRoute(scanner: BatteryScanner): HttpRoute {
  return {
    method: 'GET',
    path: '/api/v1/assets/:asset_id/telemetry/latest',
    handler: async (_req, _body, params) => {
      const assetId = params.asset_id ?? '';
      const reading = await scanner.read(assetId);
      if (!reading) {
        const message = `the station cannot see battery ${assetId} on its scanner or in a slot`;
        return { status: 404, body: { error: { code: 'NOT_FOUND', message } } };
      }
      const telemetry = {
        kwh_remaining: reading.kwh_remaining === undefined ? null : Number(reading.kwh_remaining),
        soc_percent: reading.soc_pct ?? null,
        voltage: reading.voltage ?? null,
        temperature_celsius: reading.temperature_c ?? null,
        timestamp: reading.timestamp,
        source: reading.source,
      };
      return { status: 200, body: { asset_id: reading.asset_id, telemetry } };
    },
  };
}

export interface RouteDeps {
  db: Db;
  clock: Clock;
  metrics: SwapdMetrics;
  health: HealthSource;
  extra?: HttpRoute[];
}

/** GET /health, GET /metrics, and the ops endpoints the CLI uses while swapd owns the database. */
export function operatorRoutes(deps: RouteDeps): HttpRoute[] {
  return [
    {
      method: 'GET',
      path: '/health',
      open: 'always',
      handler: async () => {
        const h = await deps.health.health();
        return {
          status: h.ready ? 200 : 503,
          body: { status: h.ready ? 'ok' : 'unavailable', ...h.components },
        };
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      open: 'always',
      handler: async () => ({
        status: 200,
        body: await deps.metrics.registry.metrics(),
        contentType: deps.metrics.registry.contentType,
      }),
    },
    {
      method: 'POST',
      path: '/api/v1/ops/plans',
      handler: async (_req, body) => {
        const created = await importPlans(deps.db, parsePlans(body), deps.clock.now());
        return { status: 201, body: { created } };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/ops/assets',
      handler: async (_req, body) => {
        const registered = await addAssets(deps.db, parseAssets(body));
        return { status: 201, body: { registered } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/ops/reconcile',
      handler: async (req) => {
        const report = await reconcile(deps.db, { now: deps.clock.now(), publishLagMs: lagFrom(req.url) });
        return { status: 200, body: report };
      },
    },
    ...(deps.extra ?? []),
  ];
}

/** `?lag_seconds=N` (whole seconds, 0..86400), else the default of 5 minutes. */
function lagFrom(url: string | undefined): number {
  const match = /[?&]lag_seconds=(\d{1,5})(?:&|$)/.exec(url ?? '');
  const seconds = match ? Number(match[1]) : 300;
  return Math.min(seconds, 86_400) * 1000;
}
