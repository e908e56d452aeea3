/**
 * The attendant apps' side of the MQTT scenarios, in a process of its own (forked by the runner) so the
 * load generator does not share an event loop or a CPU budget with swapd.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { newFleet } from './fleet.js';
import { LoadLoop } from './load-loop.js';
import type { RequesterMessage, RunCommand } from './load-protocol.js';
import { noDelay } from './nodelay.js';
import { findMqttScenario } from './scenarios/index.js';
import type { FleetState } from './types.js';

const clients = new Map<string, MqttClient>();
const fleets = new Map<string, FleetState>();

async function clientFor(url: string): Promise<MqttClient> {
  const existing = clients.get(url);
  if (existing) return existing;
  const client = noDelay(
    await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, clean: true }),
  );
  await client.subscribeAsync(['rtrn/abs/#', 'bench/res/#'], { qos: 1 });
  clients.set(url, client);
  return client;
}

function fleetFor(key: string, plans: number): FleetState {
  let fleet = fleets.get(key);
  if (!fleet) {
    fleet = newFleet(plans);
    fleets.set(key, fleet);
  }
  return fleet;
}

async function run(cmd: RunCommand): Promise<RequesterMessage> {
  const scenario = findMqttScenario(cmd.scenario);
  const client = await clientFor(cmd.brokerUrl);
  const loop = new LoadLoop(client, scenario, fleetFor(cmd.fleetKey, cmd.plans), cmd);
  return { type: 'result', id: cmd.id, result: await loop.run() };
}

async function closeAll(): Promise<void> {
  await Promise.all([...clients.values()].map((c) => c.endAsync(true)));
  clients.clear();
}

process.on('message', (message: RunCommand | { type: 'close-broker'; url: string } | { type: 'exit' }) => {
  if (message.type === 'exit') {
    void closeAll().finally(() => process.exit(0));
    return;
  }
  if (message.type === 'close-broker') {
    const client = clients.get(message.url);
    clients.delete(message.url);
    void client?.endAsync(true);
    return;
  }
  run(message).then(
    (reply) => process.send?.(reply),
    (err: unknown) => process.send?.({ type: 'error', id: message.id, message: String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
