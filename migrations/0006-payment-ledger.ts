import { type Kysely, sql } from 'kysely';

/**
 * The payment ledger of a station top-up: what was credited for a payment (and to which service),
 * how much of its money was credited provisionally before Odoo confirmed it, and, when Odoo rejects it,
 * how much credit was taken back and how much the customer had already used (unrecovered).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('payments')
    .addColumn('credited', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('credit_service_id', 'text')
    .addColumn('provisional_amount', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('reversed', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('unrecovered', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('rejected_at', 'timestamptz')
    .execute();
  await sql`alter table payments drop constraint payments_status_known`.execute(db);
  await sql`alter table payments add constraint payments_status_known
    check (status in ('PENDING', 'CONFIRMED', 'REJECTED'))`.execute(db);
  await sql`alter table payments add constraint payments_ledger_nonnegative
    check (credited >= 0 and provisional_amount >= 0 and reversed >= 0 and unrecovered >= 0)`.execute(db);
  await sql`create index payments_open_idx on payments (plan_id) where status <> 'CONFIRMED'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists payments_open_idx`.execute(db);
  await sql`alter table payments drop constraint if exists payments_ledger_nonnegative`.execute(db);
  await sql`alter table payments drop constraint payments_status_known`.execute(db);
  await sql`alter table payments add constraint payments_status_known
    check (status in ('PENDING', 'CONFIRMED'))`.execute(db);
  await db.schema
    .alterTable('payments')
    .dropColumn('credited')
    .dropColumn('credit_service_id')
    .dropColumn('provisional_amount')
    .dropColumn('reversed')
    .dropColumn('unrecovered')
    .dropColumn('rejected_at')
    .execute();
}
