import type { FleetPlan, FleetState } from './types.js';

/** The seeded fleet: plan n holds BENCH-H-n; the station's stock is BENCH-S-1..stock. */
export const FLEET_STATION = 'STATION-BENCH';

/** The requester's fleet is 'bench'; another name seeds a fleet of its own beside it (own-sql). */
export function planId(n: number, fleet = 'bench'): string {
  return `${fleet}-plan-${String(n).padStart(5, '0')}`;
}

export function heldBattery(n: number, fleet = 'bench'): string {
  return `${fleet.toUpperCase()}-H-${String(n).padStart(5, '0')}`;
}

export function stockBattery(n: number, fleet = 'bench'): string {
  return `${fleet.toUpperCase()}-S-${String(n).padStart(5, '0')}`;
}

/** Enough stock that a returned battery is only issued again after every other one was. */
export function stockSize(plans: number): number {
  return Math.max(256, plans);
}

export function newFleet(plans: number, fleet = 'bench'): FleetState {
  const list: FleetPlan[] = Array.from({ length: plans }, (_, i) => ({
    planId: planId(i + 1, fleet),
    holding: heldBattery(i + 1, fleet),
    busy: false,
    broken: false,
  }));
  const stock = Array.from({ length: stockSize(plans) }, (_, i) => stockBattery(i + 1, fleet));
  return { plans: list, stock, cursor: 0 };
}

/** The next plan with no request in flight, round robin; it is marked busy. */
export function takePlan(fleet: FleetState): FleetPlan | null {
  const n = fleet.plans.length;
  for (let tries = 0; tries < n; tries++) {
    const plan = fleet.plans[fleet.cursor] as FleetPlan;
    fleet.cursor = (fleet.cursor + 1) % n;
    if (!plan.busy && !plan.broken) {
      plan.busy = true;
      return plan;
    }
  }
  return null;
}

/**
 * After a swap: on success the plan holds the outgoing battery and the returned one goes to the back of
 * the stock; on failure the plan's state is unknown, so it and the battery are not used again.
 */
export function settleSwap(fleet: FleetState, plan: FleetPlan, outgoing: string, ok: boolean): void {
  plan.busy = false;
  if (!ok) {
    plan.broken = true;
    return;
  }
  if (plan.holding) fleet.stock.push(plan.holding);
  plan.holding = outgoing;
}
