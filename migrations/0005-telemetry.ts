import { type Kysely, sql } from 'kysely';

/**
 * SPEC-003 ingest: the latest reading of each battery (one row per asset, kept current), a bounded
 * history of readings (at most one row per asset per write interval, pruned by age), and the latest
 * message of each site per message type (GET /api/v1/status and /api/v1/fleet).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('telemetry_latest')
    .addColumn('asset_id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('measured_at', 'timestamptz', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('soc_pct', 'double precision', (c) => c.notNull())
    .addColumn('energy_kwh', 'numeric')
    .addColumn('voltage_v', 'double precision')
    .addColumn('temperature_c', 'double precision', (c) => c.notNull())
    .addColumn('message', 'jsonb', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('telemetry_history')
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('measured_at', 'timestamptz', (c) => c.notNull())
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('soc_pct', 'double precision', (c) => c.notNull())
    .addColumn('energy_kwh', 'numeric')
    .addColumn('power_kw', 'double precision', (c) => c.notNull())
    .addColumn('voltage_v', 'double precision')
    .addColumn('current_a', 'double precision')
    .addColumn('temperature_c', 'double precision', (c) => c.notNull())
    .addColumn('mode', 'smallint', (c) => c.notNull())
    .addColumn('alarm_code', 'bigint', (c) => c.notNull())
    .addColumn('soh_pct', 'double precision')
    .addColumn('slot', 'integer')
    .addPrimaryKeyConstraint('telemetry_history_pk', ['asset_id', 'measured_at'])
    .execute();
  await sql`create index telemetry_history_age_idx on telemetry_history (measured_at)`.execute(db);

  await db.schema
    .createTable('telemetry_site_latest')
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('message_type', 'text', (c) => c.notNull())
    .addColumn('measured_at', 'timestamptz', (c) => c.notNull())
    .addColumn('message', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('telemetry_site_latest_pk', ['site_id', 'message_type'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('telemetry_site_latest').ifExists().execute();
  await db.schema.dropTable('telemetry_history').ifExists().execute();
  await db.schema.dropTable('telemetry_latest').ifExists().execute();
}
