import type { Effect } from './agent.types.js';
import { toWire } from './decimal.js';
import type { AgentContext } from './plan.types.js';
import { quotaUpdatesWire } from './quota.js';
import type { Swap } from './swap.js';

/** Topics of the events swapd publishes (SPEC §2.4). The router adds event_id and timestamp. */
export const eventTopics = {
  serviceCompleted: (planId: string) => `event/abs/service/plan/${planId}/service_completed`,
  quotaExhausted: (planId: string) => `event/abs/service/plan/${planId}/quota_exhausted`,
  paymentReceived: (planId: string) => `event/abs/payment/plan/${planId}/payment_received`,
  paymentCollected: (planId: string) => `event/abs/payment/plan/${planId}/payment_collected`,
  paymentRejected: (planId: string) => `event/abs/payment/plan/${planId}/payment_rejected`,
} as const;

export interface ServiceEventInput {
  source_action: string;
  correlation_id: string;
  attendant_id: string | null;
  station: string | null;
  swap: Swap;
  payment?: Record<string, unknown> | null;
}

export function serviceCompletedEvent(ctx: AgentContext, input: ServiceEventInput): Effect {
  const precision = ctx.plan.template.agent_params.electricity_tracking.decimal_precision;
  const { swap } = input;
  return {
    kind: 'event',
    event_type: 'SERVICE_COMPLETED',
    topic: eventTopics.serviceCompleted(ctx.plan.plan_id),
    payload: {
      event_type: 'SERVICE_COMPLETED',
      plan_id: ctx.plan.plan_id,
      customer_id: ctx.plan.customer_id,
      service_data: {
        source_action: input.source_action,
        transaction_id: input.correlation_id,
        batteries_swapped: { returned: swap.request.incomingId, issued: swap.request.outgoingId },
        electricity_delivered_kwh: toWire(swap.netKwh, precision),
        kwh_sources: { incoming: swap.incoming?.source ?? null, outgoing: swap.outgoing.source },
        quota_updates: quotaUpdatesWire(swap.updates),
        payment: input.payment ?? null,
      },
      service_context: {
        transaction_id: input.correlation_id,
        attendant_id: input.attendant_id,
        station: input.station,
        correlation_id: input.correlation_id,
      },
      fsm_inputs: [{ cycle: 'service_cycle', input: 'BATTERY_ISSUED' }],
    },
  };
}
