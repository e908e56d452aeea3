import { type Kysely, sql } from 'kysely';

/**
 * The request path's writes check their own counts (batteries moved, guarded usage rows, answers
 * stored, keys dropped) so that they can carry the transaction's COMMIT in the same round trip: a
 * count that is not what the caller expected raises, the COMMIT after it is never run, and the
 * transaction is rolled back. SQLSTATE SW001 tells the caller it was a count.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
create or replace function swapd_expect(got bigint, want bigint, what text) returns integer
language plpgsql as $fn$
begin
  if got is distinct from want then
    raise exception using errcode = 'SW001', message = format('%s: %s instead of %s', what, got, want);
  end if;
  return got::integer;
end
$fn$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function if exists swapd_expect(bigint, bigint, text)`.execute(db);
}
