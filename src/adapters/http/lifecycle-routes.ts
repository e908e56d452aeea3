import { parseLifecycleBody } from '../../admin/admin-validation.js';
import {
  type Answerer,
  BATTERY_OPERATIONS,
  isLifecycleOperation,
  runLifecycle,
} from '../../admin/lifecycle.js';
import type { Db } from '../../ports/database.js';
import type { HttpReply, HttpRoute } from './http-server.js';

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
        const cmd = { ...parseLifecycleBody(body), operation, plan_id: params.plan_id ?? '' };
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
        const cmd = { ...parseLifecycleBody(body), operation, asset_id: params.asset_id ?? '' };
        return { status: 200, body: await runLifecycle(db, answer, cmd) };
      },
    },
  ];
}
