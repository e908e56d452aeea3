import { type Kysely, sql } from 'kysely';

/**
 * The station page's "last swaps" and "last payments" read the newest rows of tables that grow with
 * every swap: an index each keeps those reads to a few rows instead of a scan and sort of the table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists events_type_created_idx on events (event_type, created_at)`.execute(
    db,
  );
  await sql`create index if not exists payments_created_idx on payments (created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists payments_created_idx`.execute(db);
  await sql`drop index if exists events_type_created_idx`.execute(db);
}
