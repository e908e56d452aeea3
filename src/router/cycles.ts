import type { AgentResult, FsmInput } from '../../agents/shared/agent.types.js';
import type { PlanTemplate } from '../../agents/shared/plan.types.js';
import { applyInput, type CycleName, type CycleParams, type CycleRecord } from '../../fsm/index.js';

export function cycleParams(template: PlanTemplate): CycleParams {
  return {
    billingPeriodDays: template.billing.period_days,
    gracePeriodDays: template.billing.grace_period_days,
    depositRequired: template.billing.deposit_required,
  };
}

export type CycleOutcome = { ok: true; changed: CycleRecord[] } | { ok: false; refusal: AgentResult };

/**
 * Feeds a result's fsmInputs through the plan's cycles in order. The first refused input fails the
 * whole action (FSM_TRANSITION_REJECTED) and nothing is changed.
 */
export function runCycles(
  cycles: Record<CycleName, CycleRecord>,
  inputs: readonly FsmInput[],
  template: PlanTemplate,
  now: Date,
): CycleOutcome {
  const params = cycleParams(template);
  const current = { ...cycles };
  const changed = new Set<CycleName>();
  for (const input of inputs) {
    const outcome = applyInput(current[input.cycle], input, params, now);
    if (!outcome.ok) {
      return {
        ok: false,
        refusal: {
          success: false,
          signals: ['FSM_TRANSITION_REJECTED'],
          metadata: { cycle: input.cycle, state: outcome.from, input: input.input },
          fsmInputs: [...inputs],
          effects: [],
          error: { code: 'FSM_TRANSITION_REJECTED', message: outcome.reason, details: [] },
        },
      };
    }
    current[input.cycle] = outcome.record;
    changed.add(input.cycle);
  }
  return { ok: true, changed: [...changed].map((c) => current[c]) };
}
