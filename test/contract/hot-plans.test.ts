import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heldBattery, planId, stockBattery } from '../../bench/fleet.js';
import { seedFleet } from '../../bench/seed.js';
import { type DatabaseHandle, openDatabase } from '../../src/adapters/db/connect.js';
import { migrateToLatest } from '../../src/adapters/db/migrate.js';
import { ADD_QUOTA, RENEW_QUOTA, WRITE } from '../../src/adapters/db/request-sql.js';
import { rawPoolOf } from '../../src/adapters/db/sql-client.js';
import { loadTemplates } from '../../src/adapters/templates/template-loader.js';
import { upsertTemplates } from '../../src/admin/admin.repo.js';
import { PROJECT_ROOT } from '../../src/main.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';

/** Tables every request touches: a sequential scan of any of them grows with the fleet. */
const HOT_TABLES = /Seq Scan on (assets|plans|service_states|idempotency_keys)\b/;
const PLANS = 2000;

function literal(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    if (value.length === 0) return `'{}'`;
    const of = (t: string) => value.every((v) => typeof v === t);
    const type = of('number') ? 'integer' : of('boolean') ? 'boolean' : 'text';
    return `array[${value.map(literal).join(',')}]::${type}[]`;
  }
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  const text = value instanceof Date ? value.toISOString() : String(value);
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The request path's statements, planned generically (as a prepared statement is after a few runs, and
 * as the claim function always is) over a fleet-sized database: none may scan a hot table. The plan
 * depends on statistics, so the test builds the statistics itself (a seeded fleet, then ANALYZE).
 */
describe('hot statements keep to index lookups (postgres, generic plans)', () => {
  let db: TestDatabase;
  let handle: DatabaseHandle;
  let client: pg.Client;
  const notices: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    handle = await openDatabase({ url: db.url, dataDir: '.', poolSize: 2 });
    await migrateToLatest(handle.db);
    await upsertTemplates(handle.db, loadTemplates(`${PROJECT_ROOT}/templates`));
    await seedFleet(handle.db, PLANS);
    client = new pg.Client({ connectionString: db.url });
    client.on('error', () => {});
    client.on('notice', (n) => notices.push(n.message ?? ''));
    await client.connect();
    await client.query(`insert into idempotency_keys (scope, key, plan_id, operation, request_hash, response)
      select 'request', 'k-' || g, 'bench-plan-' || lpad((1 + g % ${PLANS})::text, 5, '0'), 'equipment_checkout', 'h', '{}'
      from generate_series(1, 20000) g`);
    await client.query('analyze');
  }, 120_000);
  afterAll(async () => {
    await client?.end();
    await handle?.close();
    await db?.drop();
  });

  /** Every statement a function runs is explained (as a notice), with the plan it was given. */
  async function autoExplainNested(): Promise<void> {
    await client.query("load 'auto_explain'");
    await client.query('set auto_explain.log_min_duration = 0');
    await client.query('set auto_explain.log_nested_statements = on');
    await client.query('set auto_explain.log_level = notice');
    await client.query('set plan_cache_mode = auto');
  }

  async function genericPlan(name: string, text: string, values: unknown[]): Promise<string> {
    await client.query(`prepare ${name} as ${text}`);
    await client.query('set plan_cache_mode = force_generic_plan');
    const plan = await client.query<{ 'QUERY PLAN': string }>(
      `explain execute ${name}(${values.map(literal).join(', ')})`,
    );
    await client.query(`deallocate ${name}`);
    return plan.rows.map((r) => r['QUERY PLAN']).join('\n');
  }

  it("swapd's own connections plan its named statements generically (the plans checked here)", async () => {
    const conn = await rawPoolOf(handle.db)?.connect();
    try {
      const { rows } = (await conn?.query<{ plan_cache_mode: string }>('show plan_cache_mode')) ?? {
        rows: [],
      };
      expect(rows).toEqual([{ plan_cache_mode: 'force_generic_plan' }]);
    } finally {
      conn?.release();
    }
  });

  it('the write statement looks batteries up by key', async () => {
    const assets = [
      {
        asset_id: heldBattery(7),
        status: 'IN_STOCK',
        holder_plan_id: null,
        set_station: true,
        station_id: 'S',
      },
      {
        asset_id: stockBattery(9),
        status: 'ISSUED',
        holder_plan_id: planId(7),
        set_station: false,
        station_id: null,
      },
    ];
    const plan = await genericPlan('w', WRITE.text, [
      planId(7),
      new Date(),
      '[]',
      JSON.stringify(assets),
      JSON.stringify([
        { service_id: 'svc', increment: '1', guarded: true, set_asset: false, asset_id: null },
      ]),
      2,
      'c-1',
      '[]',
      false,
      null,
      null,
      '[]',
      '{}',
      'request',
      'c-1',
      'equipment_checkout',
      assets.map((a) => a.asset_id),
      1,
    ]);
    expect(plan).not.toMatch(HOT_TABLES);
    expect(plan, plan).toMatch(/Index Scan (using|on) assets_pkey/);
  });

  it('the group functions are planned generically and never scan a table, whatever the statistics', async () => {
    const { rows } = await client.query<{ proname: string; proconfig: string[] }>(
      `select proname, proconfig from pg_proc where proname in ('swapd_claim_and_read_group', 'swapd_group_write')
       order by proname`,
    );
    expect(rows).toEqual([
      {
        proname: 'swapd_claim_and_read_group',
        proconfig: ['plan_cache_mode=force_generic_plan', 'enable_seqscan=off'],
      },
      {
        proname: 'swapd_group_write',
        proconfig: ['plan_cache_mode=force_generic_plan', 'enable_seqscan=off'],
      },
    ]);
  });

  it("a group's write looks every row up by key", async () => {
    const at = new Date().toISOString();
    const plans = [planId(7), planId(8)];
    const text = (n: number, v: string | null) => Array.from({ length: n }, () => v);
    const values = [
      // cycles
      plans,
      ['service_cycle', 'service_cycle'],
      [1, 1],
      ['BATTERY_ISSUED', 'BATTERY_ISSUED'],
      '[{}, {}]',
      text(2, null),
      text(2, null),
      text(2, at),
      // batteries
      [heldBattery(7), stockBattery(9), heldBattery(8), stockBattery(10)],
      ['IN_STOCK', 'ISSUED', 'IN_STOCK', 'ISSUED'],
      [null, planId(7), null, planId(8)],
      [true, false, true, false],
      ['S', null, 'S', null],
      text(4, at),
      // service states
      plans,
      ['svc', 'svc'],
      ['1', '1'],
      [true, true],
      [true, true],
      [stockBattery(9), stockBattery(10)],
      text(2, at),
      4,
      // events
      ['00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002'],
      ['SERVICE_COMPLETED', 'SERVICE_COMPLETED'],
      plans,
      ['c-1', 'c-2'],
      ['t', 't'],
      '[{}, {}]',
      // returned
      [planId(7)],
      [null],
      [null],
      [at],
      // audits
      [],
      [],
      [],
      [],
      '[]',
      [],
      // responses
      ['request', 'request'],
      ['c-1', 'c-2'],
      plans,
      ['equipment_checkout', 'equipment_checkout'],
      '[{}, {}]',
      // dropped keys
      ['request'],
      ['c-3'],
      [planId(9)],
      ['equipment_checkout'],
    ];
    await autoExplainNested();
    notices.length = 0;
    await client.query('begin');
    // The function itself (GROUP_WRITE wraps it in its count checks, which data of this test need not meet).
    await client.query(
      `select * from swapd_group_write(${values.map((_, i) => `$${i + 1}`).join(', ')})`,
      values,
    );
    await client.query('rollback');
    const nested = notices.filter((n) => !n.includes('from swapd_group_write($1'));
    expect(nested.length).toBeGreaterThan(0);
    for (const n of nested) expect(n, n).not.toMatch(HOT_TABLES);
    expect(nested.join('\n')).toMatch(/Index Scan (using|on) assets_pkey/);
  });

  it.each([
    ['add quota', ADD_QUOTA.text, [planId(1), 'svc', '5', new Date()]],
    ['renew quota', RENEW_QUOTA.text, [planId(1), 'svc', '10', new Date()]],
  ])('%s updates one service row by key', async (_name, text, values) => {
    const plan = await genericPlan('q', text, values);
    expect(plan).not.toMatch(HOT_TABLES);
  });

  it('the claim-and-read function plans every query generically without a hot-table scan', async () => {
    await client.query("load 'auto_explain'");
    await client.query('set auto_explain.log_min_duration = 0');
    await client.query('set auto_explain.log_nested_statements = on');
    await client.query('set auto_explain.log_level = notice');
    await client.query('set plan_cache_mode = auto');
    for (const [lock, key, plan] of [
      [true, 'new-1', planId(3)],
      [false, 'new-2', planId(4)],
      [true, 'k-10', planId(11)],
    ] as const) {
      notices.length = 0;
      await client.query('begin');
      await client.query(
        'select * from swapd_claim_and_read($1, $2, $3, $4, $5, $6::text[], $7::text[], $8)',
        ['request', key, plan, 'equipment_checkout', 'h', [heldBattery(3), stockBattery(5)], [], lock],
      );
      await client.query('rollback');
      const nested = notices.filter((n) => !n.includes('swapd_claim_and_read($1'));
      expect(nested.length).toBeGreaterThan(0);
      for (const n of nested) expect(n).not.toMatch(HOT_TABLES);
    }
  });

  it("the group's claim-and-read function plans every query generically without a hot-table scan", async () => {
    await client.query("load 'auto_explain'");
    await client.query('set auto_explain.log_min_duration = 0');
    await client.query('set auto_explain.log_nested_statements = on');
    await client.query('set auto_explain.log_level = notice');
    await client.query('set plan_cache_mode = auto');
    for (let round = 0; round < 2; round++) {
      notices.length = 0;
      await client.query('begin');
      await client.query(
        `select * from swapd_claim_and_read_group($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
          $6::integer[], $7::text[], $8::integer[], $9::text[])`,
        [
          ['request', 'request', 'request'],
          [`group-${round}-1`, `group-${round}-2`, 'k-10'],
          [planId(3), planId(4), planId(11)],
          ['equipment_checkout', 'equipment_checkout', 'equipment_checkout'],
          ['h', 'h', 'h'],
          [1, 1, 2, 2],
          [heldBattery(3), stockBattery(5), heldBattery(4), stockBattery(6)],
          [1],
          ['pay-1'],
        ],
      );
      await client.query('rollback');
      const nested = notices.filter((n) => !n.includes('swapd_claim_and_read_group($1'));
      expect(nested.length).toBeGreaterThan(4);
      for (const n of nested) expect(n, n).not.toMatch(HOT_TABLES);
    }
  });
});
