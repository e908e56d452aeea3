import { type Kysely, sql } from 'kysely';

/**
 * The first schema: plans and their service states, assets, idempotency keys, events, the outbox,
 * cycle snapshots, payments and the audit log. The CHECK and UNIQUE constraints carry SPEC §6's
 * invariants into the database itself (quota never exceeded, one holder per battery, an issued
 * battery not in stock, one application per key).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('templates')
    .addColumn('template_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('definition', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('plans')
    .addColumn('plan_id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('template_id', 'text', (c) => c.notNull().references('templates.template_id'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('ACTIVE'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('plans_status_known', sql`status in ('ACTIVE', 'SUSPENDED', 'COMPLETE')`)
    .execute();
  await db.schema.createIndex('plans_customer_idx').on('plans').column('customer_id').execute();

  await db.schema
    .createTable('assets')
    .addColumn('asset_id', 'text', (c) => c.primaryKey())
    .addColumn('capacity_kwh', 'numeric', (c) => c.notNull())
    .addColumn('station_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('IN_STOCK'))
    .addColumn('holder_plan_id', 'text', (c) => c.references('plans.plan_id'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('assets_capacity_positive', sql`capacity_kwh > 0`)
    .addCheckConstraint(
      'assets_status_known',
      sql`status in ('IN_STOCK', 'ISSUED', 'LOST', 'FAULTED', 'RETIRED')`,
    )
    .addCheckConstraint(
      'assets_holder_iff_out',
      sql`(status in ('ISSUED', 'LOST')) = (holder_plan_id is not null)`,
    )
    .execute();
  await db.schema.createIndex('assets_holder_idx').on('assets').column('holder_plan_id').execute();

  await db.schema
    .createTable('service_states')
    .addColumn('plan_id', 'text', (c) => c.notNull().references('plans.plan_id').onDelete('cascade'))
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('used', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('quota', 'numeric', (c) => c.notNull())
    .addColumn('current_asset', 'text', (c) => c.references('assets.asset_id'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('service_states_pk', ['plan_id', 'service_id'])
    .addUniqueConstraint('service_states_asset_once', ['current_asset'])
    .addCheckConstraint('service_states_used_nonnegative', sql`used >= 0`)
    .addCheckConstraint('service_states_quota_nonnegative', sql`quota >= 0`)
    .addCheckConstraint('service_states_used_within_quota', sql`used <= quota`)
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('plan_id', 'text')
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('response', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'])
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('event_id', 'uuid', (c) => c.primaryKey())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('plan_id', 'text')
    .addColumn('correlation_id', 'text')
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('events_plan_idx').on('events').columns(['plan_id', 'created_at']).execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('event_id', 'uuid', (c) => c.notNull().unique())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('qos', 'smallint', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('published_at', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .execute();
  await sql`create index outbox_pending_idx on outbox (id) where published_at is null`.execute(db);

  await db.schema
    .createTable('fsm_snapshots')
    .addColumn('plan_id', 'text', (c) => c.notNull().references('plans.plan_id').onDelete('cascade'))
    .addColumn('cycle', 'text', (c) => c.notNull())
    .addColumn('machine_version', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('snapshot', 'jsonb', (c) => c.notNull())
    .addColumn('deadline_at', 'timestamptz')
    .addColumn('deadline_input', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('fsm_snapshots_pk', ['plan_id', 'cycle'])
    .addCheckConstraint('fsm_snapshots_cycle_known', sql`cycle in ('service_cycle', 'payment_cycle')`)
    .addCheckConstraint('fsm_deadline_pair', sql`(deadline_at is null) = (deadline_input is null)`)
    .execute();
  await sql`create index fsm_deadlines_idx on fsm_snapshots (deadline_at) where deadline_at is not null`.execute(
    db,
  );

  await db.schema
    .createTable('payments')
    .addColumn('payment_id', 'text', (c) => c.primaryKey())
    .addColumn('plan_id', 'text', (c) => c.notNull().references('plans.plan_id'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('amount', 'numeric', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('payment_method', 'text', (c) => c.notNull())
    .addColumn('payment_type', 'text')
    .addColumn('service_id', 'text')
    .addColumn('odoo_receipt_id', 'text', (c) => c.unique())
    .addColumn('correlation_id', 'text')
    .addColumn('payment_timestamp', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('confirmed_at', 'timestamptz')
    .addCheckConstraint('payments_amount_nonnegative', sql`amount >= 0`)
    .addCheckConstraint('payments_status_known', sql`status in ('PENDING', 'CONFIRMED')`)
    .execute();
  await db.schema.createIndex('payments_plan_idx').on('payments').column('plan_id').execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('requester', 'text')
    .addColumn('subject', 'text')
    .addColumn('tag', 'text')
    .addColumn('value', 'text')
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['audit_log', 'payments', 'fsm_snapshots', 'outbox', 'events', 'idempotency_keys']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  for (const table of ['service_states', 'assets', 'plans', 'templates']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
