import type { ActionHandler, BaseRequest } from '../handler.types.js';
import type { AgentResult } from '../shared/agent.types.js';
import { energyMetadata, readBattery } from '../shared/energy.js';
import { checkIncoming } from '../shared/equipment.js';
import schema from './request.schema.json' with { type: 'json' };

export interface IdentifyEquipmentRequest extends BaseRequest {
  equipment_id: string;
  kwh_remaining?: number | null;
  soc_percent?: number | null;
}

export const identifyReturnedEquipment: ActionHandler<IdentifyEquipmentRequest> = {
  action: 'IDENTIFY_RETURNED_EQUIPMENT',
  requestSchema: schema,
  readOnly: true,
  assetIds: (req) => [req.equipment_id],
  decide(ctx, req, settings): AgentResult {
    const id = req.equipment_id;
    const alreadyIn = ctx.plan.returned?.asset_id === id;
    const refused = alreadyIn ? null : checkIncoming(ctx, id);
    if (refused) return { ...refused, metadata: { ...refused.metadata, ownership_verified: false } };
    const params = ctx.plan.template.agent_params;
    const app = { kwh: req.kwh_remaining, soc_pct: req.soc_percent };
    const { capacity, energy } = readBattery(ctx, id, app, settings.kwhToleranceKwh);
    return {
      success: true,
      signals: ['EQUIPMENT_BELONGS_TO_USER', ...(energy?.mismatch ? ['KWH_MISMATCH'] : [])],
      metadata: {
        equipment_id: id,
        ownership_verified: true,
        already_checked_in: alreadyIn,
        capacity_kwh: capacity.toNumber(),
        ...energyMetadata(energy, params.electricity_tracking.decimal_precision),
        ...(energy?.mismatch ? { kwh_mismatch: energy.mismatch } : {}),
      },
      fsmInputs: [],
      effects: [],
    };
  },
};
