import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { type DatabaseHandle, openDatabase } from '../../src/adapters/db/connect.js';
import { migrateToLatest } from '../../src/adapters/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';

/** One set of migrations for both databases; running them again changes nothing. */
describe.each(['postgres', 'pglite'] as const)('migrations on %s', (kind) => {
  let pg: TestDatabase | null = null;
  let handle: DatabaseHandle;
  afterAll(async () => {
    await handle?.close();
    await pg?.drop();
  });

  it('apply once, then again with nothing left to do; the invariants are constraints', async () => {
    pg = kind === 'postgres' ? await createTestDatabase() : null;
    handle = await openDatabase({ url: pg?.url ?? null, dataDir: '.', inMemory: true });
    expect((await migrateToLatest(handle.db)).applied).toEqual(Object.keys(migrations));
    expect((await migrateToLatest(handle.db)).applied).toEqual([]);
    const checks = await sql<{
      conname: string;
    }>`select conname from pg_constraint where contype in ('c', 'u') order by conname`.execute(handle.db);
    const names = checks.rows.map((r) => r.conname);
    expect(names).toEqual(
      expect.arrayContaining([
        'service_states_used_within_quota',
        'assets_holder_iff_out',
        'service_states_asset_once',
      ]),
    );
  });
});
