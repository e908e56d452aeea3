/** An event waiting in the transactional outbox. */
export interface OutboxMessage {
  id: string;
  eventId: string;
  topic: string;
  payload: string;
  qos: 0 | 1;
}

/** What the relay needs of the outbox table. */
export interface OutboxStore {
  /** Claims up to `limit` unpublished messages for `leaseMs` (other relays skip them meanwhile), oldest first. */
  claim(limit: number, leaseMs: number): Promise<OutboxMessage[]>;
  markPublished(ids: readonly string[]): Promise<void>;
  release(ids: readonly string[], error: string): Promise<void>;
  pendingCount(): Promise<number>;
}
