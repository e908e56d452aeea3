import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { aKenyaPlan, batteries, seed, seedCheckout } from '../builders/plans.js';
import { snapshot } from '../harness/db-snapshot.js';
import { startStation, type TestStation, waitForOutboxDrained } from '../harness/station.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';
const OTHER = 'plan-other';
const topicOf = (plan: string, op: string) => `call/uxi/attendant/plan/${plan}/${op}`;
const odooTopic = (plan: string) => `call/odoo/billing/plan/${plan}/confirm_payment`;

interface Answer {
  success: boolean;
  signals: string[];
  metadata: Record<string, unknown>;
  error?: { code: string; message: string; details: { path: string; message: string }[] };
}

/** Requests crafted to break swapd from outside: each gets one clear answer and changes nothing it should not. */
describe('hostile input (aedes + postgres)', () => {
  let station: TestStation;
  let before: Record<string, unknown[]>;

  beforeAll(async () => {
    station = await startStation({ db: 'postgres', broker: 'aedes' });
    await seed(
      station.db,
      [
        aKenyaPlan(),
        aKenyaPlan((p) => {
          p.planId = OTHER;
          p.customerId = 'CUST-OTHER';
          p.currentAsset = null;
        }),
      ],
      batteries(['BAT-67890']),
    );
  });
  afterAll(() => station?.close());

  beforeEach(async () => {
    await waitForOutboxDrained(station);
    before = await snapshot(station.db);
  });

  const send = async (topic: string, payload: string | Record<string, unknown>, id: string | null) =>
    (await station.requester.request(topic, payload, id)).body as unknown as Answer;
  const confirm = (plan: string, body: Record<string, unknown>) =>
    send(
      odooTopic(plan),
      {
        action: 'CONFIRM_PAYMENT',
        currency: 'USD',
        payment_method: 'MPESA',
        payment_type: 'TOP_UP',
        ...body,
      },
      body.correlation_id as string,
    );
  const expectUnchanged = async () => expect(await snapshot(station.db)).toEqual(before);

  it('REPORT_ATTENDANT_ACTIVITY with details nested 4,000 levels deep: one SCHEMA_VIOLATION answer', async () => {
    const payload = `{"action":"REPORT_ATTENDANT_ACTIVITY","correlation_id":"deep-1","activity_type":"NOTE","details":${'{"d":'.repeat(4000)}1${'}'.repeat(4000)}}`;
    const answer = await send(topicOf(PLAN, 'report_attendant_activity'), payload, 'deep-1');
    expect(answer.error?.code).toBe('SCHEMA_VIOLATION');
    expect(answer.error?.details[0]).toMatchObject({ path: '/details' });
    await expectUnchanged();
  });

  it.each([
    [
      'NUL in correlation_id',
      'equipment_checkout',
      seedCheckout('nul\u0000id'),
      'nul\u0000id',
      '/correlation_id',
    ],
    [
      'NUL in attendant_id',
      'equipment_checkout',
      seedCheckout('nul-att', { attendant_id: 'ATT\u0000' }),
      'nul-att',
      '/attendant_id',
    ],
    [
      'a lone surrogate in attendant_id',
      'equipment_checkout',
      seedCheckout('sur-att', { attendant_id: 'ATT\ud800' }),
      'sur-att',
      '/attendant_id',
    ],
    [
      'a lone surrogate in correlation_id',
      'identify_customer',
      { action: 'IDENTIFY_CUSTOMER', correlation_id: 'x\udfff' },
      'x\udfff',
      '/correlation_id',
    ],
  ])('%s → SCHEMA_VIOLATION, not an internal error', async (_name, op, body, id, path) => {
    const answer = await send(topicOf(PLAN, op), body, id);
    expect(answer.signals).toEqual(['VALIDATION_FAILED']);
    expect(answer.error?.code).toBe('SCHEMA_VIOLATION');
    expect(answer.error?.details.map((d) => d.path)).toContain(path);
    await expectUnchanged();
  });

  it('NUL in payment_receipt_id → SCHEMA_VIOLATION', async () => {
    const answer = await confirm(PLAN, {
      correlation_id: 'odoo-nul',
      payment_receipt_id: 'R\u0000',
      amount: 5,
    });
    expect(answer.error?.code).toBe('SCHEMA_VIOLATION');
    expect(answer.error?.details.map((d) => d.path)).toContain('/payment_receipt_id');
    await expectUnchanged();
  });

  it("another plan's use of a correlation_id does not block this plan's request", async () => {
    const squat = await send(
      topicOf(OTHER, 'identify_customer'),
      { action: 'IDENTIFY_CUSTOMER', correlation_id: 'shared-1' },
      'shared-1',
    );
    expect(squat.success).toBe(true);
    const squatCheckout = await send(
      topicOf(OTHER, 'report_attendant_activity'),
      { action: 'REPORT_ATTENDANT_ACTIVITY', correlation_id: 'shared-2', activity_type: 'NOTE' },
      'shared-2',
    );
    expect(squatCheckout.success).toBe(true);
    const real = await send(topicOf(PLAN, 'equipment_checkout'), seedCheckout('shared-1'), 'shared-1');
    expect(real.signals).toEqual(['QUOTA_AVAILABLE', 'EQUIPMENT_CHECKOUT_SUCCESS']);
    // The same plan, another operation: its own key as well.
    const sameId = await send(
      topicOf(PLAN, 'identify_customer'),
      { action: 'IDENTIFY_CUSTOMER', correlation_id: 'shared-1' },
      'shared-1',
    );
    expect(sameId.success).toBe(true);
    expect(sameId.signals).not.toContain('IDEMPOTENT_OPERATION_DETECTED');
    // And the same plan and operation is still the replay it always was.
    const replay = await send(topicOf(PLAN, 'equipment_checkout'), seedCheckout('shared-1'), 'shared-1');
    expect(replay.signals).toContain('IDEMPOTENT_OPERATION_DETECTED');
  });

  it("Odoo's payment_receipt_id stays one key across all plans", async () => {
    const first = await confirm(OTHER, {
      correlation_id: 'odoo-g1',
      payment_receipt_id: 'RCPT-GLOBAL',
      amount: 8,
    });
    expect(first.success).toBe(true);
    const second = await confirm(PLAN, {
      correlation_id: 'odoo-g2',
      payment_receipt_id: 'RCPT-GLOBAL',
      amount: 8,
    });
    expect(second.signals).toEqual(['IDEMPOTENCY_CONFLICT']);
    // The refusal names the key that clashed: the receipt, not the (fresh) correlation_id.
    expect(second.error?.message).toBe(
      'payment_receipt_id RCPT-GLOBAL was used before with a different request',
    );
  });

  it.each([
    ['0', '0'],
    ['-0', '-0'],
    ['1e-300', '1e-300'],
    ['0.001 (below a cent)', '0.001'],
  ])('a TOP_UP of %s is refused, nothing credited', async (_name, amount) => {
    const id = `odoo-amount-${amount}`;
    const payload = `{"action":"CONFIRM_PAYMENT","correlation_id":"${id}","payment_receipt_id":"R-${id}","amount":${amount},"currency":"USD","payment_method":"MPESA","payment_type":"TOP_UP"}`;
    const answer = await send(odooTopic(PLAN), payload, id);
    expect(answer.success).toBe(false);
    expect(answer.signals).toEqual(['VALIDATION_FAILED']);
    expect(['SCHEMA_VIOLATION', 'INVALID_VALUE']).toContain(answer.error?.code);
    await expectUnchanged();
  });

  it.each([
    ['99999999.99999999', 100000000, 125000000],
    ['0.799', 0.8, 1],
  ])(
    'a TOP_UP of %s is reported and credited from one rounded amount',
    async (amount, reported, credited) => {
      const id = `odoo-round-${amount}`;
      const payload = `{"action":"CONFIRM_PAYMENT","correlation_id":"${id}","payment_receipt_id":"R-${id}","amount":${amount},"currency":"USD","payment_method":"MPESA","payment_type":"TOP_UP"}`;
      const answer = await send(odooTopic(OTHER), payload, id);
      expect(answer.success).toBe(true);
      expect(answer.metadata.amount).toBe(reported);
      expect(answer.metadata.credited).toBe(credited);
      expect(answer.metadata.credited).toBe(Math.floor((reported / 0.8) * 10) / 10);
      const stored = await station.db
        .selectFrom('payments')
        .select('amount')
        .where('payment_id', '=', `R-${id}`)
        .executeTakeFirstOrThrow();
      expect(Number(stored.amount)).toBe(reported);
    },
  );
});
