import { CompiledQuery } from 'kysely';
import type { Db, Executor } from '../../ports/database.js';

/** A statement with constant text; the name lets Postgres keep it prepared per connection. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

export interface SqlResult<R> {
  rows: R[];
  rowCount: number;
}

/** The subset of one database connection the request path needs. */
export interface SqlClient {
  query<R>(statement: Statement, values: readonly unknown[]): Promise<SqlResult<R>>;
}

/** A connection from the pool under a Kysely Db (pg's PoolClient, or PGlite's turn). */
export interface RawConnection {
  query<R>(statement: Statement | string, values?: readonly unknown[]): Promise<SqlResult<R>>;
  /** `broken` drops the connection instead of returning it to the pool. */
  release(broken?: boolean): void;
}

export interface RawPool {
  connect(): Promise<RawConnection>;
  /** The database runs on this thread (PGlite): its statements take no time on the event loop's clock. */
  readonly inline?: boolean;
}

const RAW_POOLS = new WeakMap<Db, RawPool>();

/** Set by openDatabase: the pool behind `db`, for the request path's prepared statements. */
export function registerRawPool(db: Db, pool: RawPool): void {
  RAW_POOLS.set(db, pool);
}

export function rawPoolOf(db: Db): RawPool | undefined {
  return RAW_POOLS.get(db);
}

/** The same statements through a Kysely transaction (unnamed): for a Db opened elsewhere. */
export function kyselyClient(tx: Executor): SqlClient {
  return {
    async query<R>(statement: Statement, values: readonly unknown[]) {
      const result = await tx.executeQuery<R>(CompiledQuery.raw(statement.text, [...values]));
      return { rows: [...result.rows], rowCount: Number(result.numAffectedRows ?? result.rows.length) };
    },
  };
}

/** BEGIN … COMMIT on one pooled connection; ROLLBACK on any error, and a broken connection is dropped. */
export async function inRawTransaction<T>(
  pool: RawPool,
  work: (client: SqlClient) => Promise<T>,
): Promise<T> {
  const conn = pool.inline ? yielding(await pool.connect()) : await pool.connect();
  let broken = false;
  try {
    await conn.query('begin');
    const out = await work(conn);
    await conn.query('commit');
    return out;
  } catch (err) {
    await conn.query('rollback').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    conn.release(broken);
  }
}

/**
 * A database on this thread runs a transaction start to end as one chain of microtasks: no message that
 * arrives meanwhile would be read until it is over (and no request could join a request group while
 * another is in its transaction). A turn of the event loop before each statement lets them in.
 */
function yielding(conn: RawConnection): RawConnection {
  return {
    query: async (statement, values) => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      return conn.query(statement, values);
    },
    release: (broken) => conn.release(broken),
  };
}
