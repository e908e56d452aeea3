import type { Logger } from '../log.js';
import type { Clock } from '../ports/clock.js';
import type { DataReader } from '../ports/data-provider.js';
import type {
  SlotStatus,
  StationHistory,
  StationStatus,
  StationStatusSource,
  StationStatusStore,
  StatusSection,
} from '../ports/station-status.js';
import { emptySlot, readSlot } from './slot-reader.js';

export interface StationStatusOptions {
  siteId: string;
  /** The charging slots' devices by id, in slot order. */
  slots: ReadonlyMap<string, DataReader>;
  /** Every device's driver state by id (slots, scanner, inverters). */
  drivers: () => Record<string, string>;
  broker: { readonly connected: boolean };
  store: StationStatusStore;
  databaseDescription: string;
  clock: Clock;
  log: Logger;
  /** Sampling period while somebody watches (default 1 s: the page must move within 2 s). */
  liveMs?: number;
  /** Sampling period while nobody watches, to keep the last hour's plots (default 5 s). */
  idleMs?: number;
  /** Plot resolution and length (defaults 5 s and 1 h). */
  historyStepMs?: number;
  historyMs?: number;
  /** How long a sample waits for a slot before showing its last values as stale (default 750 ms). */
  slotWaitMs?: number;
  /** Rows in the last swaps and payments tables (default 10). */
  recentRows?: number;
  /** Called after every sample (e.g. to set the outbox gauge). */
  onSample?: (status: StationStatus) => void;
  /**
   * A kick (a request answered) samples at once, but not sooner than this after the previous sample
   * began (default 250 ms): under load the page still moves at once, and sampling stays off the
   * request path (a sample is four queries).
   */
  kickGapMs?: number;
}

export type StatusListener = (status: StationStatus) => void;

function withoutTime(status: StationStatus): string {
  return JSON.stringify({ ...status, sampled_at: '' });
}

/**
 * The station at a glance, for the page at `/`: samples the slots, drivers, broker, database, outbox,
 * recent swaps and payments and every registered `StationStatusSource`, keeps the last hour of per-slot
 * SOC and power, and tells listeners when anything changed. Samples fast only while a listener is
 * attached, and a request answered (`kick`) triggers a sample at once.
 */
export class StationStatusService {
  readonly #o: StationStatusOptions;
  readonly #sources: StationStatusSource[] = [];
  readonly #listeners = new Set<StatusListener>();
  readonly #history: StationHistory = { times: [], soc: {}, power: {} };
  #current: StationStatus | null = null;
  /** A slot's read still running (a silent device takes up to its 5 s timeout), and its last result. */
  readonly #slotReads = new Map<string, Promise<SlotStatus>>();
  readonly #lastSlots = new Map<string, SlotStatus>();
  #fingerprint = '';
  #timer: NodeJS.Timeout | null = null;
  #timerAt = 0;
  #lastSampleAt = Number.NEGATIVE_INFINITY;
  #sampling: Promise<void> | null = null;
  #again = false;
  #stopped = true;

  constructor(options: StationStatusOptions) {
    this.#o = options;
    for (const id of options.slots.keys()) {
      this.#history.soc[id] = [];
      this.#history.power[id] = [];
    }
  }

  /** Adds a section (safety, telemetry, …). Names are unique; a second source of one name replaces it. */
  register(source: StationStatusSource): void {
    const i = this.#sources.findIndex((s) => s.name === source.name);
    if (i >= 0) this.#sources.splice(i, 1, source);
    else this.#sources.push(source);
    this.#sampleSoon();
  }

  /** Starts sampling: at once when someone already watches, else after one idle period. */
  start(): void {
    this.#stopped = false;
    this.#schedule(this.#listeners.size > 0 ? 0 : this.#period());
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#listeners.clear();
    await this.#sampling;
  }

  /** The latest snapshot (sampling first when there is none yet). */
  async current(): Promise<StationStatus> {
    if (!this.#current) await this.sampleNow();
    return this.#current as StationStatus;
  }

  history(): StationHistory {
    return this.#history;
  }

  /** Watches every change; returns the function that stops watching. */
  subscribe(listener: StatusListener): () => void {
    const first = this.#listeners.size === 0;
    this.#listeners.add(listener);
    if (first) this.#sampleSoon();
    return () => {
      this.#listeners.delete(listener);
    };
  }

  get listeners(): number {
    return this.#listeners.size;
  }

  /** A new section or the first watcher: sample now. */
  #sampleSoon(): void {
    if (!this.#stopped) this.#schedule(0);
  }

  /** A request was answered: sample now rather than at the next tick, but see kickGapMs. */
  kick(): void {
    if (this.#stopped) return;
    const now = Date.now();
    const at = Math.max(now, this.#lastSampleAt + (this.#o.kickGapMs ?? 250));
    if (this.#timer && this.#timerAt <= at) return;
    this.#schedule(at - now);
  }

  /** Takes one sample; concurrent calls share it (and one more follows if asked for meanwhile). */
  async sampleNow(): Promise<void> {
    if (this.#sampling !== null) {
      this.#again = true;
      return this.#sampling;
    }
    this.#sampling = this.#sample()
      .catch((err: unknown) => this.#o.log.warn({ err }, 'station status sample failed'))
      .finally(() => {
        this.#sampling = null;
      });
    await this.#sampling;
    if (this.#again) {
      this.#again = false;
      await this.sampleNow();
    }
  }

  #schedule(delayMs: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = Date.now() + delayMs;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.sampleNow().finally(() => {
        if (!this.#stopped && !this.#timer) this.#schedule(this.#period());
      });
    }, delayMs);
    this.#timer.unref();
  }

  #period(): number {
    return this.#listeners.size > 0 ? (this.#o.liveMs ?? 1000) : (this.#o.idleMs ?? 5000);
  }

  async #sample(): Promise<void> {
    this.#lastSampleAt = Date.now();
    const o = this.#o;
    const rows = o.recentRows ?? 10;
    const [slots, dbUp, depth, swaps, payments, contributed] = await Promise.all([
      Promise.all([...o.slots].map(([id, driver]) => this.#slot(id, driver))),
      o.store.ping(),
      o.store.outboxDepth().catch(() => null),
      o.store.lastSwaps(rows).catch(() => []),
      o.store.lastPayments(rows).catch(() => []),
      this.#contributions(),
    ]);
    for (const slot of slots) {
      const safety = contributed.safety.get(slot.slot);
      if (safety) slot.safety = safety;
    }
    const status: StationStatus = {
      site_id: o.siteId,
      sampled_at: o.clock.now().toISOString(),
      broker: { connected: o.broker.connected },
      database: { up: dbUp, description: o.databaseDescription },
      drivers: o.drivers(),
      outbox_depth: depth,
      slots,
      charging_kw: Math.round(slots.reduce((sum, s) => sum + (s.charging_kw ?? 0), 0) * 1000) / 1000,
      last_swaps: swaps,
      last_payments: payments,
      sections: contributed.sections,
    };
    this.#remember(status);
    o.onSample?.(status);
    const fingerprint = withoutTime(status);
    if (fingerprint === this.#fingerprint) return;
    this.#fingerprint = fingerprint;
    for (const listener of this.#listeners) {
      try {
        listener(status);
      } catch (err) {
        o.log.warn({ err }, 'station status listener failed');
      }
    }
  }

  /**
   * One slot, waiting at most slotWaitMs: a device that does not answer must not hold the whole page
   * back. Its read goes on (one at a time per slot), and its last values are shown marked stale.
   */
  async #slot(id: string, driver: DataReader): Promise<SlotStatus> {
    const pending = this.#slotReads.get(id);
    // Still waiting on the previous sample's read: do not queue another behind it, do not wait.
    if (pending !== undefined) return this.#stale(id, driver);
    const read = readSlot(id, driver).then((status) => {
      this.#lastSlots.set(id, status);
      return status;
    });
    this.#slotReads.set(id, read);
    read.finally(() => this.#slotReads.delete(id)).catch(() => undefined);
    // Nothing to show yet: the first reading is worth waiting for (up to the driver's own timeout).
    if (!this.#lastSlots.has(id)) return read;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.#o.slotWaitMs ?? 750);
    });
    const done = await Promise.race([read, late]);
    clearTimeout(timer);
    return done ?? this.#stale(id, driver);
  }

  #stale(id: string, driver: DataReader): SlotStatus {
    const last = this.#lastSlots.get(id) ?? emptySlot(id, driver.state);
    return { ...last, driver_state: driver.state, stale: true };
  }

  async #contributions() {
    const safety = new Map<string, NonNullable<SlotStatus['safety']>>();
    const sections: Record<string, StatusSection> = {};
    await Promise.all(
      this.#sources.map(async (source) => {
        try {
          const [perSlot, facts] = await Promise.all([source.slotSafety?.(), source.facts?.()]);
          for (const [slot, value] of perSlot ?? []) safety.set(slot, value);
          if (facts) sections[source.name] = { title: source.title, facts };
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          sections[source.name] = { title: source.title, facts: { unavailable: message } };
        }
      }),
    );
    return { safety, sections };
  }

  #remember(status: StationStatus): void {
    const h = this.#history;
    const now = Date.parse(status.sampled_at) / 1000;
    const last = h.times[h.times.length - 1];
    if (last !== undefined && (now - last) * 1000 < (this.#o.historyStepMs ?? 5000)) {
      this.#current = status;
      return;
    }
    this.#current = status;
    h.times.push(now);
    for (const slot of status.slots) {
      h.soc[slot.slot]?.push(slot.soc_percent);
      h.power[slot.slot]?.push(slot.power_kw);
    }
    const oldest = now - (this.#o.historyMs ?? 3_600_000) / 1000;
    let drop = 0;
    while (drop < h.times.length && (h.times[drop] as number) < oldest) drop += 1;
    if (drop === 0) return;
    h.times.splice(0, drop);
    for (const series of [...Object.values(h.soc), ...Object.values(h.power)]) series.splice(0, drop);
  }
}

/**
 * The charging slots among the station's devices, in slot order: the built-in simulator's `slot-N`
 * devices (`devices` null), or the configured devices with role `slot`.
 */
export function stationSlots(
  drivers: ReadonlyMap<string, DataReader>,
  devices: readonly { id: string; role: string }[] | null,
): ReadonlyMap<string, DataReader> {
  const isSlot = devices
    ? (id: string) => devices.some((d) => d.id === id && d.role === 'slot')
    : (id: string) => /^slot-\d+$/.test(id);
  const ids = [...drivers.keys()].filter(isSlot);
  if (!devices) ids.sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  return new Map(ids.map((id) => [id, drivers.get(id) as DataReader]));
}
