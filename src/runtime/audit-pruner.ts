import type { Logger } from '../log.js';
import type { Clock } from '../ports/clock.js';
import type { SafetyJournalStore } from '../ports/safety-journal.js';

export const AUDIT_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;

/** Deletes audit_log rows older than 90 days: at start, then every `everyMs` (default hourly). */
export class AuditPruner {
  readonly #store: Pick<SafetyJournalStore, 'pruneAuditBefore'>;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #everyMs: number;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> = Promise.resolve();

  constructor(
    store: Pick<SafetyJournalStore, 'pruneAuditBefore'>,
    clock: Clock,
    log: Logger,
    everyMs = 3_600_000,
  ) {
    this.#store = store;
    this.#clock = clock;
    this.#log = log.child({ component: 'audit-pruner' });
    this.#everyMs = everyMs;
  }

  start(): void {
    this.#running = this.prune();
    this.#timer = setInterval(() => {
      this.#running = this.prune();
    }, this.#everyMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /** One pass; returns the rows deleted (0 when the database is unreachable: next pass retries). */
  async prune(): Promise<number> {
    const cutoff = new Date(this.#clock.now().getTime() - AUDIT_RETENTION_DAYS * DAY_MS);
    try {
      const deleted = await this.#store.pruneAuditBefore(cutoff);
      if (deleted > 0) this.#log.info({ deleted, cutoff: cutoff.toISOString() }, 'old audit rows pruned');
      return deleted;
    } catch (err) {
      this.#log.warn({ err }, 'audit pruning failed; will retry');
      return 0;
    }
  }
}
