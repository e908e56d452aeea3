import type { Clock } from '../../src/ports/clock.js';

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: string | Date = '2026-01-05T08:00:00Z') {
    this.#now = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  advanceDays(days: number): void {
    this.#now += days * 86_400_000;
  }

  advanceMs(ms: number): void {
    this.#now += ms;
  }
}
