import type { CycleParams, CycleRecord } from '../../fsm/index.js';

/** Decides what a due deadline does to a cycle; null leaves the record as it is. */
export type DeadlineRule = (record: CycleRecord, params: CycleParams, now: Date) => CycleRecord | null;

export interface FiredDeadline {
  planId: string;
  cycle: string;
  from: string;
  to: string;
}

/** Cycle deadlines stored in columns, so they survive restarts (SPEC §5). */
export interface DeadlineStore {
  /** Applies the rule to up to `limit` records whose deadline has passed, each plan in its own transaction. */
  fireDue(now: Date, limit: number, rule: DeadlineRule): Promise<FiredDeadline[]>;
}
