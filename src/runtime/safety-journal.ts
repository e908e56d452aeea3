import { randomUUID } from 'node:crypto';
import type { SafetyEventPayload } from '../../safety/index.js';
import type { Logger } from '../log.js';
import type { SafetyAuditRow, SafetyEventRow, SafetyJournalStore } from '../ports/safety-journal.js';
import type { Spec003Validator } from '../validation/spec003/spec003-validator.js';

export interface SafetyJournalOptions {
  siteId: string;
  /** swapd's version, the envelope's `gateway_version` (SPEC-003 §3.2: SHOULD be in every message). */
  gatewayVersion: string;
  validator: Spec003Validator;
  log: Logger;
  /** Called after events were committed (wakes the outbox relay). */
  onEventsQueued?: () => void;
  /** Records kept while the database is unreachable; the oldest audit rows go first beyond it. */
  maxPending?: number;
}

/** `bessai/{site_id}/safety_event` (SPEC-003 §5.2). */
export function safetyEventTopic(siteId: string): string {
  return `bessai/${siteId}/safety_event`;
}

/**
 * Collects the guard's audit rows and safety events and writes them in one transaction per flush.
 * Each event is wrapped in the SPEC-003 envelope and validated before it is queued; a database
 * outage keeps the records for the next flush (the hardware was already made safe before).
 */
export class SafetyJournal {
  readonly #store: SafetyJournalStore;
  readonly #options: Required<Omit<SafetyJournalOptions, 'onEventsQueued'>> & SafetyJournalOptions;
  #audits: SafetyAuditRow[] = [];
  #events: SafetyEventRow[] = [];
  #flushing: Promise<void> = Promise.resolve();
  invalid = 0;

  constructor(store: SafetyJournalStore, options: SafetyJournalOptions) {
    this.#store = store;
    this.#options = { maxPending: 10_000, ...options };
  }

  audit(row: SafetyAuditRow): void {
    this.#audits.push(row);
    if (this.#audits.length > this.#options.maxPending) this.#audits.shift();
  }

  /** Wraps, validates and queues one safety_event; an invalid message is logged and not queued. */
  event(payload: SafetyEventPayload, at: Date): boolean {
    const message = {
      schema_version: '1.0',
      message_type: 'safety_event',
      site_id: this.#options.siteId,
      gateway_version: this.#options.gatewayVersion,
      timestamp: at.toISOString(),
      payload,
    };
    const check = this.#options.validator.validate(message);
    if (!check.ok) {
      this.invalid += 1;
      this.#options.log.error(
        { details: check.details, payload },
        'safety_event failed its schema; not queued',
      );
      return false;
    }
    this.#events.push({
      eventId: randomUUID(),
      eventType: payload.event_type,
      topic: safetyEventTopic(this.#options.siteId),
      payload: JSON.stringify(message),
      at,
    });
    return true;
  }

  get pending(): number {
    return this.#audits.length + this.#events.length;
  }

  /** Writes what is pending; on failure everything stays queued for the next flush. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#flushOnce());
    return this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    if (this.pending === 0) return;
    const audits = this.#audits;
    const events = this.#events;
    this.#audits = [];
    this.#events = [];
    try {
      await this.#store.append(audits, events);
      if (events.length > 0) this.#options.onEventsQueued?.();
    } catch (err) {
      this.#options.log.warn(
        { err, audits: audits.length, events: events.length },
        'safety journal not written; will retry',
      );
      this.#audits = [...audits, ...this.#audits].slice(-this.#options.maxPending);
      this.#events = [...events, ...this.#events];
    }
  }
}
