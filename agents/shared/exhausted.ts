import type { BaseRequest } from '../handler.types.js';
import type { AgentResult } from './agent.types.js';
import { dec, toWire } from './decimal.js';
import { eventTopics } from './events.js';
import type { AgentContext } from './plan.types.js';
import { serviceConfig } from './quota.js';
import { electricityCalculation, quotaCheck, type Swap } from './swap.js';

/** What the customer must buy to make this swap possible, at the template's unit prices. */
export function topupRequired(ctx: AgentContext, swap: Swap): Record<string, unknown> {
  const { currency, billing } = ctx.plan.template;
  let cost = dec(0);
  const out: Record<string, unknown> = {};
  for (const s of swap.shortfalls) {
    const config = serviceConfig(ctx.plan, s.service_id);
    const precision = config?.decimal_precision ?? 0;
    cost = cost.plus(s.deficit.mul(config?.unit_price ?? 0));
    if (s.usage_metric === 'ENERGY') out.amount_kwh = toWire(s.deficit, precision);
    else out.swaps = toWire(s.deficit, precision);
  }
  const estimated = toWire(cost.toDecimalPlaces(billing.currency_decimals, 0), billing.currency_decimals);
  return {
    ...out,
    estimated_cost: estimated,
    currency,
    ...(currency === 'USD' ? { estimated_cost_usd: estimated } : {}),
  };
}

/** QUOTA_EXHAUSTED: a refusal that changes nothing but tells the app (and an event) what is missing. */
export function quotaExhaustedResult(ctx: AgentContext, req: BaseRequest, swap: Swap): AgentResult {
  const precision = ctx.plan.template.agent_params.electricity_tracking.decimal_precision;
  const electricity = ctx.plan.template.agent_params.electricity_tracking.enabled;
  const topup = topupRequired(ctx, swap);
  const exhausted = swap.shortfalls.map((s) => {
    const p = serviceConfig(ctx.plan, s.service_id)?.decimal_precision ?? 0;
    return {
      service_id: s.service_id,
      remaining_before: toWire(s.remaining_before, p),
      required: toWire(s.required, p),
      deficit: toWire(s.deficit, p),
    };
  });
  const metadata = {
    outgoing_battery_id: swap.request.outgoingId,
    incoming_battery_id: swap.request.incomingId,
    ...(electricity ? { electricity_calculation: electricityCalculation(swap, precision) } : {}),
    ...(electricity ? { quota_check: quotaCheck(ctx, swap) } : {}),
    exhausted_services: exhausted,
    topup_required: topup,
  };
  const names = exhausted.map((e) => e.service_id).join(', ');
  return {
    success: false,
    signals: ['QUOTA_EXHAUSTED', ...swap.flags],
    metadata,
    fsmInputs: [{ cycle: 'service_cycle', input: 'QUOTA_EXHAUSTED' }],
    effects: [
      {
        kind: 'event',
        event_type: 'QUOTA_EXHAUSTED',
        topic: eventTopics.quotaExhausted(ctx.plan.plan_id),
        payload: {
          event_type: 'QUOTA_EXHAUSTED',
          plan_id: ctx.plan.plan_id,
          customer_id: ctx.plan.customer_id,
          correlation_id: req.correlation_id,
          source_action: req.action,
          exhausted_services: exhausted,
          topup_required: topup,
        },
      },
    ],
    error: { code: 'QUOTA_EXHAUSTED', message: `quota exhausted for ${names}`, details: [] },
  };
}
