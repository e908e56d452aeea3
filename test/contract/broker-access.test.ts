import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerUser } from '../../bench/infra.js';
import { signRequest } from '../../src/access/odoo-signature.js';
import { aKenyaPlan, seed } from '../builders/plans.js';
import { snapshot } from '../harness/db-snapshot.js';
import { type BrokerKind, startStation, TEST_ODOO_SECRET, type TestStation } from '../harness/station.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';
const SITE = 'SITE-KE-001';
const pw = 'contract-test-password';
const EXTRA: BrokerUser[] = [
  { username: 'att-b', password: pw, role: 'attendant' },
  { username: 'station-1', password: pw, role: 'station', site: SITE },
  { username: 'grafana', password: pw, role: 'monitor' },
  { username: 'operator', password: pw, role: 'ops' },
];

const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));

interface Watcher {
  client: MqttClient;
  topics: Set<string>;
  granted: number[];
}

const open: MqttClient[] = [];

/** Ends a client without waiting on a broker that may have closed the connection already. */
async function end(client: MqttClient): Promise<void> {
  await Promise.race([client.endAsync(true), settle(1000)]);
}

/**
 * A client of one user that records the topics it receives (duplicates from overlapping filters fold)
 * and the SUBACK code of each filter (128: refused).
 */
async function watch(url: string, clientId: string, filters: string[]): Promise<Watcher> {
  const client = await mqtt.connectAsync(url, { clientId, reconnectPeriod: 0 });
  open.push(client);
  client.on('error', () => {});
  const topics = new Set<string>();
  client.on('message', (topic) => topics.add(topic));
  const granted: number[] = [];
  for (const filter of filters) {
    granted.push(
      await client.subscribeAsync(filter, { qos: 0 }).then(
        (g) => g[0]?.qos ?? 128,
        () => 128,
      ),
    );
  }
  return { client, topics, granted };
}

/** A body for a forged message: an event carries its type (the observer validates what it sees). */
const forged = (topic: string) =>
  topic.startsWith('event/') ? JSON.stringify({ event_type: 'SERVICE_COMPLETED' }) : '{}';

/** Publishes once from a fresh connection (a refused publish may cost the connection) and lets it land. */
async function publishAs(url: string, topic: string, payload: string, clientId?: string): Promise<void> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...(clientId ? { clientId } : {}) });
  client.on('error', () => {});
  client.publish(topic, payload, { qos: 0 });
  await settle(150);
  await end(client);
}

async function refusedConnect(url: string): Promise<boolean> {
  try {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 3000 });
    await end(client);
    return false;
  } catch {
    return true;
  }
}

const request = (action: string, id: string) => JSON.stringify({ action, correlation_id: id });
const topUp = (id: string) => {
  const body = {
    action: 'CONFIRM_PAYMENT',
    correlation_id: id,
    payment_receipt_id: `R-${id}`,
    amount: 80,
    currency: 'USD',
    payment_method: 'MPESA',
    payment_type: 'TOP_UP',
    signed_at: new Date().toISOString(),
  };
  return JSON.stringify({ ...body, signature: signRequest(TEST_ODOO_SECRET, body) });
};

/** What each role must not publish: none of these may reach a subscriber or change the database. */
const FORBIDDEN_PUBLISH: Record<string, [string, string][]> = {
  'attendant-001': [
    [`call/odoo/billing/plan/${PLAN}/confirm_payment`, topUp('free-top-up')],
    [`rtrn/abs/attendant/plan/${PLAN}/identify_customer_response`, '{}'],
    [`echo/abs/attendant/plan/${PLAN}/identify_customer_response`, '{}'],
    [`event/abs/service/plan/${PLAN}/service_completed`, '{}'],
    [`bessai/${SITE}/safety_event`, '{}'],
    [`bessai/${SITE}/telemetry`, '{}'],
    ['rtrn/client/attendant-A/inbox', '{}'],
    [`call/ops/plan/${PLAN}/suspend_plan`, request('SUSPEND_PLAN', 'att-suspend')],
  ],
  odoo: [
    [`call/uxi/attendant/plan/${PLAN}/equipment_checkout`, request('EQUIPMENT_CHECKOUT', 'odoo-x')],
    [`call/odoo/billing/plan/${PLAN}/collect_payment`, request('COLLECT_PAYMENT', 'odoo-y')],
    [`event/abs/payment/plan/${PLAN}/payment_received`, '{}'],
    [`rtrn/abs/billing/plan/${PLAN}/confirm_payment_response`, '{}'],
    [`call/ops/plan/${PLAN}/close_plan`, request('CLOSE_PLAN', 'odoo-close')],
  ],
  'station-1': [
    [`bessai/${SITE}/safety_event`, '{}'],
    ['bessai/SITE-KE-002/telemetry', '{}'],
    [`call/uxi/attendant/plan/${PLAN}/identify_customer`, request('IDENTIFY_CUSTOMER', 'st-x')],
    [`event/abs/service/plan/${PLAN}/service_completed`, '{}'],
    [`call/ops/plan/${PLAN}/suspend_plan`, request('SUSPEND_PLAN', 'st-suspend')],
  ],
  grafana: [
    [`call/uxi/attendant/plan/${PLAN}/identify_customer`, request('IDENTIFY_CUSTOMER', 'gr-x')],
    [`call/ops/plan/${PLAN}/suspend_plan`, request('SUSPEND_PLAN', 'gr-suspend')],
    [`event/abs/service/plan/${PLAN}/service_completed`, '{}'],
    [`bessai/${SITE}/telemetry`, '{}'],
  ],
  // An operator may act as an attendant and run lifecycle operations, never confirm a payment for Odoo.
  operator: [
    [`call/odoo/billing/plan/${PLAN}/confirm_payment`, topUp('ops-top-up')],
    [`bessai/${SITE}/telemetry`, '{}'],
    [`rtrn/abs/attendant/plan/${PLAN}/identify_customer_response`, '{}'],
  ],
  tester: [
    [`rtrn/abs/attendant/plan/${PLAN}/identify_customer_response`, '{}'],
    [`event/abs/service/plan/${PLAN}/service_completed`, '{}'],
    [`bessai/${SITE}/safety_event`, '{}'],
  ],
};

/** Messages swapd (the agent user) sends, and who may read each. */
const DELIVERIES: [string, string[]][] = [
  ['rtrn/client/attendant-A/r1', ['attendant-001']],
  ['rtrn/client/attendant-B/r1', ['att-b']],
  [`rtrn/abs/attendant/plan/${PLAN}/identify_customer_response`, ['attendant-001', 'att-b']],
  [`rtrn/abs/billing/plan/${PLAN}/confirm_payment_response`, ['odoo']],
  [`event/abs/service/plan/${PLAN}/service_completed`, ['odoo', 'grafana']],
  [`bessai/${SITE}/telemetry`, ['station-1', 'grafana']],
  ['bessai/SITE-KE-002/telemetry', ['grafana']],
];
/** user, client id, and the filters the role's app would use (besides greedy ones). */
const READERS: [string, string, string[]][] = [
  ['attendant-001', 'attendant-A', ['rtrn/abs/attendant/plan/+/+', 'rtrn/client/attendant-A/#']],
  ['att-b', 'attendant-B', ['rtrn/abs/attendant/plan/+/+', 'rtrn/client/attendant-B/#']],
  ['odoo', 'odoo-1', ['rtrn/abs/billing/plan/+/+', 'event/abs/#']],
  ['station-1', 'station-1', [`bessai/${SITE}/#`]],
  ['grafana', 'grafana-1', ['event/#', 'bessai/#']],
];
const GREEDY = ['#', '$SYS/#', 'rtrn/#', 'event/#', 'bessai/#', 'rtrn/client/+/#'];

describe.each<BrokerKind>(['aedes', 'mosquitto'])('broker users and ACLs (%s + postgres)', (broker) => {
  let station: TestStation;
  let observer: Watcher;

  beforeAll(async () => {
    station = await startStation({ db: 'postgres', broker, brokerAuth: true, extraUsers: EXTRA });
    await seed(station.db, [aKenyaPlan()], []);
    observer = await watch(station.urlFor('tester'), 'observer', ['#']);
  });
  afterAll(async () => {
    for (const client of open.splice(0)) await end(client);
    // This suite forges swapd's messages (as swapd's user) to test delivery; they are not swapd's answers.
    station?.requester.invalid.splice(0);
    await station?.close();
  });

  it('refuses anonymous clients, wrong passwords and unknown users', async () => {
    const plain = new URL(station.urlFor('tester'));
    const anonymous = `mqtt://${plain.host}`;
    expect(await refusedConnect(anonymous)).toBe(true);
    expect(await refusedConnect(`mqtt://tester:wrong@${plain.host}`)).toBe(true);
    expect(await refusedConnect(`mqtt://mallory:${pw}@${plain.host}`)).toBe(true);
    expect(await refusedConnect(station.urlFor('grafana'))).toBe(false);
  });

  it('lets each role do what it needs', async () => {
    const app = await watch(station.urlFor('attendant-001'), 'attendant-A', [
      `rtrn/abs/attendant/plan/${PLAN}/+`,
    ]);
    await app.client.publishAsync(
      `call/uxi/attendant/plan/${PLAN}/identify_customer`,
      request('IDENTIFY_CUSTOMER', 'att-ok'),
      { qos: 1 },
    );
    const odoo = await watch(station.urlFor('odoo'), 'odoo-1', ['rtrn/abs/billing/plan/+/+', 'event/abs/#']);
    await odoo.client.publishAsync(`call/odoo/billing/plan/${PLAN}/confirm_payment`, topUp('odoo-ok'), {
      qos: 1,
    });
    await publishAs(station.urlFor('station-1'), `bessai/${SITE}/telemetry`, '{}');
    // The operator's lifecycle topic (role ops): answered (the plan is active already, nothing changes).
    await publishAs(
      station.urlFor('tester'),
      `call/ops/plan/${PLAN}/resume_plan`,
      request('RESUME_PLAN', 'ops-ok'),
    );
    await settle(800);
    expect(app.topics).toContain(`rtrn/abs/attendant/plan/${PLAN}/identify_customer_response`);
    expect(odoo.topics).toContain(`rtrn/abs/billing/plan/${PLAN}/confirm_payment_response`);
    expect(odoo.topics).toContain(`event/abs/payment/plan/${PLAN}/payment_received`);
    expect(observer.topics).toContain(`bessai/${SITE}/telemetry`);
    expect(observer.topics).toContain(`rtrn/abs/ops/plan/${PLAN}/resume_plan_response`);
    await end(app.client);
    await end(odoo.client);
  });

  it('drops every publish a role may not make: nobody receives it and the database does not change', async () => {
    await settle(300);
    observer.topics.clear();
    const before = await snapshot(station.db);
    for (const [user, attempts] of Object.entries(FORBIDDEN_PUBLISH))
      for (const [topic, payload] of attempts)
        await publishAs(station.urlFor(user), topic, payload === '{}' ? forged(topic) : payload);
    await settle(600);
    expect([...observer.topics]).toEqual([]);
    expect(await snapshot(station.db)).toEqual(before);
  });

  it('delivers to each role only what it may read, whatever it subscribes to', async () => {
    const readers = new Map<string, Watcher>();
    for (const [user, clientId, own] of READERS)
      readers.set(user, await watch(station.urlFor(user), clientId, [...GREEDY, ...own]));
    for (const [topic] of DELIVERIES) await publishAs(station.urlFor('swapd'), topic, forged(topic));
    await settle(600);
    if (process.env.DEBUG_ACL)
      for (const [user, w] of readers) console.error(user, w.granted, w.client.connected, [...w.topics]);
    for (const [user] of READERS) {
      const expected = DELIVERIES.filter(([, who]) => who.includes(user))
        .map(([t]) => t)
        .sort();
      expect({ user, topics: [...(readers.get(user)?.topics ?? [])].sort() }).toEqual({
        user,
        topics: expected,
      });
    }
    if (broker === 'aedes') {
      // The embedded broker also refuses (SUBACK 0x80) a subscription wider than what may be read;
      // Mosquitto 2 grants it and filters every message at delivery, as checked above.
      expect(readers.get('grafana')?.granted).toEqual([128, 128, 128, 0, 0, 128, 0, 0]);
      expect(readers.get('attendant-001')?.granted).toEqual([128, 128, 128, 128, 128, 128, 0, 0]);
    }
    for (const w of readers.values()) await end(w.client);
  });

  it('an attendant reads only its own MQTT 5 Response Topic prefix', async () => {
    const mine = await watch(station.urlFor('attendant-001'), 'attendant-A', ['rtrn/client/attendant-A/#']);
    const theirs = await watch(station.urlFor('att-b'), 'attendant-B', ['rtrn/client/attendant-A/#']);
    await publishAs(station.urlFor('swapd'), 'rtrn/client/attendant-A/r2', '{}');
    await settle(400);
    expect([...mine.topics]).toEqual(['rtrn/client/attendant-A/r2']);
    expect([...theirs.topics]).toEqual([]);
    await end(mine.client);
    await end(theirs.client);
  });

  it('lets ops read $SYS and everything, and nobody else', async () => {
    const ops = await watch(station.urlFor('tester'), 'ops-1', ['#', '$SYS/#']);
    expect(ops.granted).toEqual([0, 0]);
    await end(ops.client);
  });
});
