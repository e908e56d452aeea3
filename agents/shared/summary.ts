import { isUnlimited, toWire } from './decimal.js';
import type { PlanView } from './plan.types.js';
import { describeRemaining, remaining, serviceConfig, trackingService } from './quota.js';

/** The plan as the attendant app shows it: services with usage, cycles, prices (IDENTIFY_CUSTOMER). */
export function planSummary(plan: PlanView): Record<string, unknown> {
  const serviceStates = plan.serviceStates.map((s) => {
    const config = serviceConfig(plan, s.service_id);
    const p = config?.decimal_precision ?? 0;
    return {
      service_id: s.service_id,
      used: toWire(s.used, p),
      quota: toWire(s.quota, p),
      current_asset: s.current_asset,
      unit: config?.unit ?? null,
      unlimited: isUnlimited(s.quota),
      remaining: isUnlimited(s.quota) ? null : toWire(remaining(s), p),
      remaining_text: config ? describeRemaining(config, s) : null,
    };
  });
  const { template } = plan;
  return {
    plan_id: plan.plan_id,
    customer_id: plan.customer_id,
    plan_status: plan.status,
    template_id: template.template_id,
    template_version: template.version,
    template_name: template.name,
    currency: template.currency,
    serviceStates,
    current_asset: trackingService(plan)?.current_asset ?? null,
    service_cycle: plan.cycles.service_cycle.state,
    payment_cycle: plan.cycles.payment_cycle.state,
    payment_due_at: plan.cycles.payment_cycle.deadline_at,
    prices: template.service_configurations.map((c) => ({
      service_id: c.service_id,
      unit: c.unit,
      unit_price: Number(c.unit_price),
    })),
    renewal_price: Number(template.billing.renewal_price),
    electricity_tracking_enabled: template.agent_params.electricity_tracking.enabled,
  };
}
