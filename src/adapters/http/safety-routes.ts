import { parseSafetyClear, parseSimFault } from '../../admin/safety-validation.js';
import type { SafetySnapshotSource } from '../../ports/safety-snapshot.js';
import { applySimFault } from '../drivers/simulator/sim-fault-request.js';
import type { SimFaults } from '../drivers/simulator/sim-faults.js';
import type { HttpRoute } from './http-server.js';

/** What the safety routes need of the guarded station. */
export interface SafetyOps extends SafetySnapshotSource {
  clear(
    deviceId: string | null,
    operator: string,
  ): Promise<{ device_id: string; outcome: string; reasons: string[] }[]>;
}

/** GET /api/v1/ops/safety and POST /api/v1/ops/safety/clear (ops token). */
export function safetyRoutes(ops: SafetyOps): HttpRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/ops/safety',
      handler: async () => ({ status: 200, body: { slots: ops.safetySnapshot() } }),
    },
    {
      method: 'POST',
      path: '/api/v1/ops/safety/clear',
      handler: async (_req, body) => {
        const request = parseSafetyClear(body);
        const operator = request.operator ?? 'ops-token';
        const results = await ops.clear(request.device ?? null, operator);
        const refused = results.filter((r) => r.outcome === 'refused');
        if (refused.length === 0) return { status: 200, body: { results } };
        const message = refused.map((r) => `${r.device_id}: ${r.reasons.join(', ')}`).join('; ');
        return {
          status: 409,
          body: {
            error: { code: 'SAFETY_CLEAR_REFUSED', message: `cause still present: ${message}` },
            results,
          },
        };
      },
    },
  ];
}

/** POST /api/v1/ops/sim/faults (ops token): only mounted while the built-in simulator runs. */
export function simFaultRoute(faults: SimFaults): HttpRoute {
  return {
    method: 'POST',
    path: '/api/v1/ops/sim/faults',
    handler: async (_req, body) => {
      const request = parseSimFault(body);
      const applied = await applySimFault(faults, request);
      return { status: 200, body: { applied, fault: request } };
    },
  };
}
