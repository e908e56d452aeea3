import type { ActionHandler } from '../handler.types.js';
import { movePlanStatus, type OpsRequest } from '../shared/lifecycle.js';
import schema from './request.schema.json' with { type: 'json' };

/** A suspended plan swaps again. */
export const resumePlan: ActionHandler<OpsRequest> = {
  action: 'RESUME_PLAN',
  requestSchema: schema,
  readOnly: false,
  assetIds: () => [],
  decide: (ctx, req) =>
    movePlanStatus(ctx, req, {
      target: 'ACTIVE',
      operation: 'resume_plan',
      alreadySignal: 'PLAN_ALREADY_ACTIVE',
      appliedSignal: 'PLAN_RESUMED',
    }),
};
