import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aKenyaPlan, batteries, seed } from '../builders/plans.js';
import { startStation, type TestStation } from '../harness/station.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';
const IDENTIFY = `call/uxi/attendant/plan/${PLAN}/identify_customer`;

/** The embedded broker refuses a packet over max_payload_bytes (plus room for the topic) at its header. */
describe('embedded broker maximum packet size (aedes + postgres)', () => {
  let station: TestStation;

  beforeAll(async () => {
    station = await startStation({
      db: 'postgres',
      broker: 'aedes',
      overrides: { max_payload_bytes: 65536 },
    });
    await seed(station.db, [aKenyaPlan()], batteries(['BAT-67890']));
  });
  afterAll(() => station?.close());

  it('a 10 MB publish ends the sender’s connection before the body is taken in; nothing is answered', async () => {
    const sender = await mqtt.connectAsync(station.swapd.brokerUrl, { reconnectPeriod: 0 });
    const closed = new Promise<number>((resolve) => sender.once('close', () => resolve(Date.now())));
    sender.on('error', () => {});
    const payload = JSON.stringify({
      action: 'IDENTIFY_CUSTOMER',
      correlation_id: 'huge-1',
      pad: 'x'.repeat(10e6),
    });
    sender.publish(IDENTIFY, payload, { qos: 0 });
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000));
    expect(await Promise.race([closed, timeout])).not.toBeNull();
    sender.end(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(station.requester.received.some((r) => r.body.correlation_id === 'huge-1')).toBe(false);
  });

  it('a request just under the payload limit is still answered (MALFORMED_PAYLOAD just over it)', async () => {
    const fits = await station.requester.call(PLAN, 'identify_customer', {
      action: 'IDENTIFY_CUSTOMER',
      correlation_id: 'fits-1',
    });
    expect(fits.success).toBe(true);
    const over = JSON.stringify({
      action: 'IDENTIFY_CUSTOMER',
      correlation_id: 'over-1',
      pad: 'x'.repeat(65600),
    });
    const answer = await station.requester.request(IDENTIFY, over, null);
    expect((answer.body.error as { code: string }).code).toBe('MALFORMED_PAYLOAD');
  });
});

/**
 * Attached to Mosquitto, swapd announces an MQTT 5 Maximum Packet Size from the same limit: the broker
 * drops a larger message for swapd instead of sending it, so swapd never receives (nor buffers) it.
 */
describe('swapd’s Maximum Packet Size as a client of Mosquitto (mosquitto + postgres)', () => {
  let station: TestStation;

  beforeAll(async () => {
    station = await startStation({
      db: 'postgres',
      broker: 'mosquitto',
      overrides: { max_payload_bytes: 65536 },
    });
    await seed(station.db, [aKenyaPlan()], batteries(['BAT-67890']));
  });
  afterAll(() => station?.close());

  const hugeAnswers = () =>
    station.requester.received.filter((r) =>
      /payload is \d{7,} bytes/.test(String((r.body.error as { message?: string } | undefined)?.message)),
    );

  it('a 10 MB request never reaches swapd; requests up to the limit still do, and swapd stays connected', async () => {
    const sender = await mqtt.connectAsync(station.urlFor('attendant-001'), { reconnectPeriod: 0 });
    sender.on('error', () => {});
    const huge = JSON.stringify({
      action: 'IDENTIFY_CUSTOMER',
      correlation_id: 'huge-2',
      pad: 'x'.repeat(10e6),
    });
    await sender.publishAsync(IDENTIFY, huge, { qos: 1 });
    await sender.endAsync();
    const over = JSON.stringify({
      action: 'IDENTIFY_CUSTOMER',
      correlation_id: 'over-2',
      pad: 'x'.repeat(65600),
    });
    const answer = await station.requester.request(IDENTIFY, over, null);
    expect((answer.body.error as { code: string }).code).toBe('MALFORMED_PAYLOAD');
    expect(hugeAnswers()).toEqual([]);
    expect(station.swapd.broker.connected).toBe(true);
    const fits = await station.requester.call(PLAN, 'identify_customer', {
      action: 'IDENTIFY_CUSTOMER',
      correlation_id: 'fits-2',
    });
    expect(fits.success).toBe(true);
  });
});
