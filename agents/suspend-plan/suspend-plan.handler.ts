import type { ActionHandler } from '../handler.types.js';
import { applied, audited, type OpsRequest, planClosed, unchanged } from '../shared/lifecycle.js';
import schema from './request.schema.json' with { type: 'json' };

/** The plan stops swapping (checkouts answer PLAN_NOT_ACTIVE) until it is resumed; payments still land. */
export const suspendPlan: ActionHandler<OpsRequest> = {
  action: 'SUSPEND_PLAN',
  requestSchema: schema,
  readOnly: false,
  assetIds: () => [],
  decide(ctx, req) {
    const metadata = { plan_id: ctx.plan.plan_id, plan_status_before: ctx.plan.status };
    const result =
      ctx.plan.status === 'COMPLETE'
        ? planClosed(ctx)
        : ctx.plan.status === 'SUSPENDED'
          ? unchanged('PLAN_ALREADY_SUSPENDED', { ...metadata, plan_status: 'SUSPENDED' })
          : applied(
              'PLAN_SUSPENDED',
              { ...metadata, plan_status: 'SUSPENDED' },
              [],
              [{ kind: 'plan_status', status: 'SUSPENDED' }],
            );
    return audited(ctx, 'suspend_plan', req, result);
  },
};
