import mqtt, { type MqttClient } from 'mqtt';
import type { RunningSimulator } from '../../src/adapters/drivers/simulator/station-simulator.js';
import type { RunningSwapd } from '../../src/main.js';
import { readRuntimeNote } from '../../src/runtime/runtime-file.js';

export interface SafetyMessage {
  topic: string;
  qos: number;
  body: Record<string, unknown>;
}

/** A back-office subscriber to bessai/+/safety_event at QoS 1 that keeps every message with its QoS. */
export class SafetyEventWatcher {
  readonly received: SafetyMessage[] = [];
  readonly #client: MqttClient;

  private constructor(client: MqttClient) {
    this.#client = client;
    client.on('message', (topic, payload, packet) => {
      this.received.push({
        topic,
        qos: packet.qos,
        body: JSON.parse(payload.toString()) as Record<string, unknown>,
      });
    });
  }

  static async connect(url: string): Promise<SafetyEventWatcher> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 200 });
    await client.subscribeAsync('bessai/+/safety_event', { qos: 1 });
    return new SafetyEventWatcher(client);
  }

  /** Waits for a safety_event of that type (about that device, when given). */
  async waitFor(eventType: string, deviceId?: string, timeoutMs = 10_000): Promise<SafetyMessage> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.received.find((m) => {
        const p = m.body.payload as Record<string, unknown>;
        return p.event_type === eventType && (deviceId === undefined || p.device_id === deviceId);
      });
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no ${eventType} safety_event${deviceId ? ` for ${deviceId}` : ''}`);
  }

  close(): Promise<void> {
    return this.#client.endAsync();
  }
}

/** The ops HTTP surface of a running swapd, with the token from its runtime note. */
export async function ops(
  swapd: RunningSwapd,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  token: string | null = readRuntimeNote(swapd.config.data_dir)?.ops_token ?? null,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${swapd.httpPort}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text },
  };
}

/** What the slot's charger holds now: P_setpoint_kW and mode_cmd as the device has them. */
export function deviceCommand(sim: RunningSimulator, unitId: number): { setpoint: number; mode: number } {
  const unit = sim.cabinet.unit(unitId);
  if (!unit) throw new Error(`no unit ${unitId}`);
  const values = sim.cabinet.tagValues(unit);
  return { setpoint: Number(values.P_setpoint_kW), mode: Number(values.mode_cmd) };
}
