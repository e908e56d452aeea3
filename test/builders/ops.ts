import type { AgentResult, Effect } from '../../agents/shared/agent.types.js';
import type { BatteryOpsRequest, OpsRequest } from '../../agents/shared/lifecycle.js';
import type { AgentContext, AssetView, PaymentView, PlanView } from '../../agents/shared/plan.types.js';
import { aContext, anAsset, aPlanView } from './plan-view.js';

/* Lifecycle operations (ops) of plan-1 for the pure handlers, and the results they are expected to give. */

/** The seed's battery, held by plan-1. */
export const heldBattery = anAsset('BAT-12345', { status: 'ISSUED', holder_plan_id: 'plan-1' });

/** An ops request from OPS-7 with a reason, unless changed. */
export function opsRequest(action: string, change: Partial<OpsRequest> = {}): OpsRequest {
  return { action, correlation_id: 'ops-1', requested_by: 'OPS-7', reason: 'customer request', ...change };
}

/** A battery operation on BAT-12345 unless changed. */
export function batteryOpsRequest(
  action: string,
  change: Partial<BatteryOpsRequest> = {},
): BatteryOpsRequest {
  return { ...opsRequest(action), asset_id: 'BAT-12345', ...change };
}

export function opsContext(
  plan: Partial<PlanView> = {},
  assets: AssetView[] = [heldBattery],
  payments: PaymentView[] = [],
): AgentContext {
  return {
    ...aContext(aPlanView(plan), assets),
    payments: new Map(payments.map((p) => [p.payment_id, p])),
  };
}

/** The plan's cycles with the service_cycle in `state`. */
export function inServiceCycle(state: string): PlanView['cycles'] {
  return { ...aPlanView().cycles, service_cycle: { state, deadline_at: null, deadline_input: null } };
}

/** The audit row an ops request of opsRequest() leaves. */
export function auditRow(
  operation: string,
  decision: string,
  signals: string[],
  details: Record<string, unknown> = {},
  planStatus = 'ACTIVE',
): Effect {
  return {
    kind: 'audit',
    audit_kind: `ops:${operation}`,
    requester: 'OPS-7',
    decision,
    details: {
      correlation_id: 'ops-1',
      plan_id: 'plan-1',
      plan_status: planStatus,
      signals,
      ...details,
      reason: 'customer request',
    },
  };
}

/** A refusal whose code is its signal, with the effects it keeps (its audit row). */
export function refusedWith(
  signal: string,
  message: string,
  metadata: Record<string, unknown>,
  effects: Effect[],
): AgentResult {
  return {
    success: false,
    signals: [signal],
    metadata,
    fsmInputs: [],
    effects,
    error: { code: signal, message, details: [] },
  };
}
