import type { ActionHandler, BaseRequest } from '../handler.types.js';
import type { AgentResult } from '../shared/agent.types.js';
import { toWire } from '../shared/decimal.js';
import { serviceCompletedEvent } from '../shared/events.js';
import { quotaExhaustedResult } from '../shared/exhausted.js';
import { withPendingTopUp } from '../shared/pending.js';
import type { AgentContext } from '../shared/plan.types.js';
import { quotaUpdatesWire } from '../shared/quota.js';
import {
  computeSwap,
  electricityCalculation,
  isSwap,
  quotaCheck,
  type Swap,
  type SwapRequest,
  swapEffects,
} from '../shared/swap.js';
import schema from './request.schema.json' with { type: 'json' };

export interface EquipmentCheckoutRequest extends BaseRequest {
  replacement_equipment_id: string;
  incoming_equipment_id?: string | null;
  incoming_kwh?: number | null;
  outgoing_kwh?: number | null;
  incoming_soc_percent?: number | null;
  outgoing_soc_percent?: number | null;
}

function toSwapRequest(req: EquipmentCheckoutRequest, toleranceKwh: number): SwapRequest {
  return {
    incomingId: req.incoming_equipment_id ?? null,
    incoming: { kwh: req.incoming_kwh, soc_pct: req.incoming_soc_percent },
    outgoingId: req.replacement_equipment_id,
    outgoing: { kwh: req.outgoing_kwh, soc_pct: req.outgoing_soc_percent },
    station: req.attendant_station ?? null,
    toleranceKwh,
  };
}

function success(ctx: AgentContext, req: EquipmentCheckoutRequest, swap: Swap): AgentResult {
  const precision = ctx.plan.template.agent_params.electricity_tracking.decimal_precision;
  const electricity = ctx.plan.template.agent_params.electricity_tracking.enabled;
  const metadata: Record<string, unknown> = {
    outgoing_battery_id: req.replacement_equipment_id,
    incoming_battery_id: req.incoming_equipment_id ?? null,
    ...(electricity ? { electricity_calculation: electricityCalculation(swap, precision) } : {}),
    ...(electricity ? { quota_check: quotaCheck(ctx, swap) } : {}),
    quota_updates: quotaUpdatesWire(swap.updates),
    current_asset: req.replacement_equipment_id,
  };
  const event = serviceCompletedEvent(ctx, {
    source_action: 'EQUIPMENT_CHECKOUT',
    correlation_id: req.correlation_id,
    attendant_id: req.attendant_id ?? null,
    station: req.attendant_station ?? null,
    swap,
  });
  return {
    success: true,
    signals: ['QUOTA_AVAILABLE', 'EQUIPMENT_CHECKOUT_SUCCESS', ...swap.flags],
    metadata: { ...metadata, net_delivered_kwh: toWire(swap.netKwh, precision) },
    fsmInputs: [{ cycle: 'service_cycle', input: 'BATTERY_ISSUED' }],
    effects: [...swapEffects(ctx, swap), event],
  };
}

export const equipmentCheckout: ActionHandler<EquipmentCheckoutRequest> = {
  action: 'EQUIPMENT_CHECKOUT',
  requestSchema: schema,
  readOnly: false,
  assetIds: (req) => [
    req.replacement_equipment_id,
    ...(req.incoming_equipment_id ? [req.incoming_equipment_id] : []),
  ],
  planPayments: () => 'on-refusal',
  decide(ctx, req, settings) {
    const swap = computeSwap(ctx, toSwapRequest(req, settings.kwhToleranceKwh));
    if (!isSwap(swap)) return swap;
    if (swap.shortfalls.length > 0) return withPendingTopUp(ctx, quotaExhaustedResult(ctx, req, swap));
    return success(ctx, req, swap);
  },
};
