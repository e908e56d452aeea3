import type { BaseRequest } from '../handler.types.js';
import { type AgentResult, type Effect, type FsmInput, refusal } from './agent.types.js';
import type { AgentContext } from './plan.types.js';

/** The fields every lifecycle operation (ops topic, CLI) carries besides its own. */
export interface OpsRequest extends BaseRequest {
  requested_by?: string;
  reason?: string;
}

export interface BatteryOpsRequest extends OpsRequest {
  asset_id: string;
  station_id?: string;
}

/** A lifecycle operation that applies: its signal, what it changes, and the plan as it was before. */
export function applied(
  signal: string,
  metadata: Record<string, unknown>,
  fsmInputs: FsmInput[],
  effects: Effect[],
): AgentResult {
  return { success: true, signals: [signal], metadata: { ...metadata, changed: true }, fsmInputs, effects };
}

/** Asked for what is already so: answered as done, nothing written but the audit row. */
export function unchanged(signal: string, metadata: Record<string, unknown>): AgentResult {
  return {
    success: true,
    signals: [signal],
    metadata: { ...metadata, changed: false },
    fsmInputs: [],
    effects: [],
  };
}

export function planClosed(ctx: AgentContext): AgentResult {
  return refusal('PLAN_CLOSED', 'PLAN_CLOSED', `plan ${ctx.plan.plan_id} is closed (COMPLETE)`, {
    plan_status: ctx.plan.status,
  });
}

/**
 * Suspending or resuming: a closed plan refuses, a plan already in `target` answers unchanged, any
 * other moves to `target`. Audited under `operation`.
 */
export function movePlanStatus(
  ctx: AgentContext,
  req: OpsRequest,
  move: { target: 'ACTIVE' | 'SUSPENDED'; operation: string; alreadySignal: string; appliedSignal: string },
): AgentResult {
  const metadata = { plan_id: ctx.plan.plan_id, plan_status_before: ctx.plan.status };
  const after = { ...metadata, plan_status: move.target };
  const result =
    ctx.plan.status === 'COMPLETE'
      ? planClosed(ctx)
      : ctx.plan.status === move.target
        ? unchanged(move.alreadySignal, after)
        : applied(move.appliedSignal, after, [], [{ kind: 'plan_status', status: move.target }]);
  return audited(ctx, move.operation, req, result);
}

/**
 * Every lifecycle decision, refusals included, leaves an audit row: who asked, why, what was decided.
 * (A refusal keeps its audit rows and nothing else.)
 */
export function audited(
  ctx: AgentContext,
  operation: string,
  req: OpsRequest,
  result: AgentResult,
): AgentResult {
  const decision = result.success
    ? result.metadata.changed === false
      ? 'UNCHANGED'
      : 'APPLIED'
    : (result.error?.code ?? result.signals[0] ?? 'REFUSED');
  const audit: Effect = {
    kind: 'audit',
    audit_kind: `ops:${operation}`,
    requester: req.requested_by ?? null,
    decision,
    details: {
      correlation_id: req.correlation_id,
      plan_id: ctx.plan.plan_id,
      plan_status: ctx.plan.status,
      signals: result.signals,
      ...('asset_id' in req ? { asset_id: (req as BatteryOpsRequest).asset_id } : {}),
      ...(req.reason ? { reason: req.reason } : {}),
    },
  };
  return { ...result, effects: [...result.effects, audit] };
}

/** The battery of a battery operation: registered, and this plan's. */
export function heldBattery(ctx: AgentContext, assetId: string) {
  const asset = ctx.assets.get(assetId);
  if (!asset) {
    return refusal('EQUIPMENT_NOT_FOUND', 'EQUIPMENT_NOT_FOUND', `battery ${assetId} is not registered`, {
      equipment_id: assetId,
    });
  }
  if (asset.holder_plan_id !== ctx.plan.plan_id) {
    const message = `battery ${assetId} is not held by plan ${ctx.plan.plan_id}`;
    return refusal('EQUIPMENT_NOT_BELONGS_TO_USER', 'EQUIPMENT_NOT_BELONGS_TO_USER', message, {
      equipment_id: assetId,
      holder_plan_id: asset.holder_plan_id,
      status: asset.status,
    });
  }
  return asset;
}
