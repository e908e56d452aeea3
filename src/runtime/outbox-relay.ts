import type { Logger } from '../log.js';
import type { BrokerClient } from '../ports/broker.js';
import type { OutboxStore } from '../ports/outbox.js';

export interface OutboxRelayOptions {
  batchSize: number;
  retryMs: number;
  /**
   * How long a claimed batch stays this relay's: rows of a relay that died (SIGKILL) wait this long
   * before another relay takes them. Short, because a batch is published in milliseconds.
   */
  leaseMs?: number;
  /** At shutdown, how long a batch in flight may still take before its rows are handed back. */
  handoverMs?: number;
}

/**
 * Publishes committed events at QoS 1, in order, and marks them published only after the broker
 * acknowledged them: at-least-once across broker outages and restarts (SPEC §6.5).
 */
export class OutboxRelay {
  readonly #store: OutboxStore;
  readonly #broker: BrokerClient;
  readonly #log: Logger;
  readonly #options: Required<OutboxRelayOptions>;
  #running = false;
  #again = false;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  #idle: Promise<void> = Promise.resolve();
  /** The batch being published now: handed back at shutdown if it does not finish. */
  #inFlight: string[] = [];
  published = 0;
  failures = 0;

  constructor(store: OutboxStore, broker: BrokerClient, log: Logger, options: OutboxRelayOptions) {
    this.#store = store;
    this.#broker = broker;
    this.#log = log.child({ component: 'outbox' });
    this.#options = { leaseMs: 5_000, handoverMs: 2_000, ...options };
    broker.onConnectionChange((connected) => {
      if (connected) this.kick();
    });
  }

  start(): void {
    this.#stopped = false;
    this.kick();
  }

  /** Wakes the relay: called after a commit that queued events, on reconnect, and by its retry timer. */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    this.#idle = this.#drain().finally(() => {
      this.#running = false;
    });
  }

  async #drain(): Promise<void> {
    do {
      this.#again = false;
      try {
        while (!this.#stopped && (await this.#publishBatch()) === this.#options.batchSize) {}
      } catch (err) {
        this.failures++;
        this.#log.warn({ err }, 'outbox publish failed; will retry');
        this.#schedule();
        return;
      }
    } while (this.#again && !this.#stopped);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.kick(), this.#options.retryMs);
    this.#timer.unref();
  }

  async #publishBatch(): Promise<number> {
    if (!this.#broker.connected) return 0;
    const batch = await this.#store.claim(this.#options.batchSize, this.#options.leaseMs);
    if (batch.length === 0) return 0;
    this.#inFlight = batch.map((m) => m.id);
    const results = await Promise.allSettled(
      batch.map((m) => this.#broker.publish(m.topic, m.payload, { qos: m.qos })),
    );
    const ok = batch.filter((_, i) => results[i]?.status === 'fulfilled').map((m) => m.id);
    const failed = batch.filter((_, i) => results[i]?.status === 'rejected').map((m) => m.id);
    await this.#store.markPublished(ok);
    this.#inFlight = [];
    this.published += ok.length;
    if (failed.length > 0) {
      await this.#store.release(
        failed,
        String((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason),
      );
      throw new Error(`${failed.length} outbox events not acknowledged by the broker`);
    }
    return batch.length;
  }

  /**
   * Stops, and hands over: a batch still waiting for the broker's acknowledgements after `handoverMs`
   * has its claims released, so another instance publishes those events at once instead of after the
   * lease (at least once: they may have reached the broker already).
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.#options.handoverMs);
    });
    const finished = await Promise.race([this.#idle.then(() => false), late]);
    clearTimeout(timer);
    if (!finished || this.#inFlight.length === 0) return;
    const ids = this.#inFlight;
    this.#inFlight = [];
    await this.#store
      .release(ids, 'handed over at shutdown')
      .catch((err: unknown) => this.#log.warn({ err }, 'could not hand over the outbox batch'));
    this.#log.info({ events: ids.length }, 'outbox batch handed over at shutdown');
  }
}
