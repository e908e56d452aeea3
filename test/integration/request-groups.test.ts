import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawPoolOf } from '../../src/adapters/db/sql-client.js';
import { aKenyaPlan, batteries, ENERGY, SWAPS, seed, seedCheckout } from '../builders/plans.js';
import { startStation, type TestStation } from '../harness/station.js';

/**
 * Request groups (docs/performance.md): a group filled with a mix of valid, refused and conflicting
 * requests is answered request by request exactly as one by one would, and leaves exactly that ledger;
 * a database error in the group's write runs the members one by one and still answers every one.
 * The group is made deterministic by holding the database while the requests queue behind a first one.
 */
const PLANS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'X'].map((p) => `grp-${p}`);
const held = (plan: string) => `BAT-HELD-${plan.slice(4)}`;

/** Holds the database so that a request in its transaction waits: a row lock (Postgres) or PGlite's turn. */
async function holdDatabase(station: TestStation, planId: string): Promise<() => Promise<void>> {
  if (station.pg) {
    const client = new pg.Client({ connectionString: station.pg.url });
    client.on('error', () => {});
    await client.connect();
    await client.query('begin');
    await client.query('select 1 from plans where plan_id = $1 for update', [planId]);
    return async () => {
      await client.query('commit');
      await client.end();
    };
  }
  const pool = rawPoolOf(station.db);
  if (!pool) throw new Error('no raw pool');
  const turn = await pool.connect();
  return async () => turn.release();
}

function checkout(
  corr: string,
  outgoing: string,
  incoming: string | null,
  change: Record<string, unknown> = {},
) {
  return seedCheckout(corr, {
    replacement_equipment_id: outgoing,
    ...(incoming ? { incoming_equipment_id: incoming } : { incoming_equipment_id: undefined }),
    ...change,
  });
}

async function groupMetrics(station: TestStation) {
  const sizes = await station.swapd.metrics.requestGroupSize.get();
  const outcomes = await station.swapd.metrics.requestGroups.get();
  const value = (name: string) => sizes.values.find((v) => v.metricName === name)?.value ?? 0;
  return {
    groups: value('swapd_request_group_size_count'),
    members: value('swapd_request_group_size_sum'),
    outcomes: Object.fromEntries(outcomes.values.map((v) => [String(v.labels.outcome), v.value])),
  };
}

async function ledger(station: TestStation) {
  const states = await station.db
    .selectFrom('service_states')
    .select(['plan_id', 'service_id', 'used', 'current_asset'])
    .where('plan_id', 'in', PLANS)
    .where('service_id', 'in', [SWAPS, ENERGY])
    .orderBy('plan_id')
    .orderBy('service_id')
    .execute();
  const assets = await station.db
    .selectFrom('assets')
    .select(['asset_id', 'status', 'holder_plan_id'])
    .where('asset_id', 'like', 'BAT-%')
    .orderBy('asset_id')
    .execute();
  const keys = await sql<{ plan_id: string; key: string; answered: boolean }>`
    select plan_id, key, response is not null as answered from idempotency_keys order by plan_id, key`.execute(
    station.db,
  );
  const events = await sql<{ plan_id: string; event_type: string; correlation_id: string }>`
    select plan_id, event_type, correlation_id from events order by plan_id, correlation_id, event_type`.execute(
    station.db,
  );
  return {
    states: states.map(
      (s) => `${s.plan_id} ${s.service_id === SWAPS ? 'swaps' : 'kwh'} ${s.used} ${s.current_asset}`,
    ),
    assets: assets.map((a) => `${a.asset_id} ${a.status} ${a.holder_plan_id}`),
    keys: keys.rows.map((k) => `${k.plan_id} ${k.key}${k.answered ? '' : ' (no answer)'}`),
    events: events.rows.map((e) => `${e.plan_id} ${e.event_type} ${e.correlation_id}`),
  };
}

describe.each(['postgres', 'pglite'] as const)('request groups on %s', (db) => {
  let station: TestStation;

  beforeAll(async () => {
    station = await startStation({ db, broker: 'aedes', overrides: { request_group_max: 32 } });
    const plans = PLANS.map((planId) =>
      aKenyaPlan((p) => {
        p.planId = planId;
        p.customerId = `CUST-${planId}`;
        p.currentAsset = held(planId);
        if (planId === 'grp-C') p.swapsUsed = 10;
      }),
    );
    await seed(
      station.db,
      plans,
      batteries(['BAT-OUT-A', 'BAT-OUT-B', 'BAT-OUT-C', 'BAT-OUT-D', 'BAT-OUT-E']).concat(
        batteries(['BAT-OUT-F1', 'BAT-OUT-F2', 'BAT-SHARED', 'BAT-OUT-X', 'BAT-OUT-R']),
      ),
    );
  }, 120_000);
  afterAll(() => station?.close());

  it('answers each member of a mixed group as one by one would, and leaves exactly that ledger', async () => {
    const call = (plan: string, body: Record<string, unknown>) =>
      station.requester.call(plan, 'equipment_checkout', body);
    // Answered before the group: a request whose key the group meets again.
    const earlier = checkout('grp-D-1', 'BAT-OUT-D', held('grp-D'));
    expect((await call('grp-D', earlier)).success).toBe(true);
    const release = await holdDatabase(station, 'grp-X');
    const blocker = call('grp-X', checkout('grp-X-1', 'BAT-OUT-X', held('grp-X')));
    await new Promise((r) => setTimeout(r, 200));
    // In this order: the group takes them as they came, unless one shares something with an earlier one.
    const requests: Record<string, [string, Record<string, unknown>]> = {
      a: ['grp-A', checkout('grp-A-1', 'BAT-OUT-A', held('grp-A'))],
      b: ['grp-B', checkout('grp-B-1', 'BAT-OUT-B', held('grp-B'))],
      c: ['grp-C', checkout('grp-C-1', 'BAT-OUT-C', held('grp-C'))],
      dConflict: ['grp-D', checkout('grp-D-1', 'BAT-OUT-R', 'BAT-OUT-D')],
      dReplay: ['grp-D', earlier],
      e1: ['grp-E', checkout('grp-E-1', 'BAT-OUT-E', held('grp-E'))],
      e2: ['grp-E', checkout('grp-E-1', 'BAT-OUT-E', held('grp-E'))],
      f1: ['grp-F', checkout('grp-F-1', 'BAT-OUT-F1', held('grp-F'))],
      f2: ['grp-F', checkout('grp-F-2', 'BAT-OUT-F2', 'BAT-OUT-F1')],
      g: ['grp-G', checkout('grp-G-1', 'BAT-SHARED', held('grp-G'))],
      h: ['grp-H', checkout('grp-H-1', 'BAT-SHARED', held('grp-H'))],
      bad: ['grp-B', checkout('grp-B-bad', 'BAT-OUT-R', 'BAT-OUT-B', { outgoing_kwh: 40 })],
      none: ['grp-none', checkout('grp-none-1', 'BAT-NOPE', null)],
    };
    const pending = Object.entries(requests).map(
      async ([name, [plan, body]]) => [name, await call(plan, body)] as const,
    );
    await new Promise((r) => setTimeout(r, 300));
    await release();
    const answered = Object.fromEntries(await Promise.all(pending));
    const answer = (name: string) => answered[name] as Record<string, unknown>;
    expect((await blocker).success).toBe(true);

    expect(answer('a')).toMatchObject({
      success: true,
      signals: ['QUOTA_AVAILABLE', 'EQUIPMENT_CHECKOUT_SUCCESS'],
    });
    expect(answer('b')).toMatchObject({
      success: true,
      signals: ['QUOTA_AVAILABLE', 'EQUIPMENT_CHECKOUT_SUCCESS'],
    });
    expect(answer('c')).toMatchObject({ success: false, signals: ['QUOTA_EXHAUSTED'] });
    expect(answer('dConflict')).toMatchObject({ success: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
    expect(answer('dReplay')).toMatchObject({ success: true, replayed: true });
    expect(answer('dReplay').signals).toEqual([
      'QUOTA_AVAILABLE',
      'EQUIPMENT_CHECKOUT_SUCCESS',
      'IDEMPOTENT_OPERATION_DETECTED',
    ]);
    // The same correlation_id twice in one group: answered once, the copy replayed.
    expect(answer('e1')).toMatchObject({ success: true });
    expect(answer('e1').replayed).toBeUndefined();
    expect(answer('e2')).toMatchObject({ success: true, replayed: true, metadata: answer('e1').metadata });
    // Two requests of one plan: the second decided on what the first committed.
    expect(answer('f1')).toMatchObject({ success: true });
    expect(answer('f2')).toMatchObject({ success: true });
    expect((answer('f2').metadata as { quota_updates: unknown[] }).quota_updates).toEqual([
      { service_id: SWAPS, used_before: 7, used_after: 8, increment: 1 },
      { service_id: ENERGY, used_before: 370.1, used_after: 395.7, increment: 25.6 },
    ]);
    // One battery wanted by two plans: the first gets it, the second is refused.
    expect(answer('g')).toMatchObject({ success: true });
    expect(answer('h')).toMatchObject({ success: false, signals: ['EQUIPMENT_ASSIGNED_TO_OTHER_PLAN'] });
    expect(answer('bad')).toMatchObject({
      success: false,
      signals: ['VALIDATION_FAILED'],
      error: { code: 'INVALID_VALUE' },
    });
    expect(answer('none')).toMatchObject({ success: false, error: { code: 'SERVICE_PLAN_NOT_FOUND' } });

    // The blocker alone; then one group of the eight that share nothing (A, B, C, the conflict on D, E,
    // the first of F, G, the unknown plan); then the five that waited for it (the replay on D, the copy
    // on E, the second of F, H after G, the refused B).
    expect(await groupMetrics(station)).toEqual({ groups: 2, members: 13, outcomes: { committed: 2 } });

    const after = await ledger(station);
    expect(after.states).toEqual([
      'grp-A swaps 7 BAT-OUT-A',
      'grp-A kwh 370.1 null',
      'grp-B swaps 7 BAT-OUT-B',
      'grp-B kwh 370.1 null',
      'grp-C swaps 10 BAT-HELD-C',
      'grp-C kwh 344.5 null',
      'grp-D swaps 7 BAT-OUT-D',
      'grp-D kwh 370.1 null',
      'grp-E swaps 7 BAT-OUT-E',
      'grp-E kwh 370.1 null',
      'grp-F swaps 8 BAT-OUT-F2',
      'grp-F kwh 395.7 null',
      'grp-G swaps 7 BAT-SHARED',
      'grp-G kwh 370.1 null',
      'grp-H swaps 6 BAT-HELD-H',
      'grp-H kwh 344.5 null',
      'grp-X swaps 7 BAT-OUT-X',
      'grp-X kwh 370.1 null',
    ]);
    expect(after.assets).toEqual([
      'BAT-HELD-A IN_STOCK null',
      'BAT-HELD-B IN_STOCK null',
      'BAT-HELD-C ISSUED grp-C',
      'BAT-HELD-D IN_STOCK null',
      'BAT-HELD-E IN_STOCK null',
      'BAT-HELD-F IN_STOCK null',
      'BAT-HELD-G IN_STOCK null',
      'BAT-HELD-H ISSUED grp-H',
      'BAT-HELD-X IN_STOCK null',
      'BAT-OUT-A ISSUED grp-A',
      'BAT-OUT-B ISSUED grp-B',
      'BAT-OUT-C IN_STOCK null',
      'BAT-OUT-D ISSUED grp-D',
      'BAT-OUT-E ISSUED grp-E',
      'BAT-OUT-F1 IN_STOCK null',
      'BAT-OUT-F2 ISSUED grp-F',
      'BAT-OUT-R IN_STOCK null',
      'BAT-OUT-X ISSUED grp-X',
      'BAT-SHARED ISSUED grp-G',
    ]);
    // Refused by its checks (INVALID_VALUE) or for a plan that does not exist: no key kept.
    expect(after.keys).toEqual([
      'grp-A grp-A-1',
      'grp-B grp-B-1',
      'grp-C grp-C-1',
      'grp-D grp-D-1',
      'grp-E grp-E-1',
      'grp-F grp-F-1',
      'grp-F grp-F-2',
      'grp-G grp-G-1',
      'grp-H grp-H-1',
      'grp-X grp-X-1',
    ]);
    expect(after.events).toEqual([
      'grp-A SERVICE_COMPLETED grp-A-1',
      'grp-B SERVICE_COMPLETED grp-B-1',
      'grp-C QUOTA_EXHAUSTED grp-C-1',
      'grp-D SERVICE_COMPLETED grp-D-1',
      'grp-E SERVICE_COMPLETED grp-E-1',
      'grp-F SERVICE_COMPLETED grp-F-1',
      'grp-F SERVICE_COMPLETED grp-F-2',
      'grp-G SERVICE_COMPLETED grp-G-1',
      'grp-X SERVICE_COMPLETED grp-X-1',
    ]);
    // The request refused by its checks can be sent again, corrected, under the same correlation_id.
    const again = await call('grp-B', checkout('grp-B-bad', 'BAT-OUT-R', 'BAT-OUT-B'));
    expect(again).toMatchObject({
      success: true,
      signals: ['QUOTA_AVAILABLE', 'EQUIPMENT_CHECKOUT_SUCCESS'],
    });
  }, 60_000);

  it('a database error in the group write runs every member on its own, and every one is answered', async () => {
    // Every statement that queues more than one event fails: the group's write; one request's does not.
    await sql`create or replace function grp_fail_many() returns trigger language plpgsql as $$
      begin
        if (select count(*) from inserted) > 1 then raise exception 'more than one event in a statement'; end if;
        return null;
      end $$`.execute(station.db);
    await sql`create trigger grp_fail_many after insert on outbox referencing new table as inserted
      for each statement execute function grp_fail_many()`.execute(station.db);
    try {
      const before = await groupMetrics(station);
      // Each plan gives back the battery it holds and takes the one it held at the start.
      const swaps = [
        ['grp-A', 'BAT-OUT-A', held('grp-A')],
        ['grp-D', 'BAT-OUT-D', held('grp-D')],
        ['grp-E', 'BAT-OUT-E', held('grp-E')],
        ['grp-G', 'BAT-SHARED', held('grp-G')],
      ] as const;
      const release = await holdDatabase(station, 'grp-X');
      const blocker = station.requester.call(
        'grp-X',
        'equipment_checkout',
        checkout('grp-X-2', held('grp-X'), 'BAT-OUT-X'),
      );
      await new Promise((r) => setTimeout(r, 200));
      const answers = swaps.map(([plan, incoming, outgoing]) =>
        station.requester.call(plan, 'equipment_checkout', checkout(`${plan}-2`, outgoing, incoming)),
      );
      await new Promise((r) => setTimeout(r, 300));
      await release();
      const done = await Promise.all(answers);
      expect((await blocker).success).toBe(true);
      for (const answer of done)
        expect(answer).toMatchObject({
          success: true,
          signals: ['QUOTA_AVAILABLE', 'EQUIPMENT_CHECKOUT_SUCCESS'],
        });
      const now = await groupMetrics(station);
      expect(now.groups - before.groups).toBe(1);
      expect(now.members - before.members).toBe(swaps.length);
      expect(now.outcomes['one-by-one'] ?? 0).toBe(1);
      const after = await ledger(station);
      for (const [plan, incoming, outgoing] of swaps) {
        expect(after.assets).toContain(`${outgoing} ISSUED ${plan}`);
        expect(after.assets).toContain(`${incoming} IN_STOCK null`);
        expect(after.states).toContain(`${plan} swaps 8 ${outgoing}`);
        expect(after.states).toContain(`${plan} kwh 395.7 null`);
        expect(after.keys).toContain(`${plan} ${plan}-2`);
        expect(after.events.filter((e) => e === `${plan} SERVICE_COMPLETED ${plan}-2`)).toHaveLength(1);
      }
    } finally {
      await sql`drop trigger if exists grp_fail_many on outbox`.execute(station.db);
    }
  }, 60_000);
});
