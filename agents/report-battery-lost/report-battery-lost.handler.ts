import type { ActionHandler } from '../handler.types.js';
import type { Effect } from '../shared/agent.types.js';
import { applied, audited, type BatteryOpsRequest, heldBattery, unchanged } from '../shared/lifecycle.js';
import schema from './request.schema.json' with { type: 'json' };

/**
 * A battery the customer holds is lost or stolen: flagged LOST (still charged to the plan), no longer
 * the plan's current battery (a replacement can be issued without a return), never issued to anyone.
 */
export const reportBatteryLost: ActionHandler<BatteryOpsRequest> = {
  action: 'REPORT_BATTERY_LOST',
  requestSchema: schema,
  readOnly: false,
  assetIds: (req) => [req.asset_id],
  decide(ctx, req) {
    const asset = heldBattery(ctx, req.asset_id);
    if ('signals' in asset) return audited(ctx, 'report_battery_lost', req, asset);
    const metadata = { asset_id: asset.asset_id, plan_id: ctx.plan.plan_id };
    if (asset.status === 'LOST') {
      return audited(ctx, 'report_battery_lost', req, unchanged('BATTERY_ALREADY_REPORTED_LOST', metadata));
    }
    const effects: Effect[] = [
      { kind: 'asset', asset_id: asset.asset_id, status: 'LOST', holder_plan_id: ctx.plan.plan_id },
      ...ctx.plan.serviceStates
        .filter((s) => s.current_asset === asset.asset_id)
        .map((s): Effect => ({ kind: 'current_asset', service_id: s.service_id, asset_id: null })),
    ];
    const fsm = [{ cycle: 'service_cycle' as const, input: 'BATTERY_LOST_REPORTED' }];
    return audited(
      ctx,
      'report_battery_lost',
      req,
      applied('BATTERY_LOST_REPORTED', { ...metadata, asset_status: 'LOST' }, fsm, effects),
    );
  },
};
