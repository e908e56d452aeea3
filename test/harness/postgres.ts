import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.SWAPD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  url: string;
  /** Stops new connections and ends the existing ones: the database is "down". */
  takeDown(): Promise<void>;
  bringUp(): Promise<void>;
  drop(): Promise<void>;
}

async function admin<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database of its own for one test file (migrations are applied by swapd). */
export async function createTestDatabase(prefix = 'swapd_t'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const terminate = (c: pg.Client) =>
    c.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [name],
    );
  return {
    name,
    url: url.toString(),
    takeDown: () =>
      admin(async (c) => {
        await c.query(`alter database ${name} allow_connections false`);
        await terminate(c);
      }),
    bringUp: () =>
      admin((c) => c.query(`alter database ${name} allow_connections true`)).then(() => undefined),
    drop: () =>
      admin(async (c) => {
        await terminate(c);
        await c.query(`drop database if exists ${name}`);
      }),
  };
}
