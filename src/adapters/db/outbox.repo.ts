import { sql } from 'kysely';
import type { Db } from '../../ports/database.js';
import type { OutboxMessage, OutboxStore } from '../../ports/outbox.js';

/**
 * The relay's bookkeeping commits without waiting for its WAL flush (set_config local to the statement's
 * own transaction): a claim or a mark lost in a crash only publishes an event again, which at-least-once
 * delivery allows (consumers dedupe on event_id). The requests' own transactions, the events among them,
 * keep full durability.
 */
const NO_FLUSH_WAIT = sql<boolean>`(select set_config('synchronous_commit', 'off', true)) is not null`;

export function createOutboxStore(db: Db): OutboxStore {
  return {
    async claim(limit, leaseMs) {
      const result = await sql<{ id: string; event_id: string; topic: string; payload: string; qos: number }>`
        update outbox set claimed_until = now() + make_interval(secs => ${leaseMs / 1000}), attempts = attempts + 1
        where ${NO_FLUSH_WAIT} and id in (
          select id from outbox
          where published_at is null and (claimed_until is null or claimed_until < now())
          order by id limit ${limit}
          for update skip locked)
        returning id, event_id, topic, payload, qos`.execute(db);
      return result.rows
        .map(
          (r): OutboxMessage => ({
            id: String(r.id),
            eventId: r.event_id,
            topic: r.topic,
            payload: r.payload,
            qos: r.qos === 0 ? 0 : 1,
          }),
        )
        .sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
    },
    async markPublished(ids) {
      if (ids.length === 0) return;
      await db
        .updateTable('outbox')
        .set({ published_at: sql`now()`, claimed_until: null, last_error: null })
        .where(NO_FLUSH_WAIT)
        .where('id', 'in', [...ids])
        .execute();
    },
    async release(ids, error) {
      if (ids.length === 0) return;
      await db
        .updateTable('outbox')
        .set({ claimed_until: null, last_error: error })
        .where('id', 'in', [...ids])
        .execute();
    },
    async pendingCount() {
      const row = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('published_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
