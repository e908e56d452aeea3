import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aKenyaPlan, batteries, seed } from '../builders/plans.js';
import { Requester } from '../harness/requester.js';
import { startStation, type TestStation } from '../harness/station.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';

/** The broker goes away and comes back: swapd reconnects, subscribes again and answers. */
describe('broker restart (mosquitto + postgres)', () => {
  let station: TestStation;

  beforeAll(async () => {
    station = await startStation({ db: 'postgres', broker: 'mosquitto' });
    await seed(station.db, [aKenyaPlan()], batteries(['BAT-67890']));
  });
  afterAll(() => station?.close());

  it('answers requests again after Mosquitto is killed and restarted', async () => {
    const identify = (id: string, app: Requester) =>
      app.call(PLAN, 'identify_customer', { action: 'IDENTIFY_CUSTOMER', correlation_id: id });
    expect((await identify('before', station.requester)).success).toBe(true);
    await station.mosquitto!.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    expect(station.swapd.broker.connected).toBe(false);
    await station.mosquitto!.restart();
    const deadline = Date.now() + 10_000;
    while (!station.swapd.broker.connected && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(station.swapd.broker.connected).toBe(true);
    const app = await Requester.connect(station.mosquitto!.urlFor('tester'));
    try {
      // As an app does after an outage: resend with the same correlation_id until answered.
      const topic = `call/uxi/attendant/plan/${PLAN}/identify_customer`;
      const body = { action: 'IDENTIFY_CUSTOMER', correlation_id: 'after' };
      let res: Record<string, unknown> | null = null;
      for (let attempt = 0; attempt < 5 && !res; attempt++) {
        res = await app.request(topic, body, 'after', 2000).then(
          (r) => r.body,
          () => null,
        );
      }
      expect(res).toMatchObject({ success: true });
      expect((res as { signals: string[] }).signals[0]).toBe('CUSTOMER_IDENTIFIED');
    } finally {
      await app.close();
    }
  });
});
