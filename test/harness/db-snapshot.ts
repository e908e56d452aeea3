import { sql } from 'kysely';
import type { Db } from '../../src/ports/database.js';

const TABLES = [
  'plans',
  'service_states',
  'assets',
  'fsm_snapshots',
  'events',
  'outbox',
  'payments',
  'idempotency_keys',
];

/** Every row of the business tables, in a stable order: compare two to prove nothing changed. */
export async function snapshot(db: Db, tables: string[] = TABLES): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    const result = await sql<{
      row: string;
    }>`select row_to_json(t)::text as row from ${sql.table(table)} t`.execute(db);
    out[table] = result.rows.map((r) => r.row).sort();
  }
  return out;
}
