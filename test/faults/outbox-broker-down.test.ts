import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aKenyaPlan, batteries, seed, seedCheckout } from '../builders/plans.js';
import { startStation, type TestStation } from '../harness/station.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';

/** SPEC §6.5: an event committed while the broker is down reaches it once it is back. */
describe('outbox across a broker outage (mosquitto + postgres)', () => {
  let station: TestStation;

  beforeAll(async () => {
    station = await startStation({ db: 'postgres', broker: 'mosquitto', mosquittoPersistent: true });
    await seed(station.db, [aKenyaPlan()], batteries(['BAT-67890']));
  });
  afterAll(() => station?.close());

  it('keeps the event through a broker restart and publishes it when the broker returns', async () => {
    const url = station.mosquitto!.urlFor('odoo');
    // A consumer with a persistent session: the broker keeps its QoS 1 messages while it is away.
    const consumer = await mqtt.connectAsync(url, {
      clientId: 'odoo-consumer',
      clean: false,
      reconnectPeriod: 100,
    });
    await consumer.subscribeAsync('event/abs/#', { qos: 1 });
    const received: Record<string, unknown>[] = [];
    consumer.on('message', (_t, payload) =>
      received.push(JSON.parse(payload.toString()) as Record<string, unknown>),
    );

    // Hold the relay off the broker: the request commits, its event waits in the outbox.
    await station.swapd.relay!.stop();
    const response = await station.requester.call(PLAN, 'equipment_checkout', seedCheckout('outage-1'));
    expect(response.success).toBe(true);
    await station.mosquitto!.stop('SIGTERM');
    station.swapd.relay!.start();
    await new Promise((r) => setTimeout(r, 600));
    const waiting = await station.db.selectFrom('outbox').select(['event_id', 'published_at']).execute();
    expect(waiting).toHaveLength(1);
    expect(waiting[0]!.published_at).toBeNull();

    await station.mosquitto!.restart();
    const deadline = Date.now() + 15_000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(received.map((e) => e.event_id)).toContain(waiting[0]!.event_id);
    const published = await station.db.selectFrom('outbox').select('published_at').execute();
    expect(published[0]!.published_at).not.toBeNull();
    await consumer.endAsync();
  });
});
