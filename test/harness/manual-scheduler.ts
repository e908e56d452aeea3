import type { Scheduler } from '../../src/ports/scheduler.js';
import type { ManualClock } from './clock.js';

interface Entry {
  intervalMs: number;
  next: number;
  task: () => Promise<void> | void;
  cancelled: boolean;
}

/**
 * A Scheduler driven by a ManualClock: advance() moves the clock from one due time to the next and
 * runs (and awaits) every task due then, in the order they were scheduled. Minutes of station time
 * pass as fast as the tasks themselves run.
 */
export class ManualScheduler implements Scheduler {
  readonly #clock: ManualClock;
  readonly #entries: Entry[] = [];

  constructor(clock: ManualClock) {
    this.#clock = clock;
  }

  every(intervalMs: number, task: () => Promise<void> | void): () => void {
    const entry = { intervalMs, next: this.#clock.now().getTime() + intervalMs, task, cancelled: false };
    this.#entries.push(entry);
    return () => {
      entry.cancelled = true;
    };
  }

  async advance(ms: number): Promise<void> {
    const end = this.#clock.now().getTime() + ms;
    for (;;) {
      const live = this.#entries.filter((e) => !e.cancelled && e.next <= end);
      if (live.length === 0) break;
      const at = Math.min(...live.map((e) => e.next));
      this.#clock.set(new Date(at));
      for (const entry of live.filter((e) => e.next === at)) {
        entry.next += entry.intervalMs;
        await entry.task();
      }
    }
    this.#clock.set(new Date(end));
  }
}
