import type { ActionHandler } from '../handler.types.js';
import { refusal } from '../shared/agent.types.js';
import { applied, audited, type BatteryOpsRequest, heldBattery } from '../shared/lifecycle.js';
import schema from './request.schema.json' with { type: 'json' };

/**
 * A battery reported lost is back: in stock again (at `station_id`, else its home station) and no
 * longer charged to the plan. The service_cycle is told only while it is still BATTERY_LOST (a
 * replacement may have been issued meanwhile).
 */
export const recoverBattery: ActionHandler<BatteryOpsRequest> = {
  action: 'RECOVER_BATTERY',
  requestSchema: schema,
  readOnly: false,
  assetIds: (req) => [req.asset_id],
  decide(ctx, req) {
    const known = ctx.assets.get(req.asset_id);
    if (known && known.status !== 'LOST') {
      const message = `battery ${known.asset_id} is ${known.status}, not reported lost`;
      const refused = refusal('EQUIPMENT_NOT_LOST', 'EQUIPMENT_NOT_LOST', message, {
        equipment_id: known.asset_id,
        status: known.status,
      });
      return audited(ctx, 'recover_battery', req, refused);
    }
    const asset = heldBattery(ctx, req.asset_id);
    if ('signals' in asset) return audited(ctx, 'recover_battery', req, asset);
    const station = req.station_id ?? asset.station_id;
    const fsm =
      ctx.plan.cycles.service_cycle.state === 'BATTERY_LOST'
        ? [{ cycle: 'service_cycle' as const, input: 'BATTERY_RECOVERED' }]
        : [];
    const result = applied(
      'BATTERY_RECOVERED',
      { asset_id: asset.asset_id, plan_id: ctx.plan.plan_id, asset_status: 'IN_STOCK', station_id: station },
      fsm,
      [
        {
          kind: 'asset',
          asset_id: asset.asset_id,
          status: 'IN_STOCK',
          holder_plan_id: null,
          station_id: station,
        },
      ],
    );
    return audited(ctx, 'recover_battery', req, result);
  },
};
