import type { MqttScenario } from '../types.js';
import { ATTENDANT, swapRequest } from './swap-request.js';
import { requestPathTargets } from './targets.js';

/** COMPLETE_SERVICE (seed 002 §2 "Example Request"), no payment at the station. */
export const completeService: MqttScenario = {
  kind: 'mqtt',
  name: 'complete-service',
  description: 'COMPLETE_SERVICE over MQTT QoS 1 (seed 002 §2 request), a fresh outgoing battery each time',
  responder: 'swapd',
  ceiling: 'single-statement',
  alsoComparedWith: ['own-sql'],
  usesDatabase: true,
  next: (fleet, seq, runId) =>
    swapRequest(
      fleet,
      'complete_service',
      (incoming, outgoing, correlationId) => ({
        action: 'COMPLETE_SERVICE',
        correlation_id: correlationId,
        incoming_battery_id: incoming,
        incoming_kwh: 4.8,
        outgoing_battery_id: outgoing,
        outgoing_kwh: 30.4,
        payment_occurred: false,
        transaction_timestamp: new Date().toISOString(),
        ...ATTENDANT,
      }),
      `${runId}-${seq}`,
    ),
  targets: requestPathTargets,
};
