import { type AgentResult, refusal } from './agent.types.js';
import type { AgentContext } from './plan.types.js';
import { trackingService } from './quota.js';

function notFound(assetId: string): AgentResult {
  const message = `battery ${assetId} is not registered`;
  return refusal('EQUIPMENT_NOT_FOUND', 'EQUIPMENT_NOT_FOUND', message, { equipment_id: assetId });
}

function unavailable(signal: string, assetId: string, why: string): AgentResult {
  return refusal(signal, 'EQUIPMENT_NOT_AVAILABLE', `battery ${assetId} ${why}`, { equipment_id: assetId });
}

/** The outgoing battery must be registered, in stock, not faulted and not held by anyone. */
export function checkOutgoing(ctx: AgentContext, assetId: string): AgentResult | null {
  const asset = ctx.assets.get(assetId);
  if (!asset) return notFound(assetId);
  if (asset.status === 'IN_STOCK') return null;
  if (asset.status === 'LOST') return unavailable('EQUIPMENT_REPORTED_LOST', assetId, 'is reported lost');
  const holder = asset.holder_plan_id;
  if (holder && holder !== ctx.plan.plan_id) {
    return unavailable('EQUIPMENT_ASSIGNED_TO_OTHER_PLAN', assetId, 'is held by another plan');
  }
  if (holder) return unavailable('EQUIPMENT_ALREADY_ISSUED', assetId, 'is already issued to this plan');
  if (asset.status === 'FAULTED') return unavailable('EQUIPMENT_FAULTED', assetId, 'is marked faulted');
  return unavailable('EQUIPMENT_NOT_AVAILABLE', assetId, `is ${asset.status}`);
}

/** The returned battery must be one this plan holds. */
export function checkIncoming(ctx: AgentContext, assetId: string): AgentResult | null {
  const asset = ctx.assets.get(assetId);
  if (!asset) return notFound(assetId);
  if (asset.holder_plan_id === ctx.plan.plan_id) return null;
  const message = `battery ${assetId} is not held by plan ${ctx.plan.plan_id}`;
  return refusal('EQUIPMENT_NOT_BELONGS_TO_USER', 'EQUIPMENT_NOT_BELONGS_TO_USER', message, {
    equipment_id: assetId,
  });
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

/** Checkout is refused for a suspended or closed plan, and while a deposit or a final renewal notice is unpaid. */
export function checkPlanCanSwap(ctx: AgentContext): AgentResult | null {
  if (ctx.plan.status !== 'ACTIVE') {
    return refusal('PLAN_NOT_ACTIVE', 'PLAN_NOT_ACTIVE', `plan ${ctx.plan.plan_id} is ${ctx.plan.status}`, {
      plan_status: ctx.plan.status,
    });
  }
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
  return null;
}

/** No hardware reading and no kWh or SOC from the app: the battery's charge is unknown, so it is not issued. */
export function chargeUnknown(assetId: string, fields: string): AgentResult {
  return refusal(
    'EQUIPMENT_CHARGE_UNKNOWN',
    'EQUIPMENT_CHARGE_UNKNOWN',
    `the station cannot read battery ${assetId} and the request gives no ${fields}: its charge is unknown`,
    { equipment_id: assetId },
  );
}
