import { addAssets, importPlans } from '../src/admin/admin.repo.js';
import type { PlanImport } from '../src/admin/admin-validation.js';
import type { Db } from '../src/ports/database.js';
import { FLEET_STATION, heldBattery, planId, stockBattery, stockSize } from './fleet.js';

const TEMPLATE = 'bss-template-weekly-freedom-nairobi-v2';
const SERVICES = {
  swaps: 'svc-battery-fleet-kenya-premium',
  energy: 'svc-electricity-fuel-kenya',
  network: 'svc-swap-network-kenya',
} as const;
/** "Unlimited" is ≥ 10,000,000; these are large but still counted. */
const LARGE_QUOTA = 9_000_000;
const BATCH = 500;

function plan(n: number, fleet: string): PlanImport {
  return {
    plan_id: planId(n, fleet),
    customer_id: `CUST-${fleet.toUpperCase()}-${n}`,
    template_id: TEMPLATE,
    payment_cycle: 'CURRENT',
    service_cycle: 'BATTERY_ISSUED',
    serviceStates: [
      { service_id: SERVICES.swaps, used: 0, quota: LARGE_QUOTA, current_asset: heldBattery(n, fleet) },
      { service_id: SERVICES.energy, used: 0, quota: LARGE_QUOTA, current_asset: null },
      { service_id: SERVICES.network, used: 0, quota: LARGE_QUOTA, current_asset: null },
    ],
  };
}

async function inBatches<T>(items: T[], work: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let at = 0; at < items.length; at += BATCH) await work(items.slice(at, at + BATCH));
}

/** `plans` plans each holding its battery, and a stock of charged batteries at the bench station. */
export async function seedFleet(db: Db, plans: number, fleet = 'bench'): Promise<void> {
  const stock = Array.from({ length: stockSize(plans) }, (_, i) => ({
    asset_id: stockBattery(i + 1, fleet),
    capacity_kwh: 32,
    station_id: FLEET_STATION,
  }));
  await inBatches(stock, (batch) => addAssets(db, batch));
  const list = Array.from({ length: plans }, (_, i) => plan(i + 1, fleet));
  await inBatches(list, (batch) => importPlans(db, batch, new Date()));
}
