import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aKenyaPlan, batteries, seed } from '../builders/plans.js';
import { startStation, type TestStation } from '../harness/station.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';

/** SPEC §2.1: an MQTT 5 request with Response Topic and Correlation Data is answered there as well. */
describe('MQTT 5 request/response (mosquitto + postgres)', () => {
  let station: TestStation;

  beforeAll(async () => {
    station = await startStation({ db: 'postgres', broker: 'mosquitto' });
    await seed(station.db, [aKenyaPlan()], batteries(['BAT-67890']));
  });
  afterAll(() => station?.close());

  it('answers on the contract topic and on the Response Topic, echoing the Correlation Data', async () => {
    // An attendant may read answers under its own client id (ACL pattern rtrn/client/%c/#).
    const app = await mqtt.connectAsync(station.mosquitto!.urlFor('attendant'), {
      protocolVersion: 5,
      clientId: 'ATT-001',
    });
    const got: { topic: string; correlation: string | undefined; body: Record<string, unknown> }[] = [];
    app.on('message', (topic, payload, packet) => {
      got.push({
        topic,
        correlation: packet.properties?.correlationData?.toString(),
        body: JSON.parse(payload.toString()),
      });
    });
    await app.subscribeAsync(['rtrn/client/ATT-001/inbox', `rtrn/abs/attendant/plan/${PLAN}/#`], { qos: 1 });
    await app.publishAsync(
      `call/uxi/attendant/plan/${PLAN}/identify_customer`,
      JSON.stringify({ action: 'IDENTIFY_CUSTOMER', correlation_id: 'v5-1' }),
      {
        qos: 1,
        properties: { responseTopic: 'rtrn/client/ATT-001/inbox', correlationData: Buffer.from('req-77') },
      },
    );
    const deadline = Date.now() + 5000;
    while (got.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await app.endAsync();
    expect(got.map((g) => g.topic).sort()).toEqual([
      `rtrn/abs/attendant/plan/${PLAN}/identify_customer_response`,
      'rtrn/client/ATT-001/inbox',
    ]);
    for (const g of got) {
      expect(g.correlation).toBe('req-77');
      expect(g.body).toMatchObject({
        correlation_id: 'v5-1',
        success: true,
        signals: ['CUSTOMER_IDENTIFIED'],
      });
    }
  });
});
