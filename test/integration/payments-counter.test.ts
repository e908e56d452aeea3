import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanTemplate } from '../../agents/shared/plan.types.js';
import { upsertTemplates } from '../../src/admin/admin.repo.js';
import { aKenyaPlan, batteries, ENERGY, KENYA, SWAPS, seed } from '../builders/plans.js';
import { startStation, type TestStation, waitForOutboxDrained } from '../harness/station.js';

/** The Kenya template, crediting station top-ups provisionally up to 20 USD (or `limit`). */
function provisionalTemplate(id: string, limit: number): PlanTemplate {
  const kenya = JSON.parse(
    readFileSync(resolve(import.meta.dirname, `../../templates/${KENYA}.json`), 'utf8'),
  ) as PlanTemplate;
  return {
    ...kenya,
    template_id: id,
    agent_params: {
      ...kenya.agent_params,
      service_completion: { ...kenya.agent_params.service_completion, provisional_credit_limit: limit },
    },
  };
}

/** The attendant app's COMPLETE_SERVICE as the README shows it (no payment_type; 25.6 kWh net). */
const EXAMPLE = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../examples/complete-service.json'), 'utf8'),
) as Record<string, unknown>;

/** The example request, with changes. */
function swapRequest(change: Record<string, unknown>): Record<string, unknown> {
  return { ...EXAMPLE, ...change };
}

interface Ledger {
  energy: { used: number; quota: number };
  swaps: { used: number; quota: number };
  payments: Record<string, unknown>[];
  batteries: Record<string, string | null>;
}

describe('money at the counter: events, top-ups, provisional credit (aedes + postgres)', () => {
  let station: TestStation;
  const call = (plan: string, op: string, body: Record<string, unknown>) =>
    station.requester.call(plan, op, body);
  const odoo = async (planId: string, body: Record<string, unknown>) => {
    const payload: Record<string, unknown> = {
      action: 'CONFIRM_PAYMENT',
      currency: 'USD',
      payment_method: 'MPESA',
      ...body,
    };
    const topic = `call/odoo/billing/plan/${planId}/confirm_payment`;
    return (await station.requester.request(topic, payload, payload.correlation_id as string)).body;
  };

  async function ledger(planId: string): Promise<Ledger> {
    const states = await station.db
      .selectFrom('service_states')
      .select(['service_id', 'used', 'quota'])
      .where('plan_id', '=', planId)
      .execute();
    const of = (id: string) => {
      const s = states.find((r) => r.service_id === id)!;
      return { used: Number(s.used), quota: Number(s.quota) };
    };
    const payments = await station.db
      .selectFrom('payments')
      .select([
        'payment_id',
        'status',
        'amount',
        'payment_type',
        'credited',
        'provisional_amount',
        'reversed',
        'unrecovered',
      ])
      .where('plan_id', '=', planId)
      .orderBy('payment_id')
      .execute();
    const assets = await station.db
      .selectFrom('assets')
      .select(['asset_id', 'holder_plan_id'])
      .where('holder_plan_id', '=', planId)
      .execute();
    return {
      energy: of(ENERGY),
      swaps: of(SWAPS),
      payments: payments.map((p) => ({
        payment_id: p.payment_id,
        status: p.status,
        amount: Number(p.amount),
        payment_type: p.payment_type,
        credited: Number(p.credited),
        provisional_amount: Number(p.provisional_amount),
        reversed: Number(p.reversed),
        unrecovered: Number(p.unrecovered),
      })),
      batteries: Object.fromEntries(assets.map((a) => [a.asset_id, a.holder_plan_id])),
    };
  }

  /** Every event of that kind published for the receipt, once the outbox is drained. */
  async function published(kind: string, receipt: string) {
    await waitForOutboxDrained(station);
    await new Promise((r) => setTimeout(r, 100));
    return station.requester.received.filter(
      (m) => m.topic.endsWith(`/${kind}`) && m.body.payment_receipt_id === receipt,
    );
  }

  const payment = (id: string, fields: Record<string, unknown>) => ({
    payment_id: id,
    payment_type: 'TOP_UP',
    credited: 0,
    provisional_amount: 0,
    reversed: 0,
    unrecovered: 0,
    ...fields,
  });

  beforeAll(async () => {
    station = await startStation({ db: 'postgres', broker: 'aedes' });
    await upsertTemplates(station.db, [
      provisionalTemplate('kenya-provisional-20', 20),
      provisionalTemplate('kenya-provisional-10', 10),
    ]);
    const plan = (id: string, used: number, asset: string, template = KENYA) => {
      const p = aKenyaPlan((s) => {
        s.planId = id;
        s.customerId = `CUST-${id}`;
        s.electricityUsed = used;
        s.currentAsset = asset;
      });
      return { ...p, template_id: template };
    };
    await seed(
      station.db,
      [
        aKenyaPlan(),
        plan('plan-wait', 390, 'BAT-W-1'),
        plan('plan-chk', 390, 'BAT-C-1'),
        plan('plan-prov', 390, 'BAT-P-1', 'kenya-provisional-20'),
        plan('plan-prov2', 380, 'BAT-Q-1', 'kenya-provisional-10'),
        plan('plan-fee', 100, 'BAT-F-1'),
      ],
      batteries(['BAT-67890', 'BAT-W-OUT', 'BAT-C-OUT', 'BAT-P-OUT', 'BAT-Q-OUT', 'BAT-F-OUT']),
    );
  });
  afterAll(() => station?.close());

  it('a station payment then Odoo’s confirmation: one payment_collected, then one payment_received, same receipt', async () => {
    const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';
    const done = await call(PLAN, 'complete_service', swapRequest({}));
    expect(done.signals).toEqual(['SERVICE_COMPLETED_SUCCESS', 'PAYMENT_PENDING_CONFIRMATION']);
    expect((done.metadata as Record<string, unknown>).payment).toEqual({
      payment_receipt_id: 'PAY-78910',
      payment_type: 'TOP_UP',
      payment_type_source: 'template',
      payment_status: 'PENDING_CONFIRMATION',
    });
    expect(await published('payment_received', 'PAY-78910')).toHaveLength(0);
    const collected = await published('payment_collected', 'PAY-78910');
    expect(collected).toHaveLength(1);
    expect(collected[0]!.body).toMatchObject({
      event_type: 'PAYMENT_COLLECTED',
      payment_data: { amount: 15, payment_type: 'TOP_UP', status: 'PENDING_CONFIRMATION' },
      provisional_credit: null,
    });
    expect((await ledger(PLAN)).energy).toEqual({ used: 370.1, quota: 400 });

    const confirmed = await odoo(PLAN, {
      correlation_id: 'odoo-1',
      payment_receipt_id: 'PAY-78910',
      amount: 15,
      payment_type: 'TOP_UP',
    });
    expect(confirmed.signals).toEqual(['PAYMENT_CONFIRMED', 'QUOTA_TOPPED_UP']);
    expect((await ledger(PLAN)).energy).toEqual({ used: 370.1, quota: 418.7 });
    const received = await published('payment_received', 'PAY-78910');
    expect(received).toHaveLength(1);
    expect(received[0]!.body).toMatchObject({
      payment_data: { status: 'CONFIRMED', payment_type: 'TOP_UP', amount: 15 },
      credit: { service_id: ENERGY, credited_now: 18.7, credited_total: 18.7 },
    });
    expect(received[0]!.body.event_id).not.toBe(collected[0]!.body.event_id);
    // Odoo retries: answered again, nothing published or credited twice.
    const again = await odoo(PLAN, {
      correlation_id: 'odoo-1-retry',
      payment_receipt_id: 'PAY-78910',
      amount: 15,
      payment_type: 'TOP_UP',
    });
    expect(again.replayed).toBe(true);
    expect(await published('payment_received', 'PAY-78910')).toHaveLength(1);
    expect(await published('payment_collected', 'PAY-78910')).toHaveLength(1);
    expect((await ledger(PLAN)).payments).toEqual([
      payment('PAY-78910', { status: 'CONFIRMED', amount: 15, credited: 18.7 }),
    ]);
  });

  it('waits for Odoo: exhausted + station top-up is recorded PENDING, refused, then goes through after the confirmation', async () => {
    const swap = { incoming_battery_id: 'BAT-W-1', outgoing_battery_id: 'BAT-W-OUT', payment_amount: 12.48 };
    const before = await ledger('plan-wait');
    const first = await call(
      'plan-wait',
      'complete_service',
      swapRequest({ ...swap, payment_receipt_id: 'PAY-W1', correlation_id: 'w-1' }),
    );
    expect(first.success).toBe(false);
    expect(first.signals).toEqual([
      'SERVICE_COMPLETION_FAILED',
      'QUOTA_EXHAUSTED',
      'PAYMENT_PENDING_CONFIRMATION',
    ]);
    expect((first.error as Record<string, unknown>).code).toBe('PAYMENT_PENDING_CONFIRMATION');
    expect((first.metadata as Record<string, Record<string, unknown>>).topup_required).toMatchObject({
      amount_kwh: 15.6,
      estimated_cost: 12.48,
    });
    // Only the money taken is kept: no usage, no battery moved.
    const pending = payment('PAY-W1', { status: 'PENDING', amount: 12.48 });
    expect(await ledger('plan-wait')).toEqual({ ...before, payments: [pending] });

    // The attendant tries again before Odoo has confirmed: the same answer, nothing recorded twice.
    const early = await call(
      'plan-wait',
      'complete_service',
      swapRequest({ ...swap, payment_receipt_id: 'PAY-W1', correlation_id: 'w-2' }),
    );
    expect(early.signals).toEqual([
      'SERVICE_COMPLETION_FAILED',
      'QUOTA_EXHAUSTED',
      'PAYMENT_PENDING_CONFIRMATION',
    ]);
    expect(await ledger('plan-wait')).toEqual({ ...before, payments: [pending] });
    expect(await published('payment_collected', 'PAY-W1')).toHaveLength(1);

    const confirmed = await odoo('plan-wait', {
      correlation_id: 'odoo-w1',
      payment_receipt_id: 'PAY-W1',
      amount: 12.48,
      payment_type: 'TOP_UP',
    });
    expect(confirmed.metadata).toMatchObject({
      quota_before: 400,
      quota_after: 415.6,
      credited: 15.6,
      confirmed_pending_collection: true,
    });
    expect(await ledger('plan-wait')).toEqual({
      ...before,
      energy: { used: 390, quota: 415.6 },
      payments: [{ ...pending, status: 'CONFIRMED', credited: 15.6 }],
    });

    const retry = await call(
      'plan-wait',
      'complete_service',
      swapRequest({ ...swap, payment_receipt_id: 'PAY-W1', correlation_id: 'w-3' }),
    );
    expect(retry.signals).toEqual(['SERVICE_COMPLETED_SUCCESS']);
    expect((retry.metadata as Record<string, Record<string, unknown>>).payment).toMatchObject({
      payment_status: 'CONFIRMED',
    });
    expect(await ledger('plan-wait')).toEqual({
      energy: { used: 415.6, quota: 415.6 },
      swaps: { used: 7, quota: 10 },
      payments: [{ ...pending, status: 'CONFIRMED', credited: 15.6 }],
      batteries: { 'BAT-W-OUT': 'plan-wait' },
    });
    expect(await published('payment_received', 'PAY-W1')).toHaveLength(1);
    expect(await published('payment_collected', 'PAY-W1')).toHaveLength(1);
  });

  it('EQUIPMENT_CHECKOUT on an exhausted plan with a collected top-up awaiting Odoo says so and changes nothing', async () => {
    const collected = await call('plan-chk', 'collect_payment', {
      action: 'COLLECT_PAYMENT',
      correlation_id: 'chk-pay',
      payment_amount: 12.48,
      payment_method: 'CASH',
      payment_type: 'TOP_UP',
      payment_receipt_id: 'PAY-C1',
    });
    expect(collected.signals).toEqual(['PAYMENT_RECORDED', 'PAYMENT_PENDING_CONFIRMATION']);
    const before = await ledger('plan-chk');
    const checkout = {
      action: 'EQUIPMENT_CHECKOUT',
      incoming_equipment_id: 'BAT-C-1',
      incoming_kwh: 4.8,
      replacement_equipment_id: 'BAT-C-OUT',
      outgoing_kwh: 30.4,
    };
    const refused = await call('plan-chk', 'equipment_checkout', { ...checkout, correlation_id: 'chk-1' });
    expect(refused.signals).toEqual(['QUOTA_EXHAUSTED', 'PAYMENT_PENDING_CONFIRMATION']);
    expect((refused.error as Record<string, unknown>).code).toBe('PAYMENT_PENDING_CONFIRMATION');
    expect((refused.metadata as Record<string, unknown>).pending_payments).toEqual([
      expect.objectContaining({ payment_receipt_id: 'PAY-C1', amount: 12.48, provisional_credit: 0 }),
    ]);
    expect(await ledger('plan-chk')).toEqual(before);
    await odoo('plan-chk', {
      correlation_id: 'odoo-c1',
      payment_receipt_id: 'PAY-C1',
      amount: 12.48,
      payment_type: 'TOP_UP',
    });
    const through = await call('plan-chk', 'equipment_checkout', { ...checkout, correlation_id: 'chk-2' });
    expect(through.signals).toEqual(['QUOTA_AVAILABLE', 'EQUIPMENT_CHECKOUT_SUCCESS']);
    expect((await ledger('plan-chk')).energy).toEqual({ used: 415.6, quota: 415.6 });
  });

  it('provisional credit: the swap goes through at once, and Odoo’s rejection reverses what is unused', async () => {
    const before = await ledger('plan-prov');
    expect(before.energy).toEqual({ used: 390, quota: 400 });
    const done = await call(
      'plan-prov',
      'complete_service',
      swapRequest({
        incoming_battery_id: 'BAT-P-1',
        outgoing_battery_id: 'BAT-P-OUT',
        payment_receipt_id: 'PAY-P1',
        correlation_id: 'p-1',
      }),
    );
    expect(done.signals).toEqual([
      'SERVICE_COMPLETED_SUCCESS',
      'PAYMENT_PENDING_CONFIRMATION',
      'PROVISIONAL_CREDIT_APPLIED',
    ]);
    expect((done.metadata as Record<string, unknown>).provisional_credit).toMatchObject({
      service_id: ENERGY,
      quota_before: 400,
      quota_after: 418.7,
      credited: 18.7,
      provisional_amount: 15,
    });
    // 15 USD at 0.80 USD/kWh is 18.75 kWh, rounded down; the swap used 25.6 kWh of it and the 10 left.
    expect(await ledger('plan-prov')).toEqual({
      energy: { used: 415.6, quota: 418.7 },
      swaps: { used: 7, quota: 10 },
      payments: [
        payment('PAY-P1', { status: 'PENDING', amount: 15, credited: 18.7, provisional_amount: 15 }),
      ],
      batteries: { 'BAT-P-OUT': 'plan-prov' },
    });
    const collected = await published('payment_collected', 'PAY-P1');
    expect(collected).toHaveLength(1);
    expect(collected[0]!.body.provisional_credit).toEqual({
      service_id: ENERGY,
      unit: 'kWh',
      credited_now: 18.7,
      credited_total: 18.7,
      amount: 15,
    });

    const rejected = await odoo('plan-prov', {
      correlation_id: 'odoo-p1',
      payment_receipt_id: 'PAY-P1',
      amount: 15,
      payment_type: 'TOP_UP',
      payment_status: 'REJECTED',
    });
    expect(rejected.signals).toEqual(['PAYMENT_REJECTED', 'CREDIT_REVERSED', 'CREDIT_UNRECOVERED']);
    expect((rejected.metadata as Record<string, unknown>).reversal).toEqual({
      service_id: ENERGY,
      unit: 'kWh',
      credited: 18.7,
      reversed: 3.1,
      unrecovered: 15.6,
    });
    expect(await ledger('plan-prov')).toEqual({
      energy: { used: 415.6, quota: 415.6 },
      swaps: { used: 7, quota: 10 },
      payments: [
        payment('PAY-P1', {
          status: 'REJECTED',
          amount: 15,
          credited: 18.7,
          provisional_amount: 15,
          reversed: 3.1,
          unrecovered: 15.6,
        }),
      ],
      batteries: { 'BAT-P-OUT': 'plan-prov' },
    });
    expect(await published('payment_received', 'PAY-P1')).toHaveLength(0);
    expect(await published('payment_rejected', 'PAY-P1')).toHaveLength(1);

    const who = await call('plan-prov', 'identify_customer', {
      action: 'IDENTIFY_CUSTOMER',
      correlation_id: 'p-who',
    });
    expect(who.signals).toEqual(['CUSTOMER_IDENTIFIED', 'PAYMENT_REJECTED', 'CREDIT_UNRECOVERED']);
    expect((who.metadata as Record<string, Record<string, unknown>>).payments).toEqual({
      pending: [],
      rejected: [
        expect.objectContaining({
          payment_receipt_id: 'PAY-P1',
          amount: 15,
          credited: 18.7,
          reversed: 3.1,
          unrecovered: 15.6,
        }),
      ],
    });
    // A late confirmation of a rejected receipt is refused: Odoo's decision on a receipt is final.
    const late = await odoo('plan-prov', {
      correlation_id: 'odoo-p1-late',
      payment_receipt_id: 'PAY-P1',
      amount: 15,
      payment_type: 'TOP_UP',
    });
    expect(late.signals).toEqual(['IDEMPOTENCY_CONFLICT']);
  });

  it('provisional credit within the limit, then Odoo confirms: the rest is credited, the limit counts what is outstanding', async () => {
    const done = await call(
      'plan-prov2',
      'complete_service',
      swapRequest({
        incoming_battery_id: 'BAT-Q-1',
        outgoing_battery_id: 'BAT-Q-OUT',
        payment_receipt_id: 'PAY-Q1',
        correlation_id: 'q-1',
      }),
    );
    expect(done.signals).toEqual([
      'SERVICE_COMPLETED_SUCCESS',
      'PAYMENT_PENDING_CONFIRMATION',
      'PROVISIONAL_CREDIT_APPLIED',
    ]);
    // Limit 10 USD of the 15 paid: 12.5 kWh at once.
    const q1 = payment('PAY-Q1', { status: 'PENDING', amount: 15, credited: 12.5, provisional_amount: 10 });
    expect(await ledger('plan-prov2')).toMatchObject({
      energy: { used: 405.6, quota: 412.5 },
      payments: [q1],
    });

    // A second top-up while the first is unconfirmed: the limit is used up, nothing provisional.
    const more = await call('plan-prov2', 'collect_payment', {
      action: 'COLLECT_PAYMENT',
      correlation_id: 'q-2',
      payment_amount: 5,
      payment_method: 'CASH',
      payment_type: 'TOP_UP',
      payment_receipt_id: 'PAY-Q2',
    });
    expect(more.signals).toEqual(['PAYMENT_RECORDED', 'PAYMENT_PENDING_CONFIRMATION']);
    const q2 = payment('PAY-Q2', { status: 'PENDING', amount: 5 });
    expect(await ledger('plan-prov2')).toMatchObject({
      energy: { used: 405.6, quota: 412.5 },
      payments: [q1, q2],
    });

    const confirmed = await odoo('plan-prov2', {
      correlation_id: 'odoo-q1',
      payment_receipt_id: 'PAY-Q1',
      amount: 15,
      payment_type: 'TOP_UP',
    });
    expect(confirmed.metadata).toMatchObject({ credited: 6.2, provisionally_credited_before: 12.5 });
    const q1done = { ...q1, status: 'CONFIRMED', credited: 18.7 };
    expect(await ledger('plan-prov2')).toMatchObject({
      energy: { used: 405.6, quota: 418.7 },
      payments: [q1done, q2],
    });
    const received = await published('payment_received', 'PAY-Q1');
    expect(received).toHaveLength(1);
    expect(received[0]!.body.credit).toEqual({
      service_id: ENERGY,
      unit: 'kWh',
      credited_now: 6.2,
      credited_total: 18.7,
    });

    await odoo('plan-prov2', {
      correlation_id: 'odoo-q2',
      payment_receipt_id: 'PAY-Q2',
      amount: 5,
      payment_type: 'TOP_UP',
    });
    expect(await ledger('plan-prov2')).toMatchObject({
      energy: { used: 405.6, quota: 424.9 },
      payments: [q1done, { ...q2, status: 'CONFIRMED', credited: 6.2 }],
    });
  });

  it('SWAP_FEE credits nothing; the type applied is named in the answer and the events', async () => {
    const done = await call(
      'plan-fee',
      'complete_service',
      swapRequest({
        incoming_battery_id: 'BAT-F-1',
        outgoing_battery_id: 'BAT-F-OUT',
        payment_amount: 2,
        payment_type: 'SWAP_FEE',
        payment_receipt_id: 'PAY-F1',
        correlation_id: 'f-1',
      }),
    );
    expect(done.signals).toEqual(['SERVICE_COMPLETED_SUCCESS', 'PAYMENT_PENDING_CONFIRMATION']);
    expect((done.metadata as Record<string, unknown>).payment).toEqual({
      payment_receipt_id: 'PAY-F1',
      payment_type: 'SWAP_FEE',
      payment_type_source: 'request',
      payment_status: 'PENDING_CONFIRMATION',
    });
    const confirmed = await odoo('plan-fee', {
      correlation_id: 'odoo-f1',
      payment_receipt_id: 'PAY-F1',
      amount: 2,
      payment_type: 'SWAP_FEE',
    });
    expect(confirmed.signals).toEqual(['PAYMENT_CONFIRMED']);
    expect(confirmed.fsmInputs).toEqual([]);
    expect(await ledger('plan-fee')).toMatchObject({
      energy: { used: 125.6, quota: 400 },
      payments: [payment('PAY-F1', { status: 'CONFIRMED', amount: 2, payment_type: 'SWAP_FEE' })],
    });
    const received = await published('payment_received', 'PAY-F1');
    expect(received).toHaveLength(1);
    expect(received[0]!.body).toMatchObject({ payment_data: { payment_type: 'SWAP_FEE' }, credit: null });
    // The same receipt cannot be collected again for another plan.
    const elsewhere = await call('plan-wait', 'collect_payment', {
      action: 'COLLECT_PAYMENT',
      correlation_id: 'f-elsewhere',
      payment_amount: 2,
      payment_method: 'CASH',
      payment_type: 'TOP_UP',
      payment_receipt_id: 'PAY-F1',
    });
    expect(elsewhere).toMatchObject({ success: false, signals: ['PAYMENT_PLAN_MISMATCH'] });
  });
});
