import type { Kysely } from 'kysely';

/**
 * A battery checked in on its own (EQUIPMENT_CHECKIN) is remembered on the plan with its kWh, so the
 * checkout that follows counts the net energy of the whole swap.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('plans')
    .addColumn('returned_asset', 'text', (c) => c.references('assets.asset_id'))
    .addColumn('returned_kwh', 'numeric')
    .addColumn('returned_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('plans')
    .dropColumn('returned_asset')
    .dropColumn('returned_kwh')
    .dropColumn('returned_at')
    .execute();
}
