import { type Kysely, sql } from 'kysely';

/**
 * Plans that stay right whatever the statistics say. The claim function's queries are planned once,
 * generically (planning them afresh on every call cost as much as running them); an index on the key
 * alone serves every idempotency lookup, since a generic plan cannot prove which partial unique index a
 * parameterised scope falls under.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists idempotency_keys_key_idx on idempotency_keys (key)`.execute(db);
  await sql`alter function swapd_claim_and_read(text, text, text, text, text, text[], text[], boolean)
    set plan_cache_mode = force_generic_plan`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter function swapd_claim_and_read(text, text, text, text, text, text[], text[], boolean)
    reset plan_cache_mode`.execute(db);
  await sql`drop index if exists idempotency_keys_key_idx`.execute(db);
}
