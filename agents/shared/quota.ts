import { type Dec, dec, isUnlimited, roundTo, toWire } from './decimal.js';
import type { PlanView, ServiceConfig, ServiceStateView } from './plan.types.js';

export interface QuotaUpdate {
  service_id: string;
  used_before: Dec;
  used_after: Dec;
  increment: Dec;
  quota: Dec;
  precision: number;
}

export interface Shortfall {
  service_id: string;
  usage_metric: ServiceConfig['usage_metric'];
  remaining_before: Dec;
  required: Dec;
  deficit: Dec;
}

export function countsSwaps(config: ServiceConfig): boolean {
  return config.counts_swaps ?? (config.usage_metric === 'COUNT' && config.tracks_asset);
}

export function serviceConfig(plan: PlanView, serviceId: string): ServiceConfig | undefined {
  return plan.template.service_configurations.find((s) => s.service_id === serviceId);
}

export function stateOf(plan: PlanView, serviceId: string): ServiceStateView | undefined {
  return plan.serviceStates.find((s) => s.service_id === serviceId);
}

/** The service that holds the customer's battery (tracks_asset), if the template has one. */
export function trackingService(plan: PlanView): ServiceStateView | undefined {
  const config = plan.template.service_configurations.find((s) => s.tracks_asset);
  return config ? stateOf(plan, config.service_id) : undefined;
}

export function energyService(
  plan: PlanView,
): { config: ServiceConfig; state: ServiceStateView } | undefined {
  const config = plan.template.service_configurations.find((s) => s.usage_metric === 'ENERGY');
  const state = config ? stateOf(plan, config.service_id) : undefined;
  return config && state ? { config, state } : undefined;
}

export function remaining(state: ServiceStateView): Dec {
  return dec(state.quota).minus(state.used);
}

/** What one swap uses of each service: one swap of each swap-counting service, net kWh of the energy one. */
export function swapUsage(plan: PlanView, netKwh: Dec, electricityEnabled: boolean): QuotaUpdate[] {
  const updates: QuotaUpdate[] = [];
  for (const config of plan.template.service_configurations) {
    const state = stateOf(plan, config.service_id);
    if (!state) continue;
    const energy = config.usage_metric === 'ENERGY';
    if (energy && !electricityEnabled) continue;
    if (!energy && !countsSwaps(config)) continue;
    const increment = energy ? roundTo(netKwh, config.decimal_precision) : dec(1);
    const used = dec(state.used);
    updates.push({
      service_id: config.service_id,
      used_before: used,
      used_after: used.plus(increment),
      increment,
      quota: dec(state.quota),
      precision: config.decimal_precision,
    });
  }
  return updates;
}

export function shortfalls(plan: PlanView, updates: readonly QuotaUpdate[]): Shortfall[] {
  return updates
    .filter((u) => !isUnlimited(u.quota) && u.used_after.gt(u.quota))
    .map((u) => ({
      service_id: u.service_id,
      usage_metric: serviceConfig(plan, u.service_id)?.usage_metric ?? 'COUNT',
      remaining_before: u.quota.minus(u.used_before),
      required: u.increment,
      deficit: u.used_after.minus(u.quota),
    }));
}

export function quotaUpdatesWire(updates: readonly QuotaUpdate[]): Record<string, unknown>[] {
  return updates.map((u) => ({
    service_id: u.service_id,
    used_before: toWire(u.used_before, u.precision),
    used_after: toWire(u.used_after, u.precision),
    increment: toWire(u.increment, u.precision),
  }));
}

/** "3 of 10", "29.9 kWh of 400 kWh", "unlimited". */
export function describeRemaining(config: ServiceConfig, state: ServiceStateView): string {
  if (isUnlimited(state.quota)) return 'unlimited';
  const left = remaining(state).toFixed(config.decimal_precision);
  const quota = String(toWire(state.quota, config.decimal_precision));
  return config.usage_metric === 'ENERGY'
    ? `${left} ${config.unit} of ${quota} ${config.unit}`
    : `${left} of ${quota}`;
}
