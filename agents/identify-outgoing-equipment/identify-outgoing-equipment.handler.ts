import type { ActionHandler } from '../handler.types.js';
import type { IdentifyEquipmentRequest } from '../identify-returned-equipment/identify-returned-equipment.handler.js';
import { type AgentResult, refusal } from '../shared/agent.types.js';
import { energyMetadata, readBattery } from '../shared/energy.js';
import { chargeUnknown, checkOutgoing } from '../shared/equipment.js';
import schema from './request.schema.json' with { type: 'json' };

/** The battery the attendant wants to hand over: in this station's stock, free, healthy, charged enough. */
export const identifyOutgoingEquipment: ActionHandler<IdentifyEquipmentRequest> = {
  action: 'IDENTIFY_OUTGOING_EQUIPMENT',
  requestSchema: schema,
  readOnly: true,
  assetIds: (req) => [req.equipment_id],
  decide(ctx, req, settings): AgentResult {
    const id = req.equipment_id;
    const refused = checkOutgoing(ctx, id);
    if (refused) return refused;
    const asset = ctx.assets.get(id)!;
    const station = req.attendant_station;
    if (station && asset.station_id && asset.station_id !== station) {
      return refusal(
        'EQUIPMENT_NOT_AT_STATION',
        'EQUIPMENT_NOT_AVAILABLE',
        `battery ${id} belongs to station ${asset.station_id}`,
        {
          equipment_id: id,
          station_id: asset.station_id,
        },
      );
    }
    const params = ctx.plan.template.agent_params;
    const app = { kwh: req.kwh_remaining, soc_pct: req.soc_percent };
    const { capacity, energy } = readBattery(ctx, id, app, settings.kwhToleranceKwh);
    const metadata = {
      equipment_id: id,
      station_id: asset.station_id,
      capacity_kwh: capacity.toNumber(),
      ...energyMetadata(energy, params.electricity_tracking.decimal_precision),
    };
    if (!energy) return chargeUnknown(id, 'kwh_remaining or soc_percent');
    const minSoc = params.electricity_tracking.min_outgoing_soc_pct ?? 0;
    const socPct = energy.kwh.div(capacity).mul(100);
    if (socPct.lt(minSoc)) {
      const message = `battery ${id} is at ${socPct.toFixed(0)} %; at least ${minSoc} % is needed to issue it`;
      return refusal('EQUIPMENT_INSUFFICIENT_CHARGE', 'EQUIPMENT_NOT_AVAILABLE', message, metadata);
    }
    return {
      success: true,
      signals: ['EQUIPMENT_AVAILABLE', ...(energy.mismatch ? ['KWH_MISMATCH'] : [])],
      metadata: { ...metadata, soc_percent: Number(socPct.toFixed(1)) },
      fsmInputs: [],
      effects: [],
    };
  },
};
