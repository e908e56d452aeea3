import type { Logger } from '../../log.js';
import type { DriverState, DriverTimings } from '../../ports/data-provider.js';
import { DriverError } from '../../ports/data-provider.js';
import { sleep, withDeadline } from './deadline.js';

/** What the supervisor opens and closes: one physical connection. */
export interface Connector {
  open(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * SPEC-001 §4.4/§4.7/§6 lifecycle for any driver: DISCONNECTED → CONNECTED → FAULTED. connect() retries
 * with exponential backoff inside the connect time limit; a lost connection makes the driver FAULTED and
 * it reconnects by itself at most once per interval, each attempt logged; after the configured number of
 * consecutive failures it stays FAULTED until connect() is called.
 */
export class ConnectionSupervisor {
  readonly #connector: Connector;
  readonly #timings: DriverTimings;
  readonly #log: Logger;
  #state: DriverState = 'DISCONNECTED';
  #linkUp = false;
  #reconnectFailures = 0;
  #lastAttemptAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #connecting: Promise<void> | null = null;

  constructor(connector: Connector, timings: DriverTimings, log: Logger) {
    this.#connector = connector;
    this.#timings = timings;
    this.#log = log;
  }

  get state(): DriverState {
    return this.#state;
  }

  get isConnected(): boolean {
    return this.#state === 'CONNECTED' && this.#linkUp;
  }

  get reconnectFailures(): number {
    return this.#reconnectFailures;
  }

  /** True while automatic reconnection is still being attempted. */
  get reconnecting(): boolean {
    return this.#timer !== null;
  }

  connect(): Promise<void> {
    if (this.isConnected) return Promise.resolve();
    this.#connecting ??= this.#connectWithRetries().finally(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  async disconnect(): Promise<void> {
    this.#cancelReconnect();
    this.#state = 'DISCONNECTED';
    this.#linkUp = false;
    await withDeadline(this.#connector.close(), this.#timings.disconnectTimeoutMs, 'disconnect').catch(
      (err: unknown) => {
        this.#log.warn({ err }, 'disconnect did not complete cleanly');
      },
    );
  }

  /** Throws NOT_CONNECTED unless a verified connection is up. */
  assertConnected(source: string): void {
    if (this.isConnected) return;
    const why = this.#state === 'FAULTED' ? 'connection lost (FAULTED)' : 'not connected';
    throw new DriverError('NOT_CONNECTED', `${source}: ${why}`, { source });
  }

  /** The connection broke (timeout, socket closed, corrupt stream): FAULTED, then reconnect by itself. */
  lost(reason: string): void {
    if (this.#state !== 'CONNECTED') return;
    this.#state = 'FAULTED';
    this.#linkUp = false;
    this.#reconnectFailures = 0;
    this.#log.warn({ reason }, 'connection lost; driver FAULTED, reconnecting');
    this.#connector.close().catch(() => undefined);
    this.#scheduleReconnect();
  }

  async #connectWithRetries(): Promise<void> {
    this.#cancelReconnect();
    const started = Date.now();
    const attempts = this.#timings.connectRetries + 1;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      const remaining = this.#timings.connectTimeoutMs - (Date.now() - started);
      if (remaining <= 0) break;
      try {
        await this.#attempt(remaining);
        return;
      } catch (err) {
        lastError = err;
        this.#log.warn({ err, attempt: attempt + 1, of: attempts }, 'connect attempt failed');
      }
      const backoff = this.#timings.backoffBaseMs * 2 ** attempt;
      if (attempt + 1 < attempts && Date.now() - started + backoff < this.#timings.connectTimeoutMs)
        await sleep(backoff);
    }
    throw new DriverError('CONNECTION_FAILED', `connect failed after ${attempts} attempts`, {}, lastError);
  }

  async #attempt(timeoutMs: number): Promise<void> {
    this.#lastAttemptAt = Date.now();
    await this.#connector.close().catch(() => undefined);
    await withDeadline(this.#connector.open(timeoutMs), timeoutMs, 'connect');
    this.#state = 'CONNECTED';
    this.#linkUp = true;
    this.#reconnectFailures = 0;
  }

  #scheduleReconnect(): void {
    const wait = Math.max(0, this.#lastAttemptAt + this.#timings.reconnectIntervalMs - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#reconnectOnce().catch(() => undefined);
    }, wait);
    this.#timer.unref();
  }

  async #reconnectOnce(): Promise<void> {
    if (this.#state !== 'FAULTED' || this.#connecting !== null) return;
    const n = this.#reconnectFailures + 1;
    this.#log.info({ attempt: n, max: this.#timings.maxReconnectFailures }, 'reconnect attempt');
    try {
      this.#state = 'FAULTED';
      await this.#attemptReconnect();
      this.#log.info({ attempt: n }, 'reconnected');
    } catch (err) {
      this.#reconnectFailures = n;
      if (n >= this.#timings.maxReconnectFailures) {
        this.#log.error({ err, failures: n }, 'reconnect failed; staying FAULTED until connect() is called');
        return;
      }
      this.#log.warn({ err, attempt: n }, 'reconnect attempt failed');
      this.#scheduleReconnect();
    }
  }

  async #attemptReconnect(): Promise<void> {
    this.#lastAttemptAt = Date.now();
    await this.#connector.close().catch(() => undefined);
    await withDeadline(
      this.#connector.open(this.#timings.connectTimeoutMs),
      this.#timings.connectTimeoutMs,
      'reconnect',
    );
    if (this.#state !== 'FAULTED') {
      await this.#connector.close();
      return;
    }
    this.#state = 'CONNECTED';
    this.#linkUp = true;
    this.#reconnectFailures = 0;
  }

  #cancelReconnect(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
