import { sql } from 'kysely';
import mqtt, { type MqttClient } from 'mqtt';
import type { Db } from '../src/ports/database.js';
import { noDelay } from './nodelay.js';

/** The ceiling responders: MQTT clients on the swapd side answering bench/req/<kind>/… on bench/res/…. */
export interface Responders {
  close(): Promise<void>;
}

function correlationOf(payload: Buffer): string | null {
  try {
    const body = JSON.parse(payload.toString('utf8')) as { correlation_id?: unknown };
    return typeof body.correlation_id === 'string' ? body.correlation_id : null;
  } catch {
    return null;
  }
}

async function client(url: string, filter: string): Promise<MqttClient> {
  const c = noDelay(await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, clean: true }));
  await c.subscribeAsync(filter, { qos: 1 });
  return c;
}

/** Bare round trip: the request is published back unchanged. */
async function echoResponder(url: string): Promise<MqttClient> {
  const c = await client(url, 'bench/req/echo/#');
  c.on('message', (topic, payload) => {
    c.publish(topic.replace('bench/req/', 'bench/res/'), payload, { qos: 1 });
  });
  return c;
}

/** One single-statement transaction (an INSERT, autocommit) per request, on swapd's own pool. */
async function singleStatementResponder(url: string, db: Db): Promise<MqttClient> {
  const c = await client(url, 'bench/req/single/#');
  c.on('message', (topic, payload) => {
    const id = correlationOf(payload);
    sql`insert into bench_ceiling (correlation_id, payload_bytes) values (${id}, ${payload.length})`
      .execute(db)
      .then(
        () => JSON.stringify({ correlation_id: id, success: true }),
        (err: unknown) =>
          JSON.stringify({ correlation_id: id, success: false, error: { code: String(err) } }),
      )
      .then((answer) => c.publish(topic.replace('bench/req/', 'bench/res/'), answer, { qos: 1 }));
  });
  return c;
}

export async function startResponders(url: string, db: Db): Promise<Responders> {
  await sql`create table if not exists bench_ceiling (correlation_id text primary key, payload_bytes integer not null, at timestamptz not null default now())`.execute(
    db,
  );
  const clients = [await echoResponder(url), await singleStatementResponder(url, db)];
  return { close: async () => void (await Promise.all(clients.map((c) => c.endAsync(true)))) };
}
