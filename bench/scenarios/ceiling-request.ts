import type { WorkRequest } from '../types.js';

/** Ceiling traffic: a checkout-sized payload on a bench topic that swapd does not subscribe. */
export function ceilingRequest(kind: string, seq: number, runId: string): WorkRequest {
  const correlationId = `${runId}-${seq}`;
  const payload = JSON.stringify({
    action: 'EQUIPMENT_CHECKOUT',
    correlation_id: correlationId,
    replacement_equipment_id: 'BENCH-S-00001',
    incoming_equipment_id: 'BENCH-H-00001',
    incoming_kwh: 4.8,
    outgoing_kwh: 30.4,
    attendant_id: 'ATT-BENCH-01',
    attendant_station: 'STATION-BENCH',
  });
  return { topic: `bench/req/${kind}/${seq % 4096}`, payload, correlationId, plan: null, outgoing: null };
}
