import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aKenyaPlan, batteries, seed } from '../builders/plans.js';
import { startStation, type TestStation } from '../harness/station.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';
const IDENTIFY = `call/uxi/attendant/plan/${PLAN}/identify_customer`;
const CONTRACT = `rtrn/abs/attendant/plan/${PLAN}/identify_customer_response`;

interface Got {
  topic: string;
  correlation: string | undefined;
  body: Record<string, unknown>;
}

/**
 * SPEC §2.1: an MQTT 5 request with Response Topic and Correlation Data is answered there as well, when
 * the Response Topic lies under the configured prefix; any other is ignored (logged and counted).
 */
describe('MQTT 5 request/response (mosquitto + postgres)', () => {
  let station: TestStation;
  let app: MqttClient;
  const got: Got[] = [];

  beforeAll(async () => {
    station = await startStation({ db: 'postgres', broker: 'mosquitto' });
    await seed(station.db, [aKenyaPlan()], batteries(['BAT-67890']));
    // The harness's tester login reads every answer topic, so answers that must not be sent would be seen.
    app = await mqtt.connectAsync(station.mosquitto!.urlFor('tester'), {
      protocolVersion: 5,
      clientId: 'ATT-001',
    });
    app.on('message', (topic, payload, packet) => {
      got.push({
        topic,
        correlation: packet.properties?.correlationData?.toString(),
        body: JSON.parse(payload.toString()),
      });
    });
    await app.subscribeAsync(['rtrn/#', 'event/#', 'app/#'], { qos: 1 });
  });
  afterAll(async () => {
    await app?.endAsync();
    await station?.close();
  });

  async function ask(id: string, responseTopic: string): Promise<Got[]> {
    await app.publishAsync(IDENTIFY, JSON.stringify({ action: 'IDENTIFY_CUSTOMER', correlation_id: id }), {
      qos: 1,
      properties: { responseTopic, correlationData: Buffer.from(`cd-${id}`) },
    });
    const deadline = Date.now() + 5000;
    while (!got.some((g) => g.topic === CONTRACT && g.body.correlation_id === id) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    // Anything else for this request would arrive right behind the contract answer.
    await new Promise((r) => setTimeout(r, 300));
    return got.filter((g) => g.body.correlation_id === id);
  }

  async function ignoredCount(reason: string): Promise<number> {
    const metric = await station.swapd.metrics.responseTopicsIgnored.get();
    return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0;
  }

  it('answers on the contract topic and on a Response Topic under the prefix, echoing the Correlation Data', async () => {
    const answers = await ask('v5-1', 'rtrn/client/ATT-001/inbox');
    expect(answers.map((g) => g.topic).sort()).toEqual([CONTRACT, 'rtrn/client/ATT-001/inbox']);
    for (const g of answers) {
      expect(g.correlation).toBe('cd-v5-1');
      expect(g.body).toMatchObject({
        correlation_id: 'v5-1',
        success: true,
        signals: ['CUSTOMER_IDENTIFIED'],
      });
    }
  });

  it.each([
    ['an event topic', `event/abs/payment/plan/${PLAN}/payment_received`, 'outside_prefix'],
    ['another app topic', 'app/ATT-001/inbox', 'outside_prefix'],
    ['the bare prefix', 'rtrn/client/', 'outside_prefix'],
  ])('a Response Topic naming %s is not published to, and is counted', async (_name, topic, reason) => {
    const before = await ignoredCount(reason);
    const id = `v5-${topic}`;
    const answers = await ask(id, topic);
    expect(answers.map((g) => g.topic)).toEqual([CONTRACT]);
    expect(got.some((g) => g.topic === topic)).toBe(false);
    expect(await ignoredCount(reason)).toBe(before + 1);
  });
});
