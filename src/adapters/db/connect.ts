import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from '../../log.js';
import type { Database, Db } from '../../ports/database.js';
import { queryBracketed } from './pg-bracketed-query.js';
import { PGlitePool } from './pglite-pool.js';
import { type RawConnection, type RawPool, registerRawPool, type Statement } from './sql-client.js';

export interface DatabaseHandle {
  readonly db: Db;
  readonly kind: 'postgres' | 'pglite';
  /** Where it lives, without credentials. */
  readonly description: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgres://… or null for the embedded PGlite database in dataDir. */
  url: string | null;
  dataDir: string;
  poolSize?: number;
  /** PGlite only: keep the database in memory (tests). */
  inMemory?: boolean;
  /** Where lost connections are reported (Postgres). */
  log?: Logger;
}

// int8 and numeric stay strings (exact); counts are cast where numbers are wanted.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgres://${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'postgres';
  }
}

/**
 * pg's pool, made to survive a database that goes away: every client gets an error handler the moment
 * it connects (pg emits 'error' on a client whose socket dies, also while it is checked out and in the
 * middle of a query; unhandled, that ends the process), and the pool's own handler covers idle clients.
 * A failed client is not queryable any more, so the pool drops it on release and opens a new connection
 * for the next caller: the pool reconnects by itself once the database answers again, and queries
 * meanwhile fail with connection errors that the request path answers as SERVICE_UNAVAILABLE.
 */
export function resilientPgPool(config: pg.PoolConfig, log?: Logger): pg.Pool {
  const pool = new pg.Pool(config);
  const lost = (err: Error) => log?.warn({ err }, 'database connection lost; the pool will open a new one');
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  return pool;
}

/**
 * Session settings of swapd's own connections. The request path's named statements are planned once,
 * generically: left to choose, Postgres planned the one-request write afresh on every call (its
 * generic plan looks costlier on paper), which cost more than executing it. The generic plans are the
 * ones test/contract/hot-plans.test.ts checks. Statements Kysely sends are unnamed and not affected.
 */
export const SESSION_OPTIONS = '-c plan_cache_mode=force_generic_plan';

function openPostgres(url: string, poolSize: number, log?: Logger): DatabaseHandle {
  const pool = resilientPgPool(
    { connectionString: url, max: poolSize, connectionTimeoutMillis: 5000, options: SESSION_OPTIONS },
    log,
  );
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  registerRawPool(db, pgRawPool(pool));
  return { db, kind: 'postgres', description: describeUrl(url), close: () => db.destroy() };
}

/** pg's pool as a RawPool: the request path's statements are named, so each is parsed once per connection. */
function pgRawPool(pool: pg.Pool): RawPool {
  return {
    async connect(): Promise<RawConnection> {
      const client = await pool.connect();
      return {
        async query<R>(statement: Statement | string, values: readonly unknown[] = []) {
          const result =
            typeof statement === 'string'
              ? await client.query(statement)
              : await client.query({ name: statement.name, text: statement.text, values: [...values] });
          return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
        },
        queryBracketed: (statement, values, bracket) => queryBracketed(client, statement, values, bracket),
        release: (broken) => client.release(broken === true),
      };
    },
  };
}

/**
 * PGlite's memory: Postgres' default 128 MB buffer pool was most of the embedded database's RSS;
 * 16 MB holds a station's working set (the data files stay in the OS page cache under it).
 */
const PGLITE_OPTIONS = { startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'] };

/**
 * Once, after a first start: the closed initdb instance's memory is given back only by a full garbage
 * collection, which an idle process may not run for hours (722 MB RSS instead of 282 MB measured).
 */
function fullGarbageCollection(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function openPGlite(dataDir: string, inMemory: boolean): Promise<DatabaseHandle> {
  const dir = resolve(dataDir, 'pglite');
  if (!inMemory) mkdirSync(dir, { recursive: true });
  const fresh = !inMemory && !existsSync(join(dir, 'PG_VERSION'));
  let lite = await PGlite.create(inMemory ? PGLITE_OPTIONS : { dataDir: dir, ...PGLITE_OPTIONS });
  if (fresh) {
    // A first start runs initdb, which leaves its WebAssembly memory grown for good (≈ 400 MB more
    // RSS); reopening the new cluster (≈ 0.15 s, once) and a full collection let that memory go.
    await lite.close();
    lite = await PGlite.create({ dataDir: dir, ...PGLITE_OPTIONS });
    // The closed instance is still referenced for a moment (its last promises): collect a little later.
    setTimeout(fullGarbageCollection, 1000).unref();
  }
  const pool = new PGlitePool(lite);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  registerRawPool(db, pool.raw);
  return {
    db,
    kind: 'pglite',
    description: inMemory ? 'pglite (memory)' : `pglite ${dir}`,
    close: async () => {
      await db.destroy();
      await lite.close();
    },
  };
}

/** Postgres when a URL is given, the embedded PGlite database otherwise. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) return openPostgres(options.url, options.poolSize ?? 10, options.log);
  return openPGlite(options.dataDir, options.inMemory ?? false);
}
