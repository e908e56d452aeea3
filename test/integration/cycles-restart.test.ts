import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPlans } from '../../src/admin/admin.repo.js';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/log.js';
import { type RunningSwapd, startSwapd } from '../../src/main.js';
import { aKenyaPlan, batteries, ENERGY, seed } from '../builders/plans.js';
import { ManualClock } from '../harness/clock.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import { Requester } from '../harness/requester.js';

const TOGO = 'bss-template-daily-lome-xof-v1';

/** Both cycles live in Postgres: a restart in the middle of a plan's life restores them and their deadlines. */
describe('cycles across restarts (aedes + postgres, manual clock)', () => {
  let pg: TestDatabase;
  let swapd: RunningSwapd;
  let requester: Requester;
  const clock = new ManualClock('2026-01-05T08:00:00Z');

  async function boot() {
    const config = loadConfig({
      env: {},
      overrides: {
        database_url: pg.url,
        broker_port: 0,
        http_port: 0,
        roles: ['agent'],
        log_level: 'silent',
        scheduler_interval_ms: 60_000,
      },
    });
    swapd = await startSwapd(config, { log: silentLogger(), clock, writeRuntimeNote: false });
    requester = await Requester.connect(swapd.brokerUrl);
  }
  async function halt() {
    await requester.close();
    await swapd.stop();
  }
  async function cycles(planId: string) {
    const rows = await swapd.database.db
      .selectFrom('fsm_snapshots')
      .select(['cycle', 'state', 'deadline_at', 'deadline_input'])
      .where('plan_id', '=', planId)
      .orderBy('cycle')
      .execute();
    return Object.fromEntries(
      rows.map((r) => [
        r.cycle,
        {
          state: r.state,
          deadline_at: r.deadline_at?.toISOString() ?? null,
          deadline_input: r.deadline_input,
        },
      ]),
    );
  }
  const checkout = (planId: string, id: string, incoming: string | null, out: string) =>
    requester.call(planId, 'equipment_checkout', {
      action: 'EQUIPMENT_CHECKOUT',
      correlation_id: id,
      replacement_equipment_id: out,
      incoming_equipment_id: incoming,
      incoming_kwh: incoming ? 3 : null,
      outgoing_kwh: 30,
    });
  const pay = async (planId: string, body: Record<string, unknown>) =>
    (
      await requester.request(
        `call/odoo/billing/plan/${planId}/confirm_payment`,
        { action: 'CONFIRM_PAYMENT', payment_method: 'MPESA', ...body },
        body.correlation_id as string,
      )
    ).body;

  beforeAll(async () => {
    pg = await createTestDatabase();
    await boot();
    await seed(swapd.database.db, [], batteries(['BAT-T-1', 'BAT-T-2', 'BAT-K-1', 'BAT-K-2', 'BAT-K-3']));
  });
  afterAll(async () => {
    await halt();
    await pg.drop();
  });

  it('a new Togo plan owes its deposit: checkout refused until Odoo confirms it, then allowed', async () => {
    await importPlans(
      swapd.database.db,
      [{ plan_id: 'tg-1', customer_id: 'TG-CUST-1', template_id: TOGO }],
      clock.now(),
    );
    expect(await cycles('tg-1')).toMatchObject({
      payment_cycle: { state: 'DEPOSIT_DUE' },
      service_cycle: { state: 'WAIT_BATTERY_ISSUE' },
    });
    const refused = await checkout('tg-1', 'tg-c-1', null, 'BAT-T-1');
    expect(refused.signals).toEqual(['PAYMENT_REQUIRED']);
    const wrongCurrency = await pay('tg-1', {
      correlation_id: 'tg-p-0',
      payment_receipt_id: 'TG-R-0',
      amount: 15000,
      currency: 'USD',
      payment_type: 'DEPOSIT',
    });
    expect(wrongCurrency.signals).toEqual(['CURRENCY_MISMATCH']);
    const deposit = await pay('tg-1', {
      correlation_id: 'tg-p-1',
      payment_receipt_id: 'TG-R-1',
      amount: 15000,
      currency: 'XOF',
      payment_type: 'DEPOSIT',
    });
    expect(deposit.signals).toEqual(['PAYMENT_CONFIRMED']);
    expect(await cycles('tg-1')).toMatchObject({
      payment_cycle: {
        state: 'CURRENT',
        deadline_input: 'RENEWAL_DUE_REACHED',
        deadline_at: '2026-01-06T08:00:00.000Z',
      },
    });
    const allowed = await checkout('tg-1', 'tg-c-2', null, 'BAT-T-1');
    expect(allowed.success).toBe(true);
  });

  it('restores both cycles and their pending deadlines after a restart, then fires them', async () => {
    await seed(
      swapd.database.db,
      [
        aKenyaPlan((p) => {
          p.planId = 'ke-1';
          p.currentAsset = 'BAT-K-1';
        }),
      ],
      [],
      clock.now(),
    );
    const before = await cycles('ke-1');
    expect(before.payment_cycle).toMatchObject({
      state: 'CURRENT',
      deadline_input: 'RENEWAL_DUE_REACHED',
      deadline_at: '2026-01-12T08:00:00.000Z',
    });
    await halt();
    clock.advanceDays(7.5); // swapd was down when the renewal fell due
    await boot();
    expect((await cycles('ke-1')).service_cycle).toEqual(before.service_cycle);
    // The first scheduler tick after start fires what fell due while swapd was down.
    const until = Date.now() + 5000;
    while ((await cycles('ke-1')).payment_cycle?.state !== 'RENEWAL_DUE' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 25));
    }
    expect((await cycles('ke-1')).payment_cycle).toMatchObject({
      state: 'RENEWAL_DUE',
      deadline_input: 'GRACE_PERIOD_EXPIRED',
      deadline_at: '2026-01-14T20:00:00.000Z',
    });
    // Still allowed to swap during the renewal notice.
    const swap = await checkout('ke-1', 'ke-c-1', 'BAT-K-1', 'BAT-K-2');
    expect(swap.success).toBe(true);
    clock.advanceDays(3);
    await swapd.scheduler!.tick();
    expect((await cycles('ke-1')).payment_cycle!.state).toBe('FINAL_DUE');
    const blocked = await checkout('ke-1', 'ke-c-2', 'BAT-K-2', 'BAT-K-3');
    expect(blocked.signals).toEqual(['PAYMENT_REQUIRED']);
    const renewal = await pay('ke-1', {
      correlation_id: 'ke-p-1',
      payment_receipt_id: 'KE-R-1',
      amount: 25,
      currency: 'USD',
      payment_type: 'RENEWAL',
    });
    expect(renewal.signals).toEqual(['PAYMENT_CONFIRMED', 'PLAN_RENEWED']);
    expect((await cycles('ke-1')).payment_cycle!.state).toBe('CURRENT');
    const energy = await swapd.database.db
      .selectFrom('service_states')
      .select(['used', 'quota'])
      .where('plan_id', '=', 'ke-1')
      .where('service_id', '=', ENERGY)
      .executeTakeFirstOrThrow();
    expect({ used: String(energy.used), quota: String(energy.quota) }).toEqual({ used: '0', quota: '400' });
    const resumed = await checkout('ke-1', 'ke-c-3', 'BAT-K-2', 'BAT-K-3');
    expect(resumed.success).toBe(true);
  });

  it('an input the cycle does not accept fails the action and changes nothing', async () => {
    await seed(
      swapd.database.db,
      [
        aKenyaPlan((p) => {
          p.planId = 'ke-done';
          p.currentAsset = null;
          p.serviceCycle = 'COMPLETE';
        }),
      ],
      batteries(['BAT-K-9']),
    );
    const res = await checkout('ke-done', 'done-1', null, 'BAT-K-9');
    expect(res.signals).toEqual(['FSM_TRANSITION_REJECTED']);
    expect(res.error).toMatchObject({ code: 'FSM_TRANSITION_REJECTED' });
    const asset = await swapd.database.db
      .selectFrom('assets')
      .select(['status'])
      .where('asset_id', '=', 'BAT-K-9')
      .executeTakeFirstOrThrow();
    expect(asset.status).toBe('IN_STOCK');
  });
});
