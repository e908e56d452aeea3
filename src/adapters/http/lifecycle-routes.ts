import {
  type Answerer,
  BATTERY_OPERATIONS,
  isLifecycleOperation,
  type LifecycleCommand,
  runLifecycle,
} from '../../admin/lifecycle.js';
import type { Db } from '../../ports/database.js';
import type { HttpReply, HttpRoute } from './http-server.js';

const OPTIONAL_FIELDS = ['correlation_id', 'requested_by', 'reason', 'station_id'] as const;

/** The optional text fields of the body; anything else is left to the operation's schema. */
function fieldsOf(body: unknown): Partial<LifecycleCommand> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) return {};
  const out: Partial<LifecycleCommand> = {};
  for (const key of OPTIONAL_FIELDS) {
    const value = (body as Record<string, unknown>)[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

function unknownOperation(name: string, kinds: readonly string[]): HttpReply {
  const message = `unknown operation '${name}'; one of ${kinds.join(', ')}`;
  return { status: 404, body: { error: { code: 'UNKNOWN_ACTION', message } } };
}

/**
 * POST /api/v1/ops/plans/{plan_id}/{operation} (suspend_plan, resume_plan, close_plan) and
 * POST /api/v1/ops/assets/{asset_id}/{operation} (report_battery_lost, recover_battery): the ops topic's
 * operations for the CLI while this process owns the database. The answer is the ops topic's answer
 * (200, refusals included).
 */
export function lifecycleRoutes(db: Db, answer: Answerer): HttpRoute[] {
  const planOps = ['suspend_plan', 'resume_plan', 'close_plan'];
  return [
    {
      method: 'POST',
      path: '/api/v1/ops/plans/:plan_id/:operation',
      handler: async (_req, body, params) => {
        const operation = params.operation ?? '';
        if (!isLifecycleOperation(operation) || !planOps.includes(operation))
          return unknownOperation(operation, planOps);
        const cmd = { ...fieldsOf(body), operation, plan_id: params.plan_id ?? '' };
        return { status: 200, body: await runLifecycle(db, answer, cmd) };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/ops/assets/:asset_id/:operation',
      handler: async (_req, body, params) => {
        const operation = params.operation ?? '';
        if (!isLifecycleOperation(operation) || !BATTERY_OPERATIONS.includes(operation))
          return unknownOperation(operation, BATTERY_OPERATIONS);
        const cmd = { ...fieldsOf(body), operation, asset_id: params.asset_id ?? '' };
        return { status: 200, body: await runLifecycle(db, answer, cmd) };
      },
    },
  ];
}
