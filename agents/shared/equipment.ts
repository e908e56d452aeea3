import { type AgentResult, refusal } from './agent.types.js';
import type { AgentContext } from './plan.types.js';
import { trackingService } from './quota.js';

/** The outgoing battery must be registered, in stock, not faulted and not held by anyone. */
export function checkOutgoing(ctx: AgentContext, assetId: string): AgentResult | null {
  const asset = ctx.assets.get(assetId);
  const meta = { equipment_id: assetId };
  if (!asset)
    return refusal(
      'EQUIPMENT_NOT_FOUND',
      'EQUIPMENT_NOT_FOUND',
      `battery ${assetId} is not registered`,
      meta,
    );
  if (asset.status === 'IN_STOCK') return null;
  if (asset.holder_plan_id && asset.holder_plan_id !== ctx.plan.plan_id) {
    return refusal(
      'EQUIPMENT_ASSIGNED_TO_OTHER_PLAN',
      'EQUIPMENT_NOT_AVAILABLE',
      `battery ${assetId} is held by another plan`,
      meta,
    );
  }
  if (asset.holder_plan_id === ctx.plan.plan_id) {
    return refusal(
      'EQUIPMENT_ALREADY_ISSUED',
      'EQUIPMENT_NOT_AVAILABLE',
      `battery ${assetId} is already issued to this plan`,
      meta,
    );
  }
  if (asset.status === 'FAULTED') {
    return refusal(
      'EQUIPMENT_FAULTED',
      'EQUIPMENT_NOT_AVAILABLE',
      `battery ${assetId} is marked faulted`,
      meta,
    );
  }
  return refusal(
    'EQUIPMENT_NOT_AVAILABLE',
    'EQUIPMENT_NOT_AVAILABLE',
    `battery ${assetId} is ${asset.status}`,
    meta,
  );
}

/** The returned battery must be one this plan holds. */
export function checkIncoming(ctx: AgentContext, assetId: string): AgentResult | null {
  const asset = ctx.assets.get(assetId);
  const meta = { equipment_id: assetId };
  if (!asset)
    return refusal(
      'EQUIPMENT_NOT_FOUND',
      'EQUIPMENT_NOT_FOUND',
      `battery ${assetId} is not registered`,
      meta,
    );
  if (asset.holder_plan_id !== ctx.plan.plan_id) {
    return refusal(
      'EQUIPMENT_NOT_BELONGS_TO_USER',
      'EQUIPMENT_NOT_BELONGS_TO_USER',
      `battery ${assetId} is not held by plan ${ctx.plan.plan_id}`,
      meta,
    );
  }
  return null;
}

/** A plan that tracks one battery must hand it back before it gets another. */
export function checkReturnNeeded(
  ctx: AgentContext,
  incomingId: string | null | undefined,
): AgentResult | null {
  const held = trackingService(ctx.plan)?.current_asset ?? null;
  if (held && !incomingId) {
    return refusal(
      'EQUIPMENT_RETURN_REQUIRED',
      'EQUIPMENT_RETURN_REQUIRED',
      `plan ${ctx.plan.plan_id} holds battery ${held}; return it before a new one is issued`,
      { current_asset: held },
    );
  }
  return null;
}

const BLOCKING_PAYMENT_STATES = new Set(['DEPOSIT_DUE', 'FINAL_DUE']);

/** Checkout is refused while a deposit or a final renewal notice is unpaid, and for inactive plans. */
export function checkPlanCanSwap(ctx: AgentContext): AgentResult | null {
  const payment = ctx.plan.cycles.payment_cycle.state;
  if (BLOCKING_PAYMENT_STATES.has(payment)) {
    return refusal(
      'PAYMENT_REQUIRED',
      'PAYMENT_REQUIRED',
      `payment_cycle is ${payment}: payment is required first`,
      {
        payment_cycle: payment,
      },
    );
  }
  if (ctx.plan.status !== 'ACTIVE') {
    return refusal('PLAN_NOT_ACTIVE', 'PLAN_NOT_ACTIVE', `plan ${ctx.plan.plan_id} is ${ctx.plan.status}`, {
      plan_status: ctx.plan.status,
    });
  }
  return null;
}
