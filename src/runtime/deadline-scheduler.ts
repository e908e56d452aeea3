import { applyInput, dueInput } from '../../fsm/index.js';
import type { Logger } from '../log.js';
import type { Clock } from '../ports/clock.js';
import type { DeadlineRule, DeadlineStore, FiredDeadline } from '../ports/deadlines.js';

/** A due deadline feeds its input (RENEWAL_DUE_REACHED, GRACE_PERIOD_EXPIRED) to its cycle. */
export const fireDeadline: DeadlineRule = (record, params, now) => {
  const input = dueInput(record, now);
  if (!input) return null;
  const result = applyInput(record, input, params, now);
  return result.ok ? result.record : null;
};

/**
 * Polls the deadline columns. Deadlines live in the database, so a restart loses none: the first
 * tick after start fires whatever fell due while swapd was down.
 */
export class DeadlineScheduler {
  readonly #store: DeadlineStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> = Promise.resolve();

  constructor(store: DeadlineStore, clock: Clock, log: Logger, intervalMs: number) {
    this.#store = store;
    this.#clock = clock;
    this.#log = log.child({ component: 'deadlines' });
    this.#intervalMs = intervalMs;
  }

  start(): void {
    this.#schedule(0);
  }

  #schedule(delay: number): void {
    this.#timer = setTimeout(() => {
      this.#running = this.tick()
        .catch((err: unknown) => this.#log.warn({ err }, 'deadline tick failed; retrying'))
        .finally(() => {
          if (this.#timer) this.#schedule(this.#intervalMs);
        });
    }, delay);
    this.#timer.unref();
  }

  /** Fires every deadline that is due now; returns what moved. */
  async tick(): Promise<FiredDeadline[]> {
    const fired: FiredDeadline[] = [];
    for (;;) {
      const batch = await this.#store.fireDue(this.#clock.now(), 100, fireDeadline);
      fired.push(...batch);
      if (batch.length < 100) break;
    }
    for (const f of fired)
      this.#log.info({ plan_id: f.planId, cycle: f.cycle, from: f.from, to: f.to }, 'deadline fired');
    return fired;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}
