import type { ActionHandler } from '../handler.types.js';
import { movePlanStatus, type OpsRequest } from '../shared/lifecycle.js';
import schema from './request.schema.json' with { type: 'json' };

/** The plan stops swapping (checkouts answer PLAN_NOT_ACTIVE) until it is resumed; payments still land. */
export const suspendPlan: ActionHandler<OpsRequest> = {
  action: 'SUSPEND_PLAN',
  requestSchema: schema,
  readOnly: false,
  assetIds: () => [],
  decide: (ctx, req) =>
    movePlanStatus(ctx, req, {
      target: 'SUSPENDED',
      operation: 'suspend_plan',
      alreadySignal: 'PLAN_ALREADY_SUSPENDED',
      appliedSignal: 'PLAN_SUSPENDED',
    }),
};
