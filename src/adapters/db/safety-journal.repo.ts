import type { Db } from '../../ports/database.js';
import type { SafetyAuditRow, SafetyEventRow, SafetyJournalStore } from '../../ports/safety-journal.js';

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
  };
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
