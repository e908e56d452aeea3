import type { MqttScenario } from '../types.js';
import { ceilingRequest } from './ceiling-request.js';

/** Ceiling: a bare MQTT round trip (a second client on the swapd side echoes each request, QoS 1). */
export const mqttEcho: MqttScenario = {
  kind: 'mqtt',
  name: 'mqtt-echo',
  description: 'ceiling: bare MQTT QoS 1 round trip, echoed by a client in the swapd process',
  responder: 'echo',
  ceiling: null,
  usesDatabase: false,
  next: (_fleet, seq, runId) => ceilingRequest('echo', seq, runId),
};
