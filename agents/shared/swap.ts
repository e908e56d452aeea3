import { type AgentResult, type Effect, invalidValue } from './agent.types.js';
import { type Dec, dec, roundTo, toStored, toWire } from './decimal.js';
import { type AppEnergy, type ResolvedEnergy, readBattery, requireEnergy } from './energy.js';
import {
  chargeUnknown,
  checkIncoming,
  checkOutgoing,
  checkPlanCanSwap,
  checkReturnNeeded,
} from './equipment.js';
import type { AgentContext } from './plan.types.js';
import {
  energyService,
  type QuotaUpdate,
  type Shortfall,
  shortfalls,
  swapUsage,
  trackingService,
} from './quota.js';

export interface SwapRequest {
  incomingId: string | null;
  incoming: AppEnergy;
  outgoingId: string;
  outgoing: AppEnergy;
  station: string | null;
  toleranceKwh: number;
}

export interface Swap {
  request: SwapRequest;
  incoming: ResolvedEnergy | null;
  outgoing: ResolvedEnergy;
  netKwh: Dec;
  updates: QuotaUpdate[];
  shortfalls: Shortfall[];
  /** KWH_MISMATCH, NEGATIVE_NET_ENERGY: facts the attendant should see. */
  flags: string[];
  /** The returned battery was checked in earlier (EQUIPMENT_CHECKIN); its kWh were recorded then. */
  fromCheckin: boolean;
}

function resolveOne(ctx: AgentContext, id: string, app: AppEnergy, side: string, tolerance: number) {
  return requireEnergy(ctx, id, app, tolerance, { kwh: `${side}_kwh`, soc: `${side}_soc_percent` });
}

function checkEquipment(ctx: AgentContext, req: SwapRequest, fromCheckin: boolean): AgentResult | null {
  if (req.incomingId && req.incomingId === req.outgoingId) {
    return invalidValue('/replacement_equipment_id', 'the issued battery cannot be the returned one');
  }
  const incomingCheck = fromCheckin
    ? null
    : req.incomingId
      ? checkIncoming(ctx, req.incomingId)
      : checkReturnNeeded(ctx, req.incomingId);
  return checkPlanCanSwap(ctx) ?? incomingCheck ?? checkOutgoing(ctx, req.outgoingId);
}

/** The battery this plan checked in before this checkout, when the request refers to it (or to none). */
function checkedIn(ctx: AgentContext, req: SwapRequest) {
  const returned = ctx.plan.returned;
  if (!returned || (req.incomingId && req.incomingId !== returned.asset_id)) return null;
  return returned;
}

/** Validates a swap and computes what it uses; a refusal comes back as an AgentResult. */
export function computeSwap(ctx: AgentContext, original: SwapRequest): Swap | AgentResult {
  const returned = checkedIn(ctx, original);
  const req = returned ? { ...original, incomingId: returned.asset_id } : original;
  const refused = checkEquipment(ctx, req, returned !== null);
  if (refused) return refused;
  const incoming = returned
    ? ({ kwh: dec(returned.kwh), source: 'checkin', reading: null, mismatch: null } as const)
    : req.incomingId
      ? resolveOne(ctx, req.incomingId, req.incoming, 'incoming', req.toleranceKwh)
      : null;
  if (incoming && !('kwh' in incoming)) return incoming;
  if (!readBattery(ctx, req.outgoingId, req.outgoing, req.toleranceKwh).energy) {
    return chargeUnknown(req.outgoingId, 'outgoing kWh or SOC');
  }
  const outgoing = resolveOne(ctx, req.outgoingId, req.outgoing, 'outgoing', req.toleranceKwh);
  if (!('kwh' in outgoing)) return outgoing;
  const params = ctx.plan.template.agent_params.electricity_tracking;
  const raw = roundTo(outgoing.kwh.minus(incoming?.kwh ?? 0), params.decimal_precision);
  const flags: string[] = [];
  if (incoming?.mismatch || outgoing.mismatch) flags.push('KWH_MISMATCH');
  if (raw.isNegative()) flags.push('NEGATIVE_NET_ENERGY');
  const netKwh = raw.isNegative() ? dec(0) : raw;
  const updates = swapUsage(ctx.plan, netKwh, params.enabled);
  return {
    request: req,
    incoming,
    outgoing,
    netKwh,
    updates,
    shortfalls: shortfalls(ctx.plan, updates),
    flags,
    fromCheckin: returned !== null,
  };
}

export function isSwap(value: Swap | AgentResult): value is Swap {
  return 'netKwh' in value;
}

/** The database changes of a swap: usage, the returned battery back in stock, the new one issued. */
export function swapEffects(ctx: AgentContext, swap: Swap): Effect[] {
  const effects: Effect[] = swap.updates
    .filter((u) => !u.increment.isZero())
    .map((u) => ({ kind: 'usage', service_id: u.service_id, increment: toStored(u.increment) }));
  const { incomingId, outgoingId, station } = swap.request;
  if (swap.fromCheckin) effects.push({ kind: 'returned', asset_id: null, kwh: null });
  else if (incomingId) {
    const stationId = station ?? ctx.assets.get(incomingId)?.station_id ?? null;
    effects.push({
      kind: 'asset',
      asset_id: incomingId,
      status: 'IN_STOCK',
      holder_plan_id: null,
      station_id: stationId,
    });
  }
  effects.push({ kind: 'asset', asset_id: outgoingId, status: 'ISSUED', holder_plan_id: ctx.plan.plan_id });
  const tracking = trackingService(ctx.plan);
  if (tracking)
    effects.push({ kind: 'current_asset', service_id: tracking.service_id, asset_id: outgoingId });
  return effects;
}

export function electricityCalculation(swap: Swap, precision: number): Record<string, unknown> {
  return {
    incoming_kwh: toWire(swap.incoming?.kwh ?? 0, precision),
    outgoing_kwh: toWire(swap.outgoing.kwh, precision),
    net_delivered_kwh: toWire(swap.netKwh, precision),
    incoming_kwh_source: swap.incoming?.source ?? null,
    outgoing_kwh_source: swap.outgoing.source,
    ...(swap.flags.includes('NEGATIVE_NET_ENERGY') ? { negative_net_counted_as_zero: true } : {}),
  };
}

/** The seed's quota_check block for the energy service. */
export function quotaCheck(ctx: AgentContext, swap: Swap): Record<string, unknown> | null {
  const energy = energyService(ctx.plan);
  if (!energy || !ctx.plan.template.agent_params.electricity_tracking.enabled) return null;
  const p = energy.config.decimal_precision;
  const before = dec(energy.state.quota).minus(energy.state.used);
  const after = before.minus(swap.netKwh);
  const base = { remaining_before: toWire(before, p), net_required: toWire(swap.netKwh, p) };
  if (after.isNegative()) return { ...base, deficit_kwh: toWire(after.neg(), p), status: 'exhausted' };
  return { ...base, remaining_after: toWire(after, p), status: 'sufficient' };
}
