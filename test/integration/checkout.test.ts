import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aKenyaPlan, batteries, ENERGY, SWAPS, seed, seedCheckout } from '../builders/plans.js';
import { snapshot } from '../harness/db-snapshot.js';
import { MATRIX, startStation, type TestStation, waitForOutboxDrained } from '../harness/station.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';

async function usage(station: TestStation, planId: string) {
  const rows = await station.db
    .selectFrom('service_states')
    .select(['service_id', 'used', 'current_asset'])
    .where('plan_id', '=', planId)
    .execute();
  return Object.fromEntries(
    rows.map((r) => [r.service_id, { used: String(r.used), asset: r.current_asset }]),
  );
}

describe.each(MATRIX)('EQUIPMENT_CHECKOUT over $name', ({ db, broker }) => {
  let station: TestStation;

  beforeAll(async () => {
    station = await startStation({ db, broker });
    await seed(
      station.db,
      [
        aKenyaPlan(),
        aKenyaPlan((p) => {
          p.planId = 'plan-low';
          p.electricityUsed = 390;
          p.currentAsset = 'BAT-LOW-1';
        }),
      ],
      batteries(['BAT-67890', 'BAT-70000', 'BAT-70001']),
    );
  });
  afterAll(() => station?.close());

  it('answers the seed example: net 25.6 kWh, 55.5 → 29.9 remaining, 344.5 → 370.1 used, swaps 6 → 7', async () => {
    const res = await station.requester.call(PLAN, 'equipment_checkout', seedCheckout('chk-seed-1'));
    expect(res.success).toBe(true);
    expect(res.signals).toEqual(['QUOTA_AVAILABLE', 'EQUIPMENT_CHECKOUT_SUCCESS']);
    const meta = res.metadata as Record<string, Record<string, unknown>>;
    expect(meta.electricity_calculation).toMatchObject({
      incoming_kwh: 4.8,
      outgoing_kwh: 30.4,
      net_delivered_kwh: 25.6,
    });
    expect(meta.quota_check).toEqual({
      remaining_before: 55.5,
      net_required: 25.6,
      remaining_after: 29.9,
      status: 'sufficient',
    });
    expect(meta.quota_updates).toEqual([
      { service_id: SWAPS, used_before: 6, used_after: 7, increment: 1 },
      { service_id: ENERGY, used_before: 344.5, used_after: 370.1, increment: 25.6 },
    ]);
    expect(res.fsmInputs).toEqual([{ cycle: 'service_cycle', input: 'BATTERY_ISSUED' }]);
    const after = await usage(station, PLAN);
    expect(after[ENERGY]!.used).toBe('370.1');
    expect(after[SWAPS]).toEqual({ used: '7', asset: 'BAT-67890' });
    const assets = await station.db
      .selectFrom('assets')
      .select(['asset_id', 'status', 'holder_plan_id'])
      .execute();
    expect(assets.find((a) => a.asset_id === 'BAT-12345')).toMatchObject({
      status: 'IN_STOCK',
      holder_plan_id: null,
    });
    expect(assets.find((a) => a.asset_id === 'BAT-67890')).toMatchObject({
      status: 'ISSUED',
      holder_plan_id: PLAN,
    });
  });

  it('publishes the service_completed event after commit, through the outbox', async () => {
    const event = await station.requester.waitFor(
      (m) => m.topic === `event/abs/service/plan/${PLAN}/service_completed`,
    );
    expect(event.body).toMatchObject({
      event_type: 'SERVICE_COMPLETED',
      plan_id: PLAN,
      customer_id: 'CUST-001',
    });
    expect(typeof event.body.event_id).toBe('string');
    // The relay marks the row published once the broker has acknowledged it: soon after delivery.
    await waitForOutboxDrained(station);
  });

  it('answers QUOTA_EXHAUSTED with 10.0 kWh left: deficit 15.6, cost at 0.80/kWh, and changes nothing', async () => {
    const before = await snapshot(station.db, [
      'plans',
      'service_states',
      'assets',
      'fsm_snapshots',
      'payments',
    ]);
    const res = await station.requester.call(
      'plan-low',
      'equipment_checkout',
      seedCheckout('chk-low-1', {
        incoming_equipment_id: 'BAT-LOW-1',
        replacement_equipment_id: 'BAT-70000',
      }),
    );
    expect(res.success).toBe(false);
    expect(res.signals).toEqual(['QUOTA_EXHAUSTED']);
    const meta = res.metadata as Record<string, Record<string, unknown>>;
    expect(meta.quota_check).toEqual({
      remaining_before: 10,
      net_required: 25.6,
      deficit_kwh: 15.6,
      status: 'exhausted',
    });
    expect(meta.topup_required).toEqual({
      amount_kwh: 15.6,
      estimated_cost: 12.48,
      currency: 'USD',
      estimated_cost_usd: 12.48,
    });
    expect(res.fsmInputs).toEqual([{ cycle: 'service_cycle', input: 'QUOTA_EXHAUSTED' }]);
    expect(
      await snapshot(station.db, ['plans', 'service_states', 'assets', 'fsm_snapshots', 'payments']),
    ).toEqual(before);
    const event = await station.requester.waitFor(
      (m) => m.topic === 'event/abs/service/plan/plan-low/quota_exhausted',
    );
    expect(event.body).toMatchObject({ event_type: 'QUOTA_EXHAUSTED', plan_id: 'plan-low' });
  });

  it('applies a correlation_id once and replays the first answer', async () => {
    const request = seedCheckout('chk-replay-1', {
      incoming_equipment_id: 'BAT-67890',
      replacement_equipment_id: 'BAT-70001',
      incoming_kwh: 2,
    });
    const first = await station.requester.call(PLAN, 'equipment_checkout', request);
    const used = await usage(station, PLAN);
    const second = await station.requester.call(PLAN, 'equipment_checkout', {
      ...request,
      timestamp: new Date().toISOString(),
    });
    expect(first.success).toBe(true);
    expect(second.replayed).toBe(true);
    expect(second.signals).toEqual([...(first.signals as string[]), 'IDEMPOTENT_OPERATION_DETECTED']);
    expect(second.metadata).toEqual(first.metadata);
    expect(await usage(station, PLAN)).toEqual(used);
  });

  it("answers the deployed app's envelope in the same envelope", async () => {
    const topic = `call/uxi/attendant/plan/${PLAN}/identify_customer`;
    const body = {
      timestamp: new Date().toISOString(),
      plan_id: PLAN,
      correlation_id: 'env-1',
      actor: { type: 'attendant', id: 'ATT-001' },
      data: { action: 'IDENTIFY_CUSTOMER' },
    };
    const res = await station.requester.request(topic, body, 'env-1');
    expect(res.body.actor).toEqual({ type: 'agent', id: 'swapd' });
    const data = res.body.data as Record<string, unknown>;
    expect(data.success).toBe(true);
    expect(data.signals).toEqual(['CUSTOMER_IDENTIFIED']);
    expect((data.metadata as Record<string, unknown>).customer_id).toBe('CUST-001');
  });
});
