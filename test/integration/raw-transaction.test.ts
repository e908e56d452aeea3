import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/adapters/db/connect.js';
import { refusedAsInternal } from '../../src/adapters/db/effects.repo.js';
import { migrateToLatest } from '../../src/adapters/db/migrate.js';
import {
  inRawTransaction,
  type RawConnection,
  type RawPool,
  rawPoolOf,
  type Statement,
} from '../../src/adapters/db/sql-client.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';

/** The pool under `db`, counting every call that goes to the database (one call, one round trip). */
function countingPool(handle: DatabaseHandle): { pool: RawPool; trips: () => number } {
  const raw = rawPoolOf(handle.db);
  if (!raw) throw new Error('no raw pool');
  let trips = 0;
  const pool: RawPool = {
    ...(raw.inline ? { inline: true } : {}),
    async connect(): Promise<RawConnection> {
      const conn = await raw.connect();
      const counted: RawConnection = {
        query: (statement, values) => {
          trips++;
          return conn.query(statement, values);
        },
        release: (broken) => conn.release(broken),
      };
      const bracketed = conn.queryBracketed?.bind(conn);
      if (bracketed)
        counted.queryBracketed = (statement, values, bracket) => {
          trips++;
          return bracketed(statement, values, bracket);
        };
      return counted;
    },
  };
  return { pool, trips: () => trips };
}

const INSERT: Statement = {
  name: 'rt_insert',
  text: 'insert into rt_rows (n) values ($1) returning n, now()::text as at',
};
const CHECKED: Statement = {
  name: 'rt_checked',
  text: "insert into rt_rows (n) values ($1) returning swapd_expect($2::bigint, $3::bigint, 'rows') as ok",
};
const FAILING: Statement = { name: 'rt_divide', text: 'select 1 / $1::int as q' };
const LATE: Statement = {
  name: 'rt_late',
  text: 'select count(*)::int as n from rt_late_table where $1::int > 0',
};

async function rowsNow(handle: DatabaseHandle): Promise<number[]> {
  const { rows } = await sql<{ n: number }>`select n from rt_rows order by n`.execute(handle.db);
  return rows.map((r) => Number(r.n));
}

/**
 * The request path's transaction on one connection: on Postgres BEGIN travels with the first statement
 * and COMMIT with the last (two round trips where there were four), with the same meaning as four
 * separate statements: one transaction, rolled back whole on any failure, the connection usable after.
 */
describe.each(['postgres', 'pglite'] as const)('a raw transaction on %s', (kind) => {
  let pg: TestDatabase | null = null;
  let handle: DatabaseHandle;
  let pool: RawPool;
  let trips: () => number;

  beforeAll(async () => {
    pg = kind === 'postgres' ? await createTestDatabase() : null;
    handle = await openDatabase({ url: pg?.url ?? null, dataDir: '.', inMemory: true, poolSize: 1 });
    await migrateToLatest(handle.db);
    await sql`create table rt_rows (n integer primary key)`.execute(handle.db);
    ({ pool, trips } = countingPool(handle));
  });

  afterAll(async () => {
    await handle?.close();
    await pg?.drop();
  });

  it('two statements are one transaction, in two round trips on Postgres (four on PGlite)', async () => {
    await sql`delete from rt_rows`.execute(handle.db);
    const before = trips();
    const [first, last] = await inRawTransaction(pool, async (tx) => {
      const a = await tx.query<{ at: string }>(INSERT, [1]);
      await new Promise((r) => setTimeout(r, 15));
      const b = await tx.queryAndCommit<{ at: string }>(INSERT, [2]);
      return [a.rows[0]?.at, b.rows[0]?.at];
    });
    expect(first).toBeDefined();
    expect(last).toBe(first); // now() is the transaction's start: one transaction
    expect(trips() - before).toBe(kind === 'postgres' ? 2 : 4);
    expect(await rowsNow(handle)).toEqual([1, 2]);
  });

  it('holds what it wrote invisible to others until the COMMIT that travels with its last statement', async () => {
    await sql`delete from rt_rows`.execute(handle.db);
    if (kind === 'pglite') return; // one connection: nobody else to look
    const other = await openDatabase({ url: pg?.url ?? null, dataDir: '.', poolSize: 1 });
    try {
      await inRawTransaction(pool, async (tx) => {
        await tx.query(INSERT, [10]);
        expect(await rowsNow(other)).toEqual([]);
        await tx.queryAndCommit(INSERT, [11]);
      });
      expect(await rowsNow(other)).toEqual([10, 11]);
    } finally {
      await other.close();
    }
  });

  it('a count the last statement refuses rolls the whole transaction back; the connection goes on', async () => {
    await sql`delete from rt_rows`.execute(handle.db);
    const failed = inRawTransaction(pool, async (tx) => {
      await tx.query(INSERT, [20]);
      await tx.queryAndCommit(CHECKED, [21, 1, 2]);
    });
    await expect(failed).rejects.toMatchObject({ code: 'SW001', message: 'rows: 1 instead of 2' });
    expect(await rowsNow(handle)).toEqual([]);
    await inRawTransaction(pool, async (tx) => {
      await tx.query(INSERT, [22]);
      await tx.queryAndCommit(CHECKED, [23, 1, 1]);
    });
    expect(await rowsNow(handle)).toEqual([22, 23]);
  });

  it('a refused count reaches the request as INTERNAL_ERROR naming the write; other errors pass unchanged', async () => {
    await sql`delete from rt_rows`.execute(handle.db);
    const refused = inRawTransaction(pool, (tx) =>
      refusedAsInternal(tx.queryAndCommit(CHECKED, [30, 1, 3]), () => 'test write of 1 row'),
    );
    await expect(refused).rejects.toMatchObject({
      code: 'INTERNAL_ERROR',
      message: 'test write of 1 row refused (rows: 1 instead of 3)',
    });
    const failing = inRawTransaction(pool, (tx) =>
      refusedAsInternal(tx.query(FAILING, [0]), () => 'never named'),
    );
    await expect(failing).rejects.toThrow(/division by zero/);
    await expect(failing).rejects.not.toMatchObject({ code: 'INTERNAL_ERROR' });
    expect(await rowsNow(handle)).toEqual([]);
  });

  it('a first statement that fails (with BEGIN beside it) leaves nothing open', async () => {
    await sql`delete from rt_rows`.execute(handle.db);
    await expect(
      inRawTransaction(pool, async (tx) => {
        await tx.query(FAILING, [0]);
      }),
    ).rejects.toMatchObject({ code: '22012' });
    const q = await inRawTransaction(pool, async (tx) => {
      await tx.query(INSERT, [30]);
      return (await tx.queryAndCommit<{ q: number }>(FAILING, [1])).rows[0]?.q;
    });
    expect(q).toBe(1);
    expect(await rowsNow(handle)).toEqual([30]);
  });

  it('a statement whose first parse fails is parsed again next time (the connection keeps no false record)', async () => {
    await expect(inRawTransaction(pool, (tx) => tx.queryAndCommit(LATE, [1]))).rejects.toMatchObject({
      code: '42P01',
    });
    await sql`create table if not exists rt_late_table (x integer)`.execute(handle.db);
    const n = await inRawTransaction(
      pool,
      async (tx) => (await tx.queryAndCommit<{ n: number }>(LATE, [1])).rows[0]?.n,
    );
    expect(n).toBe(0);
  });

  it('work that sends nothing costs nothing; work without a last statement commits after it', async () => {
    await sql`delete from rt_rows`.execute(handle.db);
    let before = trips();
    expect(await inRawTransaction(pool, async () => 'nothing')).toBe('nothing');
    expect(trips() - before).toBe(0);
    before = trips();
    await inRawTransaction(pool, async (tx) => {
      await tx.query(INSERT, [40]);
    });
    expect(trips() - before).toBe(kind === 'postgres' ? 2 : 3);
    expect(await rowsNow(handle)).toEqual([40]);
  });

  it('nothing is sent after the last statement: the transaction is over', async () => {
    await sql`delete from rt_rows`.execute(handle.db);
    await expect(
      inRawTransaction(pool, async (tx) => {
        await tx.queryAndCommit(INSERT, [50]);
        await tx.query(INSERT, [51]);
      }),
    ).rejects.toThrow(/the transaction is over/);
    // What committed stays committed; the second statement never reached the database.
    expect(await rowsNow(handle)).toEqual([50]);
  });
});
