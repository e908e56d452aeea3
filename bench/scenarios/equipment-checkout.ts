import type { MqttScenario } from '../types.js';
import { ATTENDANT, swapRequest } from './swap-request.js';
import { requestPathTargets } from './targets.js';

/** EQUIPMENT_CHECKOUT end to end: MQTT in → validation → one Postgres transaction → MQTT out. */
export const equipmentCheckout: MqttScenario = {
  kind: 'mqtt',
  name: 'equipment-checkout',
  description: 'EQUIPMENT_CHECKOUT over MQTT QoS 1, a fresh outgoing battery each time',
  responder: 'swapd',
  ceiling: 'single-statement',
  usesDatabase: true,
  next: (fleet, seq, runId) =>
    swapRequest(
      fleet,
      'equipment_checkout',
      (incoming, outgoing, correlationId) => ({
        action: 'EQUIPMENT_CHECKOUT',
        correlation_id: correlationId,
        replacement_equipment_id: outgoing,
        incoming_equipment_id: incoming,
        incoming_kwh: 4.8,
        outgoing_kwh: 30.4,
        ...ATTENDANT,
      }),
      `${runId}-${seq}`,
    ),
  targets: requestPathTargets,
};
