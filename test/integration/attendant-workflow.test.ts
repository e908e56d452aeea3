import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aKenyaPlan, batteries, ENERGY, KENYA, SWAPS, seed } from '../builders/plans.js';
import { snapshot } from '../harness/db-snapshot.js';
import { startStation, type TestStation, waitForOutboxDrained } from '../harness/station.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';

/** The seed's COMPLETE_SERVICE example request. */
function seedCompleteService(planOverrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    action: 'COMPLETE_SERVICE',
    incoming_battery_id: 'BAT-12345',
    incoming_kwh: 4.8,
    outgoing_battery_id: 'BAT-67890',
    outgoing_kwh: 30.4,
    payment_occurred: true,
    payment_amount: 15.0,
    payment_receipt_id: 'PAY-78910',
    payment_method: 'MOBILE_MONEY',
    attendant_id: 'ATT-001',
    attendant_station: 'STATION_XYZ',
    transaction_timestamp: '2025-01-15T10:30:00Z',
    correlation_id: 'TXN-12345',
    ...planOverrides,
  };
}

function confirm(
  planId: string,
  body: Record<string, unknown>,
): { topic: string; body: Record<string, unknown> } {
  return {
    topic: `call/odoo/billing/plan/${planId}/confirm_payment`,
    body: { action: 'CONFIRM_PAYMENT', currency: 'USD', payment_method: 'MPESA', ...body },
  };
}

describe('the attendant workflow end to end (aedes + postgres)', () => {
  let station: TestStation;
  const call = (plan: string, op: string, body: Record<string, unknown>) =>
    station.requester.call(plan, op, body);
  const odoo = async (planId: string, body: Record<string, unknown>) => {
    const { topic, body: payload } = confirm(planId, body);
    return (await station.requester.request(topic, payload, payload.correlation_id as string)).body;
  };

  beforeAll(async () => {
    station = await startStation({ db: 'postgres', broker: 'aedes' });
    await seed(
      station.db,
      [
        aKenyaPlan(),
        aKenyaPlan((p) => {
          p.planId = 'plan-low';
          p.customerId = 'CUST-002';
          p.electricityUsed = 390;
          p.currentAsset = 'BAT-LOW-1';
        }),
        aKenyaPlan((p) => {
          p.planId = 'plan-new';
          p.customerId = 'CUST-003';
          p.swapsUsed = 0;
          p.electricityUsed = 0;
          p.currentAsset = null;
        }),
        aKenyaPlan((p) => {
          p.planId = 'plan-other';
          p.customerId = 'CUST-004';
          p.currentAsset = 'BAT-OTHER-1';
        }),
        aKenyaPlan((p) => {
          p.planId = 'plan-seq';
          p.customerId = 'CUST-005';
          p.currentAsset = 'BAT-SEQ-1';
        }),
      ],
      batteries(['BAT-67890', 'BAT-70000', 'BAT-70001', 'BAT-70002', 'BAT-70003', 'BAT-70004']),
    );
  });
  afterAll(() => station?.close());

  it('customer scan → battery return → new battery → COMPLETE_SERVICE gives the seed example numbers and receipt', async () => {
    const who = await call(PLAN, 'identify_customer', {
      action: 'IDENTIFY_CUSTOMER',
      correlation_id: 'wf-1',
    });
    const summary = who.metadata as Record<string, unknown>;
    expect(summary).toMatchObject({
      customer_id: 'CUST-001',
      template_id: KENYA,
      currency: 'USD',
      service_cycle: 'BATTERY_ISSUED',
      payment_cycle: 'CURRENT',
    });
    expect(summary.serviceStates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ service_id: ENERGY, used: 344.5, quota: 400, remaining: 55.5 }),
      ]),
    );

    const returned = await call(PLAN, 'identify_returned_equipment', {
      action: 'IDENTIFY_RETURNED_EQUIPMENT',
      correlation_id: 'wf-2',
      equipment_id: 'BAT-12345',
      kwh_remaining: 4.8,
    });
    expect(returned.signals).toEqual(['EQUIPMENT_BELONGS_TO_USER']);
    expect(returned.metadata).toMatchObject({
      ownership_verified: true,
      kwh_remaining: 4.8,
      kwh_source: 'app',
    });

    const outgoing = await call(PLAN, 'identify_outgoing_equipment', {
      action: 'IDENTIFY_OUTGOING_EQUIPMENT',
      correlation_id: 'wf-3',
      equipment_id: 'BAT-67890',
      soc_percent: 95,
      attendant_station: 'STATION_XYZ',
    });
    expect(outgoing.signals).toEqual(['EQUIPMENT_AVAILABLE']);
    expect(outgoing.metadata).toMatchObject({ kwh_remaining: 30.4, kwh_source: 'soc_conversion' });

    const done = await call(PLAN, 'complete_service', seedCompleteService());
    expect(done.success).toBe(true);
    expect(done.signals).toEqual(['SERVICE_COMPLETED_SUCCESS', 'PAYMENT_PENDING_CONFIRMATION']);
    const meta = done.metadata as Record<string, unknown>;
    expect(meta.transaction_id).toBe('TXN-12345');
    expect(meta.quota_updates).toEqual([
      { service_id: SWAPS, used_before: 6, used_after: 7, increment: 1 },
      { service_id: ENERGY, used_before: 344.5, used_after: 370.1, increment: 25.6 },
    ]);
    expect(meta.receipt).toEqual({
      transaction_id: 'TXN-12345',
      timestamp: '2025-01-15T10:30:00Z',
      customer_id: 'CUST-001',
      plan_id: PLAN,
      batteries_swapped: { returned: 'BAT-12345', issued: 'BAT-67890' },
      electricity_delivered_kwh: 25.6,
      payment: {
        amount: 15,
        receipt_id: 'PAY-78910',
        method: 'MOBILE_MONEY',
        payment_type: 'TOP_UP',
        status: 'PENDING_CONFIRMATION',
      },
      quotas_remaining: { swap_count: '3 of 10', electricity_fuel: '29.9 kWh of 400 kWh' },
    });
    const service = await station.requester.waitFor(
      (m) =>
        m.topic === `event/abs/service/plan/${PLAN}/service_completed` &&
        (m.body.service_data as Record<string, unknown>).source_action === 'COMPLETE_SERVICE',
    );
    // Money taken at the station awaits Odoo: announced as collected, not yet as received.
    const payment = await station.requester.waitFor(
      (m) => m.topic === `event/abs/payment/plan/${PLAN}/payment_collected`,
    );
    expect(service.body.event_id).not.toBe(payment.body.event_id);
    expect(payment.body).toMatchObject({
      event_type: 'PAYMENT_COLLECTED',
      payment_receipt_id: 'PAY-78910',
      plan_id: PLAN,
      customer_id: 'CUST-001',
      payment_data: {
        amount: 15,
        currency: 'USD',
        payment_method: 'MOBILE_MONEY',
        odoo_receipt_id: 'PAY-78910',
      },
      service_context: { transaction_id: 'TXN-12345', attendant_id: 'ATT-001' },
    });
    // Odoo confirms the attendant's collection later: recorded once, nothing credited twice.
    const confirmed = await odoo(PLAN, {
      correlation_id: 'odoo-wf-1',
      payment_receipt_id: 'PAY-78910',
      amount: 15,
      payment_type: 'TOP_UP',
      payment_method: 'MOBILE_MONEY',
    });
    expect(confirmed.signals).toEqual(['PAYMENT_CONFIRMED', 'QUOTA_TOPPED_UP']);
    const rows = await station.db
      .selectFrom('payments')
      .select(['payment_id', 'status'])
      .where('plan_id', '=', PLAN)
      .execute();
    expect(rows).toEqual([{ payment_id: 'PAY-78910', status: 'CONFIRMED' }]);
  });

  it('quota exhausted → Odoo payment → the swap goes through', async () => {
    const swap = {
      incoming_battery_id: 'BAT-LOW-1',
      outgoing_battery_id: 'BAT-70000',
      payment_occurred: false,
    };
    const refused = await call(
      'plan-low',
      'complete_service',
      seedCompleteService({ ...swap, correlation_id: 'low-1' }),
    );
    expect(refused.signals).toEqual(['SERVICE_COMPLETION_FAILED', 'QUOTA_EXHAUSTED']);
    const topup = (refused.metadata as Record<string, Record<string, unknown>>).topup_required;
    expect(topup).toMatchObject({ amount_kwh: 15.6, estimated_cost: 12.48, currency: 'USD' });

    const paid = await odoo('plan-low', {
      correlation_id: 'odoo-low-1',
      payment_receipt_id: 'ODOO-R-1',
      amount: 12.48,
      payment_type: 'TOP_UP',
    });
    expect(paid.success).toBe(true);
    expect(paid.metadata).toMatchObject({
      service_id: ENERGY,
      quota_before: 400,
      quota_after: 415.6,
      credited: 15.6,
    });
    expect(paid.fsmInputs).toEqual([
      { cycle: 'payment_cycle', input: 'PAYMENT_RECEIVED', params: { payment_type: 'TOP_UP' } },
    ]);

    const resumed = await call(
      'plan-low',
      'complete_service',
      seedCompleteService({ ...swap, correlation_id: 'low-2' }),
    );
    expect(resumed.signals).toEqual(['SERVICE_COMPLETED_SUCCESS']);
    const receipt = (resumed.metadata as Record<string, Record<string, unknown>>).receipt;
    expect(receipt!.quotas_remaining).toEqual({
      swap_count: '3 of 10',
      electricity_fuel: '0.0 kWh of 415.6 kWh',
    });
  });

  it('Odoo replays a confirmation: applied once, answered again', async () => {
    const body = {
      correlation_id: 'odoo-rep-1',
      payment_receipt_id: 'ODOO-R-2',
      amount: 8,
      payment_type: 'TOP_UP',
    };
    const first = await odoo('plan-other', body);
    const again = await odoo('plan-other', { ...body, correlation_id: 'odoo-rep-1-retry' });
    expect(first.metadata).toMatchObject({ quota_before: 400, quota_after: 410 });
    expect(again.replayed).toBe(true);
    expect(again.signals).toContain('IDEMPOTENT_OPERATION_DETECTED');
    const quota = await station.db
      .selectFrom('service_states')
      .select('quota')
      .where('plan_id', '=', 'plan-other')
      .where('service_id', '=', ENERGY)
      .executeTakeFirstOrThrow();
    expect(String(quota.quota)).toBe('410');
  });

  it('first visit: no returned battery, the whole outgoing charge is delivered', async () => {
    const res = await call(
      'plan-new',
      'complete_service',
      seedCompleteService({
        incoming_battery_id: null,
        incoming_kwh: null,
        outgoing_battery_id: 'BAT-70001',
        payment_occurred: false,
        correlation_id: 'new-1',
      }),
    );
    expect(res.signals).toEqual(['SERVICE_COMPLETED_SUCCESS']);
    const meta = res.metadata as Record<string, Record<string, unknown>>;
    expect(meta.electricity_calculation).toMatchObject({
      incoming_kwh: 0,
      outgoing_kwh: 30.4,
      net_delivered_kwh: 30.4,
    });
    expect(meta.receipt!.quotas_remaining).toEqual({
      swap_count: '9 of 10',
      electricity_fuel: '369.6 kWh of 400 kWh',
    });
  });

  it('wrong battery: not this customer’s, refused, nothing changed', async () => {
    const before = await snapshot(station.db, ['service_states', 'assets', 'fsm_snapshots']);
    const id = await call(PLAN, 'identify_returned_equipment', {
      action: 'IDENTIFY_RETURNED_EQUIPMENT',
      correlation_id: 'wrong-1',
      equipment_id: 'BAT-OTHER-1',
    });
    expect(id.signals).toEqual(['EQUIPMENT_NOT_BELONGS_TO_USER']);
    const res = await call(
      PLAN,
      'complete_service',
      seedCompleteService({
        incoming_battery_id: 'BAT-OTHER-1',
        outgoing_battery_id: 'BAT-70002',
        payment_occurred: false,
        correlation_id: 'wrong-2',
      }),
    );
    expect(res.signals).toEqual(['SERVICE_COMPLETION_FAILED', 'EQUIPMENT_NOT_BELONGS_TO_USER']);
    const unknown = await call(PLAN, 'identify_returned_equipment', {
      action: 'IDENTIFY_RETURNED_EQUIPMENT',
      correlation_id: 'wrong-3',
      equipment_id: 'BAT-NOPE',
    });
    expect(unknown.signals).toEqual(['EQUIPMENT_NOT_FOUND']);
    expect(await snapshot(station.db, ['service_states', 'assets', 'fsm_snapshots'])).toEqual(before);
  });

  it('a battery already issued to someone else cannot be issued', async () => {
    const id = await call(PLAN, 'identify_outgoing_equipment', {
      action: 'IDENTIFY_OUTGOING_EQUIPMENT',
      correlation_id: 'taken-1',
      equipment_id: 'BAT-OTHER-1',
    });
    expect(id.signals).toEqual(['EQUIPMENT_ASSIGNED_TO_OTHER_PLAN']);
    const res = await call(
      PLAN,
      'complete_service',
      seedCompleteService({
        incoming_battery_id: 'BAT-67890',
        outgoing_battery_id: 'BAT-OTHER-1',
        payment_occurred: false,
        correlation_id: 'taken-2',
      }),
    );
    expect(res.signals).toEqual(['SERVICE_COMPLETION_FAILED', 'EQUIPMENT_ASSIGNED_TO_OTHER_PLAN']);
  });

  it('check-in, then checkout: the swap counts the kWh recorded at check-in', async () => {
    const checkin = await call('plan-seq', 'equipment_checkin', {
      action: 'EQUIPMENT_CHECKIN',
      correlation_id: 'seq-1',
      equipment_id: 'BAT-SEQ-1',
      kwh_remaining: 6.4,
      attendant_station: 'STATION_XYZ',
    });
    expect(checkin.signals).toEqual(['EQUIPMENT_CHECKIN_SUCCESS']);
    expect(checkin.fsmInputs).toEqual([{ cycle: 'service_cycle', input: 'BATTERY_RETURNED' }]);
    const out = await call('plan-seq', 'equipment_checkout', {
      action: 'EQUIPMENT_CHECKOUT',
      correlation_id: 'seq-2',
      replacement_equipment_id: 'BAT-70003',
      outgoing_kwh: 30,
    });
    expect(out.success).toBe(true);
    expect((out.metadata as Record<string, Record<string, unknown>>).electricity_calculation).toMatchObject({
      incoming_kwh: 6.4,
      net_delivered_kwh: 23.6,
      incoming_kwh_source: 'checkin',
    });
    const plan = await station.db
      .selectFrom('plans')
      .select(['returned_asset'])
      .where('plan_id', '=', 'plan-seq')
      .executeTakeFirstOrThrow();
    expect(plan.returned_asset).toBeNull();
  });

  it('collects a payment at the station as pending, and REPORT_ATTENDANT_ACTIVITY lands in the audit log', async () => {
    const paid = await call('plan-other', 'collect_payment', {
      action: 'COLLECT_PAYMENT',
      correlation_id: 'col-1',
      payment_amount: 5,
      payment_method: 'CASH',
      payment_type: 'TOP_UP',
      attendant_id: 'ATT-002',
    });
    expect(paid.signals).toEqual(['PAYMENT_RECORDED', 'PAYMENT_PENDING_CONFIRMATION']);
    const report = await call('plan-other', 'report_attendant_activity', {
      action: 'REPORT_ATTENDANT_ACTIVITY',
      correlation_id: 'act-1',
      activity_type: 'BATTERY_DAMAGE_SEEN',
      description: 'cracked casing',
      attendant_id: 'ATT-002',
    });
    expect(report.signals).toEqual(['ACTIVITY_RECORDED']);
    const audit = await station.db
      .selectFrom('audit_log')
      .select(['kind', 'requester', 'decision'])
      .execute();
    expect(audit).toContainEqual({
      kind: 'attendant_activity:BATTERY_DAMAGE_SEEN',
      requester: 'ATT-002',
      decision: 'RECORDED',
    });
    await waitForOutboxDrained(station);
  });

  it('two attendants completing service on the last quota at once: one wins', async () => {
    await seed(
      station.db,
      [
        aKenyaPlan((p) => {
          p.planId = 'plan-last';
          p.customerId = 'CUST-006';
          p.swapsUsed = 9;
          p.currentAsset = 'BAT-LAST-1';
        }),
      ],
      batteries(['BAT-L-A', 'BAT-L-B']),
    );
    const both = await Promise.all(
      ['BAT-L-A', 'BAT-L-B'].map((out, i) =>
        call(
          'plan-last',
          'complete_service',
          seedCompleteService({
            incoming_battery_id: 'BAT-LAST-1',
            outgoing_battery_id: out,
            payment_occurred: false,
            correlation_id: `last-${i}`,
          }),
        ),
      ),
    );
    expect(both.filter((r) => r.success)).toHaveLength(1);
    const used = await station.db
      .selectFrom('service_states')
      .select('used')
      .where('plan_id', '=', 'plan-last')
      .where('service_id', '=', SWAPS)
      .executeTakeFirstOrThrow();
    expect(String(used.used)).toBe('10');
  });

  it('two plans cannot both receive the same battery', async () => {
    await seed(
      station.db,
      [
        aKenyaPlan((p) => {
          p.planId = 'plan-x';
          p.customerId = 'CUST-X';
          p.currentAsset = 'BAT-X-1';
        }),
        aKenyaPlan((p) => {
          p.planId = 'plan-y';
          p.customerId = 'CUST-Y';
          p.currentAsset = 'BAT-Y-1';
        }),
      ],
      batteries(['BAT-CONTESTED']),
    );
    const results = await Promise.all(
      [
        ['plan-x', 'BAT-X-1'],
        ['plan-y', 'BAT-Y-1'],
      ].map(([plan, incoming]) =>
        call(
          plan!,
          'complete_service',
          seedCompleteService({
            incoming_battery_id: incoming,
            outgoing_battery_id: 'BAT-CONTESTED',
            payment_occurred: false,
            correlation_id: `contest-${plan}`,
          }),
        ),
      ),
    );
    expect(results.filter((r) => r.success)).toHaveLength(1);
    expect(results.find((r) => !r.success)!.signals).toEqual([
      'SERVICE_COMPLETION_FAILED',
      'EQUIPMENT_ASSIGNED_TO_OTHER_PLAN',
    ]);
  });
});
