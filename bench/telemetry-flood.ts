/**
 * A station controller fleet in a process of its own (bench/scenarios/telemetry-ingest.ts starts it):
 * publishes SPEC-003 telemetry at QoS 0 as fast as the broker takes it, round-robin over many
 * batteries, for a given time, as one station controller per site (each logged in as its site's station
 * user, as the broker's access policy requires). Usage:
 * telemetry-flood.ts <assets> <duration-ms> <broker-url of SITE-KE-001> … <broker-url of SITE-KE-004>
 */
import mqtt from 'mqtt';
import { FLOOD_SITES as SITES } from './telemetry-sites.js';

const [assetsArg, durationArg, ...urls] = process.argv.slice(2);
const ASSETS = Number(assetsArg ?? 10_000);
const DURATION_MS = Number(durationArg ?? 5_000);
const BATCH = 500;

function message(i: number, timestamp: string): string {
  const site = SITES[i % SITES.length] as string;
  return JSON.stringify({
    schema_version: '1.0',
    message_type: 'telemetry',
    site_id: site,
    gateway_version: 'flood-1.0',
    timestamp,
    payload: {
      soc_pct: 40 + (i % 60),
      power_kw: -1.5,
      temperature_c: 28.5,
      voltage_v: 52.4,
      current_a: -28.6,
      mode: 1,
      alarm_code: 0,
      asset_id: `BAT-F${String(i).padStart(6, '0')}`,
      energy_kwh: 12.5 + (i % 17),
      slot: (i % 16) + 1,
      soh_pct: 96,
    },
  });
}

/** Lets the socket drain when mqtt.js has buffered enough. */
function drained(client: mqtt.MqttClient): Promise<void> {
  const stream = client.stream as unknown as {
    writableNeedDrain?: boolean;
    once(e: string, f: () => void): void;
  };
  if (!stream.writableNeedDrain) return new Promise((r) => setImmediate(r));
  return new Promise((r) => stream.once('drain', () => r()));
}

async function main(): Promise<void> {
  if (urls.length !== SITES.length) throw new Error(`one broker URL per site (${SITES.join(', ')})`);
  const clients = await Promise.all(urls.map((url) => mqtt.connectAsync(url, { protocolVersion: 4 })));
  // Serialised once: the flood measures the receiver, not JSON.stringify here.
  const timestamp = new Date().toISOString();
  const topics = Array.from({ length: ASSETS }, (_, i) => `bessai/${SITES[i % SITES.length]}/telemetry`);
  const payloads = Array.from({ length: ASSETS }, (_, i) => Buffer.from(message(i, timestamp)));
  const until = Date.now() + DURATION_MS;
  let sent = 0;
  while (Date.now() < until) {
    for (let k = 0; k < BATCH; k++, sent++) {
      const i = sent % ASSETS;
      (clients[i % SITES.length] as mqtt.MqttClient).publish(topics[i] as string, payloads[i] as Buffer, {
        qos: 0,
      });
    }
    await Promise.all(clients.map(drained));
  }
  await Promise.all(clients.map((c) => c.endAsync()));
  process.stdout.write(`${JSON.stringify({ sent })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
