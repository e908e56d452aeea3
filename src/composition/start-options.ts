import type { Logger } from '../log.js';
import type { Clock } from '../ports/clock.js';
import type { DriverTimings } from '../ports/data-provider.js';
import type { BatteryScanner } from '../ports/scanner.js';
import type { Scheduler } from '../ports/scheduler.js';

/** What a caller of `startSwapd` may hand in beside the configuration (tests, mostly). */
export interface StartOptions {
  log?: Logger;
  clock?: Clock;
  /** Periodic work (telemetry, slot polling); tests drive it from a manual clock. */
  scheduler?: Scheduler;
  scanner?: BatteryScanner;
  /** Tests: keep PGlite in memory. */
  inMemoryDatabase?: boolean;
  /** Write data/swapd.runtime.json for management commands (default true). */
  writeRuntimeNote?: boolean;
  /** Tests: SPEC-001 time limits of the station's drivers, shortened. */
  driverTimings?: Partial<DriverTimings>;
  /** Tests: 0 = the built-in simulator's physics advance only when stepped (default: real time). */
  simulatorAutoStepMs?: number;
  /** Tests: 'manual' builds the charging loop without starting it (the test calls tick()). */
  controlLoop?: 'auto' | 'manual';
}

/** A shutdown step; start-up pushes one per thing it opened, and shutdown runs them in reverse. */
export type Closer = () => Promise<void>;
