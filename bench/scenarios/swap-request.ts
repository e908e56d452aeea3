import { FLEET_STATION, takePlan } from '../fleet.js';
import type { FleetState, WorkRequest } from '../types.js';

/** A swap for the next free plan: its current battery back, a battery from the stock out. */
export function swapRequest(
  fleet: FleetState,
  operation: string,
  body: (incoming: string | null, outgoing: string, correlationId: string) => Record<string, unknown>,
  correlationId: string,
): WorkRequest | null {
  const plan = takePlan(fleet);
  if (!plan) return null;
  const outgoing = fleet.stock.shift();
  if (!outgoing) {
    plan.busy = false;
    return null;
  }
  return {
    topic: `call/uxi/attendant/plan/${plan.planId}/${operation}`,
    payload: JSON.stringify(body(plan.holding, outgoing, correlationId)),
    correlationId,
    plan,
    outgoing,
  };
}

export const ATTENDANT = { attendant_id: 'ATT-BENCH-01', attendant_station: FLEET_STATION } as const;
