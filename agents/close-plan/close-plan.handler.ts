import type { ActionHandler } from '../handler.types.js';
import { type AgentResult, refusal } from '../shared/agent.types.js';
import { applied, audited, type OpsRequest, unchanged } from '../shared/lifecycle.js';
import { pendingPayments } from '../shared/payments.js';
import type { AgentContext } from '../shared/plan.types.js';
import schema from './request.schema.json' with { type: 'json' };

const HOLDING_STATES = new Set(['BATTERY_ISSUED', 'BATTERY_LOST']);

/** Batteries the plan still answers for: its current battery, or one issued or lost per the service_cycle. */
function holding(ctx: AgentContext): AgentResult | null {
  const held = ctx.plan.serviceStates.map((s) => s.current_asset).filter((a): a is string => a !== null);
  const cycle = ctx.plan.cycles.service_cycle.state;
  if (held.length === 0 && !HOLDING_STATES.has(cycle)) return null;
  const what = held.length > 0 ? `battery ${held.join(', ')}` : `a battery (service_cycle ${cycle})`;
  return refusal(
    'PLAN_HOLDS_BATTERY',
    'PLAN_HOLDS_BATTERY',
    `plan ${ctx.plan.plan_id} holds ${what}: return it (or report it lost and recover it) before closing`,
    { current_assets: held, service_cycle: cycle },
  );
}

function awaitingOdoo(ctx: AgentContext): AgentResult | null {
  const pending = pendingPayments(ctx).map((p) => p.payment_id);
  if (pending.length === 0) return null;
  const message = `payments ${pending.join(', ')} await Odoo's confirmation: close the plan once they are settled`;
  return refusal('PAYMENT_PENDING_CONFIRMATION', 'PAYMENT_PENDING_CONFIRMATION', message, {
    pending_payments: pending,
  });
}

/** The plan ends: status COMPLETE and PLAN_COMPLETED to both cycles; refused while it holds a battery. */
export const closePlan: ActionHandler<OpsRequest> = {
  action: 'CLOSE_PLAN',
  requestSchema: schema,
  readOnly: false,
  assetIds: () => [],
  planPayments: () => 'always',
  decide(ctx, req) {
    const metadata = { plan_id: ctx.plan.plan_id, plan_status_before: ctx.plan.status };
    if (ctx.plan.status === 'COMPLETE') {
      return audited(
        ctx,
        'close_plan',
        req,
        unchanged('PLAN_ALREADY_CLOSED', { ...metadata, plan_status: 'COMPLETE' }),
      );
    }
    const refused = holding(ctx) ?? awaitingOdoo(ctx);
    if (refused) return audited(ctx, 'close_plan', req, refused);
    const result = applied(
      'PLAN_COMPLETED',
      { ...metadata, plan_status: 'COMPLETE' },
      [
        { cycle: 'service_cycle', input: 'PLAN_COMPLETED' },
        { cycle: 'payment_cycle', input: 'PLAN_COMPLETED' },
      ],
      [{ kind: 'plan_status', status: 'COMPLETE' }],
    );
    return audited(ctx, 'close_plan', req, result);
  },
};
