import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AgentContext, AssetView, PlanTemplate, PlanView } from '../../agents/shared/plan.types.js';
import type { BatteryReading } from '../../src/ports/scanner.js';
import { ENERGY, NETWORK, SWAPS } from './plans.js';

export function kenyaTemplate(change: (t: PlanTemplate) => PlanTemplate = (t) => t): PlanTemplate {
  const path = resolve(import.meta.dirname, '../../templates/bss-template-weekly-freedom-nairobi-v2.json');
  return change(JSON.parse(readFileSync(path, 'utf8')) as PlanTemplate);
}

/** An in-memory plan for the pure agent functions: the seed's customer unless changed. */
export function aPlanView(change: Partial<PlanView> = {}, used = { swaps: '6', kwh: '344.5' }): PlanView {
  return {
    plan_id: 'plan-1',
    customer_id: 'CUST-001',
    status: 'ACTIVE',
    template: kenyaTemplate(),
    serviceStates: [
      { service_id: SWAPS, used: used.swaps, quota: '10', current_asset: 'BAT-12345' },
      { service_id: ENERGY, used: used.kwh, quota: '400', current_asset: null },
      { service_id: NETWORK, used: '0', quota: '100000000', current_asset: null },
    ],
    cycles: {
      service_cycle: { state: 'BATTERY_ISSUED', deadline_at: null, deadline_input: null },
      payment_cycle: { state: 'CURRENT', deadline_at: null, deadline_input: null },
    },
    returned: null,
    ...change,
  };
}

export function anAsset(asset_id: string, change: Partial<AssetView> = {}): AssetView {
  return {
    asset_id,
    capacity_kwh: '32',
    station_id: 'STATION_XYZ',
    status: 'IN_STOCK',
    holder_plan_id: null,
    ...change,
  };
}

export function aContext(plan: PlanView, assets: AssetView[], readings: BatteryReading[] = []): AgentContext {
  return {
    plan,
    assets: new Map(assets.map((a) => [a.asset_id, a])),
    payments: new Map(),
    readings: new Map(readings.map((r) => [r.asset_id, r])),
    now: new Date('2026-01-05T08:00:00Z'),
    siteId: 'SITE-KE-001',
  };
}
