import { addAssets, importPlans } from '../../src/admin/admin.repo.js';
import type { AssetImport, PlanImport } from '../../src/admin/admin-validation.js';
import type { Db } from '../../src/ports/database.js';

export const KENYA = 'bss-template-weekly-freedom-nairobi-v2';
export const SWAPS = 'svc-battery-fleet-kenya-premium';
export const ENERGY = 'svc-electricity-fuel-kenya';
export const NETWORK = 'svc-swap-network-kenya';

export interface PlanSpec {
  planId: string;
  customerId: string;
  swapsUsed: number;
  swapsQuota: number;
  electricityUsed: number;
  electricityQuota: number;
  currentAsset: string | null;
  paymentCycle?: string;
  serviceCycle?: string;
}

/** The seed's customer: 6 of 10 swaps, 344.5 of 400 kWh, holding BAT-12345. Tweak with `change`. */
export function aKenyaPlan(change: (p: PlanSpec) => void = () => {}): PlanImport {
  const spec: PlanSpec = {
    planId: 'bss-plan-weekly-freedom-nairobi-v2-plan1',
    customerId: 'CUST-001',
    swapsUsed: 6,
    swapsQuota: 10,
    electricityUsed: 344.5,
    electricityQuota: 400,
    currentAsset: 'BAT-12345',
  };
  change(spec);
  return {
    plan_id: spec.planId,
    customer_id: spec.customerId,
    template_id: KENYA,
    ...(spec.paymentCycle ? { payment_cycle: spec.paymentCycle } : {}),
    ...(spec.serviceCycle ? { service_cycle: spec.serviceCycle } : {}),
    serviceStates: [
      { service_id: SWAPS, used: spec.swapsUsed, quota: spec.swapsQuota, current_asset: spec.currentAsset },
      { service_id: ENERGY, used: spec.electricityUsed, quota: spec.electricityQuota, current_asset: null },
      { service_id: NETWORK, used: 0, quota: 100000000, current_asset: null },
    ],
  };
}

export function batteries(ids: string[], capacity = 32, station = 'STATION_XYZ'): AssetImport[] {
  return ids.map((asset_id) => ({ asset_id, capacity_kwh: capacity, station_id: station }));
}

export async function seed(
  db: Db,
  plans: PlanImport[],
  assets: AssetImport[],
  now = new Date(),
): Promise<void> {
  if (assets.length) await addAssets(db, assets);
  if (plans.length) await importPlans(db, plans, now);
}

/** The seed's checkout: return BAT-12345 at 4.8 kWh, take BAT-67890 at 30.4 kWh. */
export function seedCheckout(
  correlationId: string,
  change: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    action: 'EQUIPMENT_CHECKOUT',
    correlation_id: correlationId,
    replacement_equipment_id: 'BAT-67890',
    incoming_equipment_id: 'BAT-12345',
    incoming_kwh: 4.8,
    outgoing_kwh: 30.4,
    ...change,
  };
}
