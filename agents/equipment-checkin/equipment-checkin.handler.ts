import type { ActionHandler } from '../handler.types.js';
import type { IdentifyEquipmentRequest } from '../identify-returned-equipment/identify-returned-equipment.handler.js';
import type { AgentResult } from '../shared/agent.types.js';
import { toStored } from '../shared/decimal.js';
import { energyMetadata, isEnergy, requireEnergy } from '../shared/energy.js';
import { checkIncoming } from '../shared/equipment.js';
import { trackingService } from '../shared/quota.js';
import schema from './request.schema.json' with { type: 'json' };

/** The battery comes back on its own; its kWh are kept for the checkout that completes the swap. */
export const equipmentCheckin: ActionHandler<IdentifyEquipmentRequest> = {
  action: 'EQUIPMENT_CHECKIN',
  requestSchema: schema,
  readOnly: false,
  assetIds: (req) => [req.equipment_id],
  decide(ctx, req, settings): AgentResult {
    const id = req.equipment_id;
    const refused = checkIncoming(ctx, id);
    if (refused) return refused;
    const params = ctx.plan.template.agent_params;
    const asset = ctx.assets.get(id)!;
    const app = { kwh: req.kwh_remaining, soc_pct: req.soc_percent };
    const fields = { kwh: 'kwh_remaining', soc: 'soc_percent' };
    const energy = requireEnergy(ctx, id, app, settings.kwhToleranceKwh, fields);
    if (!isEnergy(energy)) return energy;
    const tracking = trackingService(ctx.plan);
    return {
      success: true,
      signals: ['EQUIPMENT_CHECKIN_SUCCESS', ...(energy.mismatch ? ['KWH_MISMATCH'] : [])],
      metadata: {
        equipment_id: id,
        ...energyMetadata(energy, params.electricity_tracking.decimal_precision),
        awaiting_checkout: true,
      },
      fsmInputs: [{ cycle: 'service_cycle', input: 'BATTERY_RETURNED' }],
      effects: [
        {
          kind: 'asset',
          asset_id: id,
          status: 'IN_STOCK',
          holder_plan_id: null,
          station_id: req.attendant_station ?? asset.station_id,
        },
        ...(tracking
          ? [{ kind: 'current_asset' as const, service_id: tracking.service_id, asset_id: null }]
          : []),
        { kind: 'returned', asset_id: id, kwh: toStored(energy.kwh) },
      ],
    };
  },
};
