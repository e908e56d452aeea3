import type { Logger } from '../../log.js';
import type { Clock } from '../../ports/clock.js';
import type { Scheduler } from '../../ports/scheduler.js';
import type { TelemetryBatch, TelemetryStore } from '../../ports/telemetry.js';
import type { TelemetryCache } from './telemetry-cache.js';
import type { TelemetryMetrics } from './telemetry-metrics.js';

export interface TelemetryWriterOptions {
  intervalMs: number;
  batchRows: number;
  retentionMs: number;
  /** How often history older than the retention is deleted. */
  pruneEveryMs: number;
}

function chunks(batch: TelemetryBatch, size: number): TelemetryBatch[] {
  const out: TelemetryBatch[] = [];
  for (let i = 0; i < Math.max(batch.assets.length, batch.sites.length); i += size)
    out.push({ assets: batch.assets.slice(i, i + size), sites: batch.sites.slice(i, i + size) });
  return out;
}

/**
 * Writes what the cache collected, once per interval, many rows per statement; a failed write puts
 * its rows back for the next round (the database may be down), and stop() writes the rest.
 * History older than the retention is pruned on its own period.
 */
export class TelemetryWriter {
  readonly #store: TelemetryStore;
  readonly #cache: TelemetryCache;
  readonly #metrics: TelemetryMetrics;
  readonly #clock: Clock;
  readonly #scheduler: Scheduler;
  readonly #log: Logger;
  readonly #options: TelemetryWriterOptions;
  readonly #cancels: (() => void)[] = [];
  #flushing: Promise<void> = Promise.resolve();
  #failing = false;
  #reportedDropped = 0;
  /** Rows written to telemetry_latest since start (the bench reads it). */
  rowsWritten = 0;

  constructor(deps: {
    store: TelemetryStore;
    cache: TelemetryCache;
    metrics: TelemetryMetrics;
    clock: Clock;
    scheduler: Scheduler;
    log: Logger;
    options: TelemetryWriterOptions;
  }) {
    this.#store = deps.store;
    this.#cache = deps.cache;
    this.#metrics = deps.metrics;
    this.#clock = deps.clock;
    this.#scheduler = deps.scheduler;
    this.#log = deps.log.child({ component: 'telemetry-writer' });
    this.#options = deps.options;
  }

  start(): void {
    this.#cancels.push(this.#scheduler.every(this.#options.intervalMs, () => this.flush()));
    this.#cancels.push(this.#scheduler.every(this.#options.pruneEveryMs, () => this.prune()));
  }

  /** Writes everything pending now (one flush at a time). */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async #write(): Promise<void> {
    const pending = this.#cache.takePending();
    this.#metrics.cachedAssets.set(this.#cache.size);
    this.#reportDropped();
    for (const [i, batch] of chunks(pending, this.#options.batchRows).entries()) {
      const end = this.#metrics.writeSeconds.startTimer();
      try {
        const written = await this.#store.write(batch);
        end();
        this.#metrics.rowsWritten.inc({ table: 'telemetry_latest' }, written.latest);
        this.rowsWritten += written.latest;
        this.#metrics.rowsWritten.inc({ table: 'telemetry_history' }, written.history);
        this.#recovered();
      } catch (err) {
        this.#metrics.writeFailures.inc();
        const rest = chunks(pending, this.#options.batchRows).slice(i);
        for (const unwritten of rest) this.#cache.restorePending(unwritten);
        if (!this.#failing) this.#log.warn({ err }, 'telemetry write failed; kept in memory and retried');
        this.#failing = true;
        return;
      }
    }
  }

  #recovered(): void {
    if (this.#failing) this.#log.info('telemetry writes succeed again');
    this.#failing = false;
  }

  #reportDropped(): void {
    const dropped = this.#cache.droppedPending - this.#reportedDropped;
    if (dropped <= 0) return;
    this.#metrics.writeDropped.inc(dropped);
    this.#reportedDropped = this.#cache.droppedPending;
  }

  async prune(): Promise<void> {
    const before = new Date(this.#clock.now().getTime() - this.#options.retentionMs);
    try {
      this.#metrics.pruned.inc(await this.#store.prune(before));
    } catch (err) {
      this.#log.warn({ err }, 'telemetry history pruning failed; tried again later');
    }
  }

  async stop(): Promise<void> {
    for (const cancel of this.#cancels.splice(0)) cancel();
    await this.flush();
  }
}
