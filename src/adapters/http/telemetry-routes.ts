import type { Logger } from '../../log.js';
import type { Clock } from '../../ports/clock.js';
import type { SiteMessage, TelemetryStore } from '../../ports/telemetry.js';
import type { TelemetryCache } from '../../runtime/telemetry/telemetry-cache.js';
import type { HttpReply, HttpRoute } from './http-server.js';
import type { HttpResponseSchema, HttpResponseValidator } from './response-validator.js';

export interface TelemetryRouteDeps {
  cache: TelemetryCache;
  store: TelemetryStore;
  clock: Clock;
  siteId: string;
  roles: readonly string[];
  version: string;
  validator: HttpResponseValidator;
  log: Logger;
  /** Telemetry of the fleet is the operator's: the token is asked for when HTTP is bound beyond loopback. */
  needsToken: boolean;
}

const HISTORY_LIMIT = 10_000;
const DAY_MS = 86_400_000;

function error(status: number, code: string, message: string, details?: { path: string; message: string }[]) {
  return { status, body: { error: { code, message, ...(details ? { details } : {}) } } };
}

/** Sends a body only when it matches its schema; otherwise a 500 (and the defect is logged). */
function validated(deps: TelemetryRouteDeps, name: HttpResponseSchema, reply: HttpReply): HttpReply {
  const schema = reply.status >= 400 ? 'error' : name;
  const problems = deps.validator.check(schema, reply.body);
  if (!problems) return reply;
  deps.log.error({ schema, problems }, 'HTTP response fails its schema; not sent');
  return error(500, 'INTERNAL_ERROR', 'the response failed its own schema');
}

function newer(a: SiteMessage | null | undefined, b: SiteMessage | null | undefined): SiteMessage | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return b.measuredAt.getTime() > a.measuredAt.getTime() ? b : a;
}

async function latestSite(
  deps: TelemetryRouteDeps,
  siteId: string,
  type: string,
): Promise<SiteMessage | null> {
  const stored = await deps.store.latestForSite(siteId, type).catch(() => null);
  return newer(deps.cache.site(siteId, type), stored);
}

function statusRoute(deps: TelemetryRouteDeps): HttpRoute {
  return {
    method: 'GET',
    path: '/api/v1/status',
    ...(deps.needsToken ? {} : { open: 'always' as const }),
    handler: async (req) => {
      const site = new URL(req.url ?? '/', 'http://localhost').searchParams.get('site_id') ?? deps.siteId;
      const latest = await latestSite(deps, site, 'telemetry');
      if (!latest)
        return validated(deps, 'status', error(404, 'NOT_FOUND', `no telemetry from site ${site} yet`));
      return validated(deps, 'status', { status: 200, body: latest.message });
    },
  };
}

function fleetRoute(deps: TelemetryRouteDeps): HttpRoute {
  return {
    method: 'GET',
    path: '/api/v1/fleet',
    ...(deps.needsToken ? {} : { open: 'always' as const }),
    handler: async () => {
      const bySite = new Map<string, SiteMessage>();
      const stored = await deps.store.latestOfType('fleet_aggregate').catch(() => []);
      for (const m of [...stored, ...deps.cache.sitesOfType('fleet_aggregate')]) {
        const best = newer(bySite.get(m.siteId), m);
        if (best) bySite.set(m.siteId, best);
      }
      const sites = [...bySite.values()]
        .sort((a, b) => a.siteId.localeCompare(b.siteId))
        .map((m) => m.message);
      return validated(deps, 'fleet', { status: 200, body: { sites } });
    },
  };
}

function parseTime(
  value: string | null,
  fallback: Date,
  name: string,
): Date | { path: string; message: string } {
  if (value === null) return fallback;
  const parsed = new Date(value);
  return /^\d{4}-\d{2}-\d{2}T/.test(value) && Number.isFinite(parsed.getTime())
    ? parsed
    : { path: `?${name}`, message: 'must be an ISO 8601 date-time, e.g. 2026-01-05T08:00:00Z' };
}

function historyRoute(deps: TelemetryRouteDeps): HttpRoute {
  return {
    method: 'GET',
    path: '/api/v1/assets/:asset_id/telemetry/history',
    ...(deps.needsToken ? {} : { open: 'always' as const }),
    handler: async (req, _body, params) => {
      const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
      const assetId = params.asset_id ?? '';
      const to = parseTime(query.get('to'), deps.clock.now(), 'to');
      const from = parseTime(
        query.get('from'),
        new Date((to instanceof Date ? to : deps.clock.now()).getTime() - DAY_MS),
        'from',
      );
      const problems = [from, to].filter((v): v is { path: string; message: string } => !(v instanceof Date));
      if (problems.length > 0)
        return validated(deps, 'history', error(400, 'BAD_REQUEST', 'invalid time range', problems));
      const [start, end] = [from as Date, to as Date];
      if (start.getTime() > end.getTime())
        return validated(deps, 'history', error(400, 'BAD_REQUEST', 'from must not be after to'));
      const points = await deps.store
        .history(assetId, start, end, HISTORY_LIMIT + 1)
        .catch((err: unknown) => {
          deps.log.warn({ err }, 'telemetry history could not be read');
          return null;
        });
      if (!points)
        return validated(
          deps,
          'history',
          error(503, 'SERVICE_UNAVAILABLE', 'the database is unavailable; retry later'),
        );
      const body = {
        asset_id: assetId,
        from: start.toISOString(),
        to: end.toISOString(),
        truncated: points.length > HISTORY_LIMIT,
        points: points.slice(0, HISTORY_LIMIT),
      };
      return validated(deps, 'history', { status: 200, body });
    },
  };
}

function versionRoute(deps: TelemetryRouteDeps): HttpRoute {
  return {
    method: 'GET',
    path: '/api/v1/version',
    open: 'always',
    handler: async () =>
      validated(deps, 'version', {
        status: 200,
        body: {
          name: 'swapd',
          version: deps.version,
          spec003_schema_version: '1.0',
          node: process.version,
          site_id: deps.siteId,
          roles: [...deps.roles],
        },
      }),
  };
}

/** GET /api/v1/status, /api/v1/fleet, /api/v1/assets/{asset_id}/telemetry/history and /api/v1/version. */
export function telemetryRoutes(deps: TelemetryRouteDeps): HttpRoute[] {
  return [statusRoute(deps), fleetRoute(deps), historyRoute(deps), versionRoute(deps)];
}
