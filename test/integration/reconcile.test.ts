import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReconcileReport, type ReconcileRule, reconcile } from '../../src/admin/reconcile.js';
import type { Tx } from '../../src/ports/database.js';
import { aKenyaPlan, batteries, seed, seedCheckout } from '../builders/plans.js';
import { startStation, type TestStation, waitForOutboxDrained } from '../harness/station.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), resolve(ROOT, 'src/cli.ts')];
const run = promisify(execFile);
const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';
const OTHER = 'plan-other';

class Rollback extends Error {}

/** Seeds a violation inside a transaction, reconciles what that transaction sees, then rolls it back. */
async function withViolation(station: TestStation, damage: (tx: Tx) => Promise<unknown>) {
  let report: ReconcileReport | null = null;
  await station.db
    .transaction()
    .execute(async (tx) => {
      await damage(tx);
      report = await reconcile(tx, { now: new Date(), publishLagMs: 60_000 });
      throw new Rollback();
    })
    .catch((err: unknown) => {
      if (!(err instanceof Rollback)) throw err;
    });
  return report as unknown as ReconcileReport;
}

function rules(report: ReconcileReport): ReconcileRule[] {
  return [...new Set(report.violations.map((v) => v.rule))];
}

async function cli(station: TestStation, ...args: string[]) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, SWAPD_DATABASE_URL: station.pg!.url };
  return run(process.execPath, [...CLI, ...args], { cwd: ROOT, env }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
}

describe('reconciliation (swapd check --reconcile) over Postgres', () => {
  let station: TestStation;

  beforeAll(async () => {
    station = await startStation({ db: 'postgres', broker: 'aedes' });
    await seed(
      station.db,
      [aKenyaPlan(), aKenyaPlan((p) => Object.assign(p, { planId: OTHER, currentAsset: 'BAT-O-1' }))],
      batteries(['BAT-67890', 'BAT-70000', 'BAT-O-2']),
    );
    const first = await station.requester.call(PLAN, 'equipment_checkout', seedCheckout('rec-1'));
    expect(first.success).toBe(true);
    const second = await station.requester.call(
      PLAN,
      'equipment_checkout',
      seedCheckout('rec-2', {
        incoming_equipment_id: 'BAT-67890',
        replacement_equipment_id: 'BAT-70000',
        incoming_kwh: 10,
        outgoing_kwh: 12.5,
      }),
    );
    expect(second.success).toBe(true);
    const third = await station.requester.call(
      OTHER,
      'equipment_checkout',
      seedCheckout('rec-3', { incoming_equipment_id: 'BAT-O-1', replacement_equipment_id: 'BAT-O-2' }),
    );
    expect(third.success).toBe(true);
    await waitForOutboxDrained(station);
  });
  afterAll(() => station?.close());

  it('reports a clean ledger after real swaps, with the counts it checked', async () => {
    const report = await reconcile(station.db, { now: new Date() });
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.counts).toMatchObject({ plans: 2, swaps: 3, batteries_held: 2, outbox_pending: 0 });
    expect(report.counts.events).toBeGreaterThanOrEqual(3);
  });

  it.each<[string, ReconcileRule, (tx: Tx) => Promise<unknown>]>([
    [
      'used above its quota',
      'QUOTA_BOUNDS',
      async (tx) => {
        await sql`alter table service_states drop constraint service_states_used_within_quota`.execute(tx);
        await sql`update service_states set used = quota + 1 where plan_id = ${OTHER} and service_id = 'svc-swap-network-kenya'`.execute(
          tx,
        );
      },
    ],
    [
      'a swap counted without its event (used one higher)',
      'USAGE_LEDGER',
      (tx) =>
        sql`update service_states set used = used + 1 where plan_id = ${PLAN} and service_id = 'svc-battery-fleet-kenya-premium'`.execute(
          tx,
        ),
    ],
    [
      'energy lost from the ledger',
      'USAGE_LEDGER',
      (tx) =>
        sql`update service_states set used = used - 0.1 where plan_id = ${PLAN} and service_id = 'svc-electricity-fuel-kenya'`.execute(
          tx,
        ),
    ],
    [
      'the same swap committed twice',
      'SWAP_APPLIED_ONCE',
      (tx) =>
        sql`with copy as (
          insert into events (event_id, event_type, plan_id, correlation_id, payload)
          select gen_random_uuid(), event_type, plan_id, correlation_id,
            jsonb_set(payload, '{service_data,quota_updates}', '[]')
          from events where event_type = 'SERVICE_COMPLETED' and correlation_id = 'rec-3'
          returning event_id, payload)
        insert into outbox (event_id, topic, payload, published_at)
        select event_id, 'event/abs/service/plan/x/service_completed', payload::text, now() from copy`.execute(
          tx,
        ),
    ],
    [
      'one battery held by two plans',
      'BATTERY_ONE_HOLDER',
      async (tx) => {
        await sql`alter table service_states drop constraint service_states_asset_once`.execute(tx);
        await sql`update service_states set current_asset = 'BAT-70000' where plan_id = ${OTHER} and service_id = 'svc-battery-fleet-kenya-premium'`.execute(
          tx,
        );
      },
    ],
    [
      'a battery issued to a plan that does not hold it',
      'BATTERY_ONE_HOLDER',
      (tx) =>
        sql`update assets set status = 'ISSUED', holder_plan_id = ${OTHER} where asset_id = 'BAT-12345'`.execute(
          tx,
        ),
    ],
    [
      'an event with no outbox row',
      'EVENT_QUEUED',
      (tx) =>
        sql`delete from outbox where event_id = (select event_id from events where correlation_id = 'rec-1' limit 1)`.execute(
          tx,
        ),
    ],
    [
      'an event stuck unpublished',
      'EVENT_PUBLISHED',
      (tx) =>
        sql`update outbox set published_at = null, created_at = now() - interval '2 minutes' where id = (select min(id) from outbox)`.execute(
          tx,
        ),
    ],
    [
      'a committed request with no stored answer',
      'REQUEST_ANSWERED',
      (tx) => sql`update idempotency_keys set response = null where key = 'rec-2'`.execute(tx),
    ],
  ])('names %s (%s)', async (_name, rule, damage) => {
    const report = await withViolation(station, damage);
    expect(report.ok).toBe(false);
    expect(rules(report)).toEqual([rule]);
    for (const v of report.violations) expect(v.message.length).toBeGreaterThan(10);
  });

  it('as a command: clean exits 0; a violation exits 2 and is named, in text and --json', async () => {
    const clean = await cli(station, 'check', '--reconcile');
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('clean: no violation');
    await sql`update service_states set used = used + 1 where plan_id = ${OTHER} and service_id = 'svc-battery-fleet-kenya-premium'`.execute(
      station.db,
    );
    try {
      const text = await cli(station, 'check', '--reconcile');
      expect(text.code).toBe(2);
      expect(text.stdout).toMatch(/USAGE_LEDGER plan-other\/svc-battery-fleet-kenya-premium: used is 8/);
      const json = await cli(station, '--json', 'check', '--reconcile');
      expect(json.code).toBe(2);
      const report = JSON.parse(json.stdout) as ReconcileReport;
      expect(report.ok).toBe(false);
      expect(report.violations).toEqual([
        expect.objectContaining({
          rule: 'USAGE_LEDGER',
          subject: `${OTHER}/svc-battery-fleet-kenya-premium`,
        }),
      ]);
    } finally {
      await sql`update service_states set used = used - 1 where plan_id = ${OTHER} and service_id = 'svc-battery-fleet-kenya-premium'`.execute(
        station.db,
      );
    }
  }, 120_000);
});
