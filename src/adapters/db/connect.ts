import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database, Db } from '../../ports/database.js';
import { PGlitePool } from './pglite-pool.js';

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

function openPostgres(url: string, poolSize: number): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000 });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it and queries report the fault.
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', description: describeUrl(url), close: () => db.destroy() };
}

async function openPGlite(dataDir: string, inMemory: boolean): Promise<DatabaseHandle> {
  const dir = resolve(dataDir, 'pglite');
  if (!inMemory) mkdirSync(dir, { recursive: true });
  const lite = await PGlite.create(inMemory ? undefined : dir);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new PGlitePool(lite) }) });
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
  if (options.url) return openPostgres(options.url, options.poolSize ?? 10);
  return openPGlite(options.dataDir, options.inMemory ?? false);
}
