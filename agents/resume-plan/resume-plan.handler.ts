import type { ActionHandler } from '../handler.types.js';
import { applied, audited, type OpsRequest, planClosed, unchanged } from '../shared/lifecycle.js';
import schema from './request.schema.json' with { type: 'json' };

/** A suspended plan swaps again. */
export const resumePlan: ActionHandler<OpsRequest> = {
  action: 'RESUME_PLAN',
  requestSchema: schema,
  readOnly: false,
  assetIds: () => [],
  decide(ctx, req) {
    const metadata = { plan_id: ctx.plan.plan_id, plan_status_before: ctx.plan.status };
    const result =
      ctx.plan.status === 'COMPLETE'
        ? planClosed(ctx)
        : ctx.plan.status === 'ACTIVE'
          ? unchanged('PLAN_ALREADY_ACTIVE', { ...metadata, plan_status: 'ACTIVE' })
          : applied(
              'PLAN_RESUMED',
              { ...metadata, plan_status: 'ACTIVE' },
              [],
              [{ kind: 'plan_status', status: 'ACTIVE' }],
            );
    return audited(ctx, 'resume_plan', req, result);
  },
};
