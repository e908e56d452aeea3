import { sql } from 'kysely';
import type { Db } from '../../ports/database.js';
import type {
  SafetyAuditRow,
  SafetyEventRow,
  SafetyJournalStore,
  StoredLatch,
} from '../../ports/safety-journal.js';

/** Audit rows and safety events in one transaction; events reach the broker through the outbox relay. */
export function createSafetyJournalRepo(db: Db): SafetyJournalStore {
  return {
    async append(audits, events) {
      if (audits.length === 0 && events.length === 0) return;
      await db.transaction().execute(async (tx) => {
        if (audits.length > 0) await tx.insertInto('audit_log').values(audits.map(auditValues)).execute();
        if (events.length === 0) return;
        await tx.insertInto('events').values(events.map(eventValues)).execute();
        await tx
          .insertInto('outbox')
          .values(events.map((e) => ({ event_id: e.eventId, topic: e.topic, payload: e.payload, qos: 1 })))
          .execute();
      });
    },
    async pruneAuditBefore(cutoff) {
      const result = await db.deleteFrom('audit_log').where('at', '<', cutoff).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async openLatches(siteId) {
      const rows = await db
        .selectFrom('events')
        .select(['event_type', 'created_at', sql<unknown>`payload->'payload'`.as('body')])
        .where('event_type', 'in', ['SAFE_STATE_ENTERED', 'SAFE_STATE_CLEARED'])
        .where('plan_id', 'is', null)
        .where(sql<string>`payload->>'site_id'`, '=', siteId)
        .orderBy('created_at')
        .execute();
      return latchesFrom(rows.map((r) => ({ type: r.event_type, at: new Date(r.created_at), body: r.body })));
    },
  };
}

/** Replays the Safe State events in order: an entry adds its reasons, an operator's clear closes the latch. */
function latchesFrom(events: { type: string; at: Date; body: unknown }[]): StoredLatch[] {
  const open = new Map<string, StoredLatch>();
  for (const { type, at, body } of events) {
    const payload = (typeof body === 'string' ? JSON.parse(body) : body) as {
      device_id?: unknown;
      reasons?: unknown;
    } | null;
    const deviceId = payload?.device_id;
    if (typeof deviceId !== 'string') continue;
    if (type === 'SAFE_STATE_CLEARED') {
      open.delete(deviceId);
      continue;
    }
    const reasons = Array.isArray(payload?.reasons)
      ? payload.reasons.filter((r) => typeof r === 'string')
      : [];
    const latch = open.get(deviceId) ?? { deviceId, reasons: [], since: at };
    open.set(deviceId, { ...latch, reasons: [...new Set([...latch.reasons, ...reasons])] });
  }
  return [...open.values()];
}

function auditValues(row: SafetyAuditRow) {
  return {
    at: row.at,
    kind: row.kind,
    requester: row.requester,
    subject: row.subject,
    tag: row.tag,
    value: row.value,
    decision: row.decision,
    details: JSON.stringify(row.details),
  };
}

function eventValues(row: SafetyEventRow) {
  return {
    event_id: row.eventId,
    event_type: row.eventType,
    plan_id: null,
    correlation_id: null,
    payload: row.payload,
    created_at: row.at,
  };
}
