import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanTemplate } from '../../agents/shared/plan.types.js';
import { upsertTemplates } from '../../src/admin/admin.repo.js';
import { aKenyaPlan, batteries, ENERGY, KENYA, seed } from '../builders/plans.js';
import { startStation, type TestStation, waitForOutboxDrained } from '../harness/station.js';

const ROOT = resolve(import.meta.dirname, '../..');
const IMMEDIATE = 'kenya-credit-at-once';
const EXAMPLE = JSON.parse(readFileSync(resolve(ROOT, 'examples/complete-service.json'), 'utf8')) as Record<
  string,
  unknown
>;

/** The Kenya template, crediting money taken at the station at once (no wait for Odoo). */
function creditAtOnce(): PlanTemplate {
  const kenya = JSON.parse(readFileSync(resolve(ROOT, `templates/${KENYA}.json`), 'utf8')) as PlanTemplate;
  const completion = { ...kenya.agent_params.service_completion, require_payment_confirmation: false };
  return {
    ...kenya,
    template_id: IMMEDIATE,
    agent_params: { ...kenya.agent_params, service_completion: completion },
  };
}

/**
 * A template that credits station money at once: the payment counts when it is taken, so it is
 * announced once by payment_received (never by payment_collected), and Odoo's later word on the same
 * receipt publishes nothing more — unless it rejects it, which takes the credit back.
 */
describe('money credited at once at the counter (aedes + postgres)', () => {
  let station: TestStation;

  async function published(kind: string, receipt: string) {
    await waitForOutboxDrained(station);
    await new Promise((r) => setTimeout(r, 100));
    return station.requester.received.filter(
      (m) => m.topic.endsWith(`/${kind}`) && m.body.payment_receipt_id === receipt,
    );
  }
  const odoo = async (plan: string, body: Record<string, unknown>) => {
    const payload: Record<string, unknown> = {
      action: 'CONFIRM_PAYMENT',
      currency: 'USD',
      payment_method: 'MPESA',
      ...body,
    };
    const topic = `call/odoo/billing/plan/${plan}/confirm_payment`;
    return (await station.requester.request(topic, payload, payload.correlation_id as string)).body;
  };
  async function ledger(plan: string) {
    const energy = await station.db
      .selectFrom('service_states')
      .select(['used', 'quota'])
      .where('plan_id', '=', plan)
      .where('service_id', '=', ENERGY)
      .executeTakeFirstOrThrow();
    const payments = await station.db
      .selectFrom('payments')
      .select(['payment_id', 'status', 'credited', 'reversed'])
      .where('plan_id', '=', plan)
      .execute();
    return {
      energy: { used: Number(energy.used), quota: Number(energy.quota) },
      payments: payments.map((p) => ({ ...p, credited: Number(p.credited), reversed: Number(p.reversed) })),
    };
  }

  beforeAll(async () => {
    station = await startStation({ db: 'postgres', broker: 'aedes' });
    await upsertTemplates(station.db, [creditAtOnce()]);
    const plan = (id: string, asset: string) => ({
      ...aKenyaPlan((p) => {
        p.planId = id;
        p.customerId = `CUST-${id}`;
        p.currentAsset = asset;
      }),
      template_id: IMMEDIATE,
    });
    await seed(
      station.db,
      [plan('plan-now', 'BAT-12345'), plan('plan-now-2', 'BAT-N-1')],
      batteries(['BAT-67890']),
    );
  });
  afterAll(() => station?.close());

  it('the README example swap: one payment_received at once, no payment_collected; Odoo’s confirmation adds nothing', async () => {
    const done = await station.requester.call('plan-now', 'complete_service', EXAMPLE);
    expect(done.success).toBe(true);
    expect(done.signals).not.toContain('PAYMENT_PENDING_CONFIRMATION');
    expect((done.metadata as Record<string, unknown>).payment).toMatchObject({
      payment_receipt_id: 'PAY-78910',
      payment_type: 'TOP_UP',
      payment_type_source: 'template',
    });
    // 15 USD at 0.80 USD/kWh: 18.7 kWh credited (rounded down), the swap used 25.6 of 55.5 + 18.7.
    const credited = { energy: { used: 370.1, quota: 418.7 } };
    expect(await ledger('plan-now')).toEqual({
      ...credited,
      payments: [{ payment_id: 'PAY-78910', status: 'CONFIRMED', credited: 18.7, reversed: 0 }],
    });
    const received = await published('payment_received', 'PAY-78910');
    expect(received).toHaveLength(1);
    expect(received[0]!.body).toMatchObject({
      payment_data: { status: 'CONFIRMED', payment_type: 'TOP_UP' },
    });
    expect(await published('payment_collected', 'PAY-78910')).toHaveLength(0);

    const confirmed = await odoo('plan-now', {
      correlation_id: 'odoo-now-1',
      payment_receipt_id: 'PAY-78910',
      amount: 15,
      payment_type: 'TOP_UP',
    });
    expect(confirmed.signals).toEqual(['PAYMENT_ALREADY_CONFIRMED']);
    expect(await ledger('plan-now')).toMatchObject(credited);
    expect(await published('payment_received', 'PAY-78910')).toHaveLength(1);
  });

  it('Odoo rejects money the template credited at once: the credit is taken back, payment_rejected follows', async () => {
    const collected = await station.requester.call('plan-now-2', 'collect_payment', {
      action: 'COLLECT_PAYMENT',
      correlation_id: 'now-2-pay',
      payment_amount: 8,
      payment_method: 'CASH',
      payment_type: 'TOP_UP',
      payment_receipt_id: 'PAY-N2',
    });
    expect(collected.success).toBe(true);
    expect(await ledger('plan-now-2')).toEqual({
      energy: { used: 344.5, quota: 410 },
      payments: [{ payment_id: 'PAY-N2', status: 'CONFIRMED', credited: 10, reversed: 0 }],
    });
    expect(await published('payment_received', 'PAY-N2')).toHaveLength(1);

    const rejected = await odoo('plan-now-2', {
      correlation_id: 'odoo-now-2',
      payment_receipt_id: 'PAY-N2',
      amount: 8,
      payment_type: 'TOP_UP',
      payment_status: 'REJECTED',
    });
    expect(rejected.signals).toEqual(['PAYMENT_REJECTED', 'CREDIT_REVERSED']);
    expect(await ledger('plan-now-2')).toEqual({
      energy: { used: 344.5, quota: 400 },
      payments: [{ payment_id: 'PAY-N2', status: 'REJECTED', credited: 10, reversed: 10 }],
    });
    expect(await published('payment_rejected', 'PAY-N2')).toHaveLength(1);
    expect(await published('payment_received', 'PAY-N2')).toHaveLength(1);
    expect(await published('payment_collected', 'PAY-N2')).toHaveLength(0);
  });
});
