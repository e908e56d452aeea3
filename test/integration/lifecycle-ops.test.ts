import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aKenyaPlan, batteries, seed, seedCheckout } from '../builders/plans.js';
import { startStation, type TestStation } from '../harness/station.js';

/** The plan and battery lifecycle on the ops topic, answered on rtrn/abs/ops/… (aedes + postgres). */
describe('lifecycle operations on call/ops/plan/{plan_id}/{operation}', () => {
  let station: TestStation;
  let n = 0;

  /** Publishes on the ops topic and waits for the answer on its response topic. */
  async function ops(plan: string, operation: string, body: Record<string, unknown>) {
    const correlation = (body.correlation_id as string | undefined) ?? `ops-${++n}`;
    const responseTopic = `rtrn/abs/ops/plan/${plan}/${operation}_response`;
    const seen = station.requester.received.length;
    await station.requester.client.publishAsync(
      `call/ops/plan/${plan}/${operation}`,
      JSON.stringify({ correlation_id: correlation, ...body }),
      { qos: 1 },
    );
    const found = await station.requester.waitFor(
      (m) =>
        station.requester.received.indexOf(m) >= seen &&
        m.topic === responseTopic &&
        m.body.correlation_id === correlation,
    );
    return found.body;
  }

  const call = (plan: string, op: string, body: Record<string, unknown>) =>
    station.requester.call(plan, op, body);

  async function asset(id: string) {
    return station.db
      .selectFrom('assets')
      .select(['status', 'holder_plan_id', 'station_id'])
      .where('asset_id', '=', id)
      .executeTakeFirstOrThrow();
  }

  async function plan(id: string) {
    const row = await station.db
      .selectFrom('plans')
      .select('status')
      .where('plan_id', '=', id)
      .executeTakeFirstOrThrow();
    const cycles = await station.db
      .selectFrom('fsm_snapshots')
      .select(['cycle', 'state'])
      .where('plan_id', '=', id)
      .execute();
    const current = await station.db
      .selectFrom('service_states')
      .select('current_asset')
      .where('plan_id', '=', id)
      .where('current_asset', 'is not', null)
      .execute();
    return {
      status: row.status,
      ...Object.fromEntries(cycles.map((c) => [c.cycle, c.state])),
      current_assets: current.map((c) => c.current_asset),
    };
  }

  async function audit(kind: string) {
    return station.db
      .selectFrom('audit_log')
      .select(['kind', 'requester', 'decision', 'subject'])
      .where('kind', '=', kind)
      .orderBy('id')
      .execute();
  }

  beforeAll(async () => {
    station = await startStation({ db: 'postgres', broker: 'aedes' });
    const kenya = (id: string, asset: string | null) =>
      aKenyaPlan((p) => {
        p.planId = id;
        p.customerId = `CUST-${id}`;
        p.currentAsset = asset;
      });
    await seed(
      station.db,
      [
        kenya('plan-lost', 'BAT-LOST-1'),
        kenya('plan-susp', 'BAT-SUSP-1'),
        kenya('plan-close', 'BAT-CLOSE-1'),
      ],
      batteries(['BAT-67890', 'BAT-70000', 'BAT-70001', 'BAT-SPARE']),
    );
  });
  afterAll(() => station?.close());

  it('report_battery_lost: flagged LOST, never issued, the plan gets a replacement without a return; idempotent by correlation_id', async () => {
    const body = {
      action: 'REPORT_BATTERY_LOST',
      correlation_id: 'lost-1',
      asset_id: 'BAT-LOST-1',
      requested_by: 'OPS-7',
      reason: 'stolen at the market',
    };
    const lost = await ops('plan-lost', 'report_battery_lost', body);
    expect(lost).toMatchObject({
      success: true,
      signals: ['BATTERY_LOST_REPORTED'],
      fsmInputs: [{ cycle: 'service_cycle', input: 'BATTERY_LOST_REPORTED' }],
      metadata: { asset_id: 'BAT-LOST-1', asset_status: 'LOST', changed: true },
    });
    expect(await asset('BAT-LOST-1')).toMatchObject({ status: 'LOST', holder_plan_id: 'plan-lost' });
    expect(await plan('plan-lost')).toMatchObject({
      status: 'ACTIVE',
      service_cycle: 'BATTERY_LOST',
      current_assets: [],
    });
    const replay = await ops('plan-lost', 'report_battery_lost', body);
    expect(replay.replayed).toBe(true);
    expect(replay.signals).toEqual(['BATTERY_LOST_REPORTED', 'IDEMPOTENT_OPERATION_DETECTED']);
    const again = await ops('plan-lost', 'report_battery_lost', { ...body, correlation_id: 'lost-2' });
    expect(again).toMatchObject({ success: true, signals: ['BATTERY_ALREADY_REPORTED_LOST'] });

    // Nobody can be given the lost battery.
    const picked = await call('plan-susp', 'identify_outgoing_equipment', {
      action: 'IDENTIFY_OUTGOING_EQUIPMENT',
      correlation_id: 'lost-out-1',
      equipment_id: 'BAT-LOST-1',
      kwh_remaining: 30,
    });
    expect(picked.signals).toEqual(['EQUIPMENT_REPORTED_LOST']);
    // The customer gets a replacement without returning anything.
    const replacement = await call('plan-lost', 'equipment_checkout', {
      action: 'EQUIPMENT_CHECKOUT',
      correlation_id: 'lost-chk-1',
      replacement_equipment_id: 'BAT-70000',
      outgoing_kwh: 30.4,
    });
    expect(replacement.signals).toEqual(['QUOTA_AVAILABLE', 'EQUIPMENT_CHECKOUT_SUCCESS']);
    expect(await plan('plan-lost')).toMatchObject({
      service_cycle: 'BATTERY_ISSUED',
      current_assets: ['BAT-70000'],
    });

    expect(await audit('ops:report_battery_lost')).toEqual([
      { kind: 'ops:report_battery_lost', requester: 'OPS-7', decision: 'APPLIED', subject: 'plan-lost' },
      { kind: 'ops:report_battery_lost', requester: 'OPS-7', decision: 'UNCHANGED', subject: 'plan-lost' },
    ]);
  });

  it('report_battery_lost refusals: another plan’s battery, an unknown one, a malformed request', async () => {
    const other = await ops('plan-lost', 'report_battery_lost', {
      action: 'REPORT_BATTERY_LOST',
      asset_id: 'BAT-SUSP-1',
    });
    expect(other).toMatchObject({ success: false, signals: ['EQUIPMENT_NOT_BELONGS_TO_USER'] });
    expect(await asset('BAT-SUSP-1')).toMatchObject({ status: 'ISSUED', holder_plan_id: 'plan-susp' });
    const unknown = await ops('plan-lost', 'report_battery_lost', {
      action: 'REPORT_BATTERY_LOST',
      asset_id: 'BAT-NOPE',
    });
    expect(unknown.signals).toEqual(['EQUIPMENT_NOT_FOUND']);
    const malformed = await ops('plan-lost', 'report_battery_lost', { action: 'REPORT_BATTERY_LOST' });
    expect(malformed).toMatchObject({ signals: ['VALIDATION_FAILED'], error: { code: 'SCHEMA_VIOLATION' } });
    const teleport = await ops('plan-lost', 'teleport_plan', { action: 'TELEPORT_PLAN' });
    expect(teleport.signals).toEqual(['UNKNOWN_ACTION']);
    const nowhere = await ops('plan-nope', 'suspend_plan', { action: 'SUSPEND_PLAN' });
    expect(nowhere.signals).toEqual(['SERVICE_PLAN_NOT_FOUND']);
    const refusals = await audit('ops:report_battery_lost');
    expect(refusals.map((r) => r.decision)).toEqual(
      expect.arrayContaining(['EQUIPMENT_NOT_BELONGS_TO_USER', 'EQUIPMENT_NOT_FOUND']),
    );
  });

  it('recover_battery: back in stock at the station, BATTERY_RECOVERED while the cycle is still BATTERY_LOST', async () => {
    await ops('plan-close', 'report_battery_lost', {
      action: 'REPORT_BATTERY_LOST',
      asset_id: 'BAT-CLOSE-1',
    });
    expect(await plan('plan-close')).toMatchObject({ service_cycle: 'BATTERY_LOST' });
    const back = await ops('plan-close', 'recover_battery', {
      action: 'RECOVER_BATTERY',
      asset_id: 'BAT-CLOSE-1',
      station_id: 'STATION_XYZ',
    });
    expect(back).toMatchObject({
      success: true,
      signals: ['BATTERY_RECOVERED'],
      fsmInputs: [{ cycle: 'service_cycle', input: 'BATTERY_RECOVERED' }],
    });
    expect(await asset('BAT-CLOSE-1')).toEqual({
      status: 'IN_STOCK',
      holder_plan_id: null,
      station_id: 'STATION_XYZ',
    });
    expect(await plan('plan-close')).toMatchObject({ service_cycle: 'BATTERY_RETURNED', current_assets: [] });
    const twice = await ops('plan-close', 'recover_battery', {
      action: 'RECOVER_BATTERY',
      asset_id: 'BAT-CLOSE-1',
    });
    expect(twice).toMatchObject({ success: false, signals: ['EQUIPMENT_NOT_LOST'] });
    // After a replacement was issued the cycle stays BATTERY_ISSUED; the battery still comes back.
    const late = await ops('plan-lost', 'recover_battery', {
      action: 'RECOVER_BATTERY',
      asset_id: 'BAT-LOST-1',
    });
    expect(late).toMatchObject({ success: true, signals: ['BATTERY_RECOVERED'], fsmInputs: [] });
    expect(await asset('BAT-LOST-1')).toMatchObject({ status: 'IN_STOCK', holder_plan_id: null });
    expect(await plan('plan-lost')).toMatchObject({ service_cycle: 'BATTERY_ISSUED' });
  });

  it('suspend_plan and resume_plan: checkouts refused with PLAN_NOT_ACTIVE meanwhile', async () => {
    const suspended = await ops('plan-susp', 'suspend_plan', {
      action: 'SUSPEND_PLAN',
      reason: 'fraud check',
    });
    expect(suspended).toMatchObject({
      success: true,
      signals: ['PLAN_SUSPENDED'],
      metadata: { plan_status: 'SUSPENDED' },
    });
    expect((await plan('plan-susp')).status).toBe('SUSPENDED');
    const checkout = {
      ...seedCheckout('susp-chk-1'),
      incoming_equipment_id: 'BAT-SUSP-1',
      replacement_equipment_id: 'BAT-70001',
    };
    const refused = await call('plan-susp', 'equipment_checkout', checkout);
    expect(refused).toMatchObject({
      success: false,
      signals: ['PLAN_NOT_ACTIVE'],
      error: { code: 'PLAN_NOT_ACTIVE' },
    });
    expect(await asset('BAT-70001')).toMatchObject({ status: 'IN_STOCK' });
    const again = await ops('plan-susp', 'suspend_plan', { action: 'SUSPEND_PLAN' });
    expect(again).toMatchObject({
      success: true,
      signals: ['PLAN_ALREADY_SUSPENDED'],
      metadata: { changed: false },
    });
    const resumed = await ops('plan-susp', 'resume_plan', { action: 'RESUME_PLAN' });
    expect(resumed).toMatchObject({ success: true, signals: ['PLAN_RESUMED'] });
    const through = await call('plan-susp', 'equipment_checkout', {
      ...checkout,
      correlation_id: 'susp-chk-2',
    });
    expect(through.signals).toEqual(['QUOTA_AVAILABLE', 'EQUIPMENT_CHECKOUT_SUCCESS']);
    const active = await ops('plan-susp', 'resume_plan', { action: 'RESUME_PLAN' });
    expect(active.signals).toEqual(['PLAN_ALREADY_ACTIVE']);
  });

  it('close_plan: refused while the plan holds a battery or a payment awaits Odoo; then PLAN_COMPLETED on both cycles', async () => {
    const holding = await ops('plan-susp', 'close_plan', { action: 'CLOSE_PLAN' });
    expect(holding).toMatchObject({
      success: false,
      signals: ['PLAN_HOLDS_BATTERY'],
      error: { code: 'PLAN_HOLDS_BATTERY' },
      metadata: { current_assets: ['BAT-70001'] },
    });
    expect((await plan('plan-susp')).status).toBe('ACTIVE');

    // plan-close holds nothing now (its battery was recovered) but has money awaiting Odoo.
    await call('plan-close', 'collect_payment', {
      action: 'COLLECT_PAYMENT',
      correlation_id: 'close-pay',
      payment_amount: 4,
      payment_method: 'CASH',
      payment_type: 'TOP_UP',
      payment_receipt_id: 'PAY-CLOSE-1',
    });
    const pending = await ops('plan-close', 'close_plan', { action: 'CLOSE_PLAN' });
    expect(pending).toMatchObject({ success: false, signals: ['PAYMENT_PENDING_CONFIRMATION'] });
    const confirm = {
      action: 'CONFIRM_PAYMENT',
      correlation_id: 'odoo-close',
      payment_receipt_id: 'PAY-CLOSE-1',
      amount: 4,
      currency: 'USD',
      payment_method: 'CASH',
      payment_type: 'TOP_UP',
    };
    await station.requester.request(
      'call/odoo/billing/plan/plan-close/confirm_payment',
      confirm,
      'odoo-close',
    );

    const closed = await ops('plan-close', 'close_plan', { action: 'CLOSE_PLAN', requested_by: 'OPS-7' });
    expect(closed).toMatchObject({
      success: true,
      signals: ['PLAN_COMPLETED'],
      fsmInputs: [
        { cycle: 'service_cycle', input: 'PLAN_COMPLETED' },
        { cycle: 'payment_cycle', input: 'PLAN_COMPLETED' },
      ],
    });
    expect(await plan('plan-close')).toEqual({
      status: 'COMPLETE',
      service_cycle: 'COMPLETE',
      payment_cycle: 'COMPLETE',
      current_assets: [],
    });
    expect((await ops('plan-close', 'close_plan', { action: 'CLOSE_PLAN' })).signals).toEqual([
      'PLAN_ALREADY_CLOSED',
    ]);
    const suspend = await ops('plan-close', 'suspend_plan', { action: 'SUSPEND_PLAN' });
    expect(suspend).toMatchObject({ success: false, signals: ['PLAN_CLOSED'] });
    const swap = await call('plan-close', 'equipment_checkout', {
      ...seedCheckout('close-chk'),
      incoming_equipment_id: null,
      replacement_equipment_id: 'BAT-SPARE',
    });
    expect(swap.signals).toEqual(['PLAN_NOT_ACTIVE']);
    expect((await audit('ops:close_plan')).map((r) => r.decision)).toEqual([
      'PLAN_HOLDS_BATTERY',
      'PAYMENT_PENDING_CONFIRMATION',
      'APPLIED',
      'UNCHANGED',
    ]);
  });
});
