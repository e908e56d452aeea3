import { CompiledQuery } from 'kysely';
import type { Db, Executor } from '../../ports/database.js';
import type { Bracket } from './pg-bracketed-query.js';

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
  /**
   * The transaction's last statement: the transaction commits with it, in its round trip where the
   * connection can, else right after it. Nothing may be checked after it, so the statement checks its
   * own counts (raising on a mismatch rolls the transaction back).
   */
  queryAndCommit<R>(statement: Statement, values: readonly unknown[]): Promise<SqlResult<R>>;
}

/** A connection from the pool under a Kysely Db (pg's PoolClient, or PGlite's turn). */
export interface RawConnection {
  query<R>(statement: Statement | string, values?: readonly unknown[]): Promise<SqlResult<R>>;
  /** The statement with BEGIN before it and/or COMMIT after it in one round trip (pg; not PGlite). */
  queryBracketed?<R>(
    statement: Statement,
    values: readonly unknown[],
    bracket: Bracket,
  ): Promise<SqlResult<R>>;
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
  const query = async <R>(statement: Statement, values: readonly unknown[]) => {
    const result = await tx.executeQuery<R>(CompiledQuery.raw(statement.text, [...values]));
    return { rows: [...result.rows], rowCount: Number(result.numAffectedRows ?? result.rows.length) };
  };
  return { query, queryAndCommit: query };
}

/**
 * One transaction on one connection. BEGIN goes out with the first statement and COMMIT with the one
 * marked last when the connection can send them in one round trip (pg: two round trips saved per
 * transaction); otherwise each is a statement of its own, as before. Nothing sent: nothing to commit.
 */
class RawTransaction implements SqlClient {
  readonly #conn: RawConnection;
  #state: 'idle' | 'open' | 'committed' = 'idle';

  constructor(conn: RawConnection) {
    this.#conn = conn;
  }

  async query<R>(statement: Statement, values: readonly unknown[]): Promise<SqlResult<R>> {
    return this.#send<R>(statement, values, false);
  }

  async queryAndCommit<R>(statement: Statement, values: readonly unknown[]): Promise<SqlResult<R>> {
    return this.#send<R>(statement, values, true);
  }

  async #send<R>(statement: Statement, values: readonly unknown[], commit: boolean): Promise<SqlResult<R>> {
    if (this.#state === 'committed') throw new Error(`${statement.name}: the transaction is over`);
    const begin = this.#state === 'idle';
    // Open from here on: a failure may have left the BEGIN done, and a ROLLBACK is then due.
    this.#state = 'open';
    if (this.#conn.queryBracketed) {
      const result = await this.#conn.queryBracketed<R>(statement, values, { begin, commit });
      if (commit) this.#state = 'committed';
      return result;
    }
    if (begin) await this.#conn.query('begin');
    const result = await this.#conn.query<R>(statement, values);
    if (commit) {
      await this.#conn.query('commit');
      this.#state = 'committed';
    }
    return result;
  }

  /** Commits what is open (the work ended without a statement marked last). */
  async finish(): Promise<void> {
    if (this.#state !== 'open') return;
    await this.#conn.query('commit');
    this.#state = 'committed';
  }

  /** After a failure: rolls back what is open; false when the connection could not even do that. */
  async abort(): Promise<boolean> {
    if (this.#state !== 'open') return true;
    return this.#conn.query('rollback').then(
      () => true,
      () => false,
    );
  }
}

/** BEGIN … COMMIT on one pooled connection; ROLLBACK on any error, and a broken connection is dropped. */
export async function inRawTransaction<T>(
  pool: RawPool,
  work: (client: SqlClient) => Promise<T>,
): Promise<T> {
  const conn = pool.inline ? yielding(await pool.connect()) : await pool.connect();
  const tx = new RawTransaction(conn);
  let broken = false;
  try {
    const out = await work(tx);
    await tx.finish();
    return out;
  } catch (err) {
    broken = !(await tx.abort());
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
