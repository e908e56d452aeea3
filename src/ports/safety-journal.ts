/** Where the SafetyGuard's records go: audit rows, and safety events queued in the transactional outbox. */
export interface SafetyAuditRow {
  at: Date;
  /** safety_write, safety_block, safety_clear. */
  kind: string;
  /** Who acted: the operator who cleared a latch; null for the guard itself. */
  requester: string | null;
  /** The slot's device id. */
  subject: string;
  tag: string | null;
  value: string | null;
  decision: string;
  details: Record<string, unknown>;
}

/** A validated SPEC-003 message ready for the outbox (published at QoS 1). */
export interface SafetyEventRow {
  eventId: string;
  eventType: string;
  topic: string;
  payload: string;
  at: Date;
}

/** A slot left in Safe State by an earlier run: entered and never cleared by an operator. */
export interface StoredLatch {
  deviceId: string;
  /** Every Safe State reason announced since the last clear (SAFETY_* codes). */
  reasons: string[];
  /** When the first of them was announced. */
  since: Date;
}

export interface SafetyJournalStore {
  /** Writes the audit rows and the events (events table and outbox) in one transaction. */
  append(audits: readonly SafetyAuditRow[], events: readonly SafetyEventRow[]): Promise<void>;
  /** Deletes audit rows older than the cutoff; returns how many. */
  pruneAuditBefore(cutoff: Date): Promise<number>;
  /** The latches this site's safety events leave open (SAFE_STATE_ENTERED with no SAFE_STATE_CLEARED after it). */
  openLatches(siteId: string): Promise<StoredLatch[]>;
}
