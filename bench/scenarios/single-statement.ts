import type { MqttScenario } from '../types.js';
import { ceilingRequest } from './ceiling-request.js';

/** Ceiling: MQTT round trip plus one single-statement transaction (an INSERT) on swapd's own pool. */
export const singleStatement: MqttScenario = {
  kind: 'mqtt',
  name: 'single-statement',
  description: 'ceiling: MQTT QoS 1 round trip + one single-statement INSERT commit per request',
  responder: 'single-statement',
  ceiling: 'mqtt-echo',
  usesDatabase: true,
  next: (_fleet, seq, runId) => ceilingRequest('single', seq, runId),
};
