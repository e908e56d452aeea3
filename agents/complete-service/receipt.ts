import { toWire } from '../shared/decimal.js';
import type { PlanView, ServiceStateView } from '../shared/plan.types.js';
import { countsSwaps, describeRemaining, serviceConfig } from '../shared/quota.js';
import type { Swap } from '../shared/swap.js';

/** Service states as they stand after the swap's usage (and any credit) is applied. */
export function statesAfter(plan: PlanView, swap: Swap): ServiceStateView[] {
  return plan.serviceStates.map((s) => {
    const update = swap.updates.find((u) => u.service_id === s.service_id);
    return update ? { ...s, used: update.used_after.toFixed() } : s;
  });
}

/** "3 of 10" swaps, "29.9 kWh of 400 kWh": what is left for each limited service. */
export function quotasRemaining(plan: PlanView, states: readonly ServiceStateView[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const state of states) {
    const config = serviceConfig(plan, state.service_id);
    if (!config) continue;
    const key =
      config.usage_metric === 'ENERGY' ? 'electricity_fuel' : countsSwaps(config) ? 'swap_count' : null;
    if (key) out[key] = describeRemaining(config, state);
  }
  return out;
}

export interface ReceiptInput {
  transactionId: string;
  timestamp: string;
  swap: Swap;
  payment: { amount: number; receipt_id: string | null; method: string; status: string } | null;
}

export function receipt(plan: PlanView, planAfter: PlanView, input: ReceiptInput): Record<string, unknown> {
  const precision = plan.template.agent_params.electricity_tracking.decimal_precision;
  return {
    transaction_id: input.transactionId,
    timestamp: input.timestamp,
    customer_id: plan.customer_id,
    plan_id: plan.plan_id,
    batteries_swapped: { returned: input.swap.request.incomingId, issued: input.swap.request.outgoingId },
    electricity_delivered_kwh: toWire(input.swap.netKwh, precision),
    payment: input.payment,
    quotas_remaining: quotasRemaining(planAfter, statesAfter(planAfter, input.swap)),
  };
}
