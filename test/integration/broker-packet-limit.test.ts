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
