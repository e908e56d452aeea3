import type { BatteryReading, BatteryScanner } from '../../ports/scanner.js';
import type { AssetTelemetry, TelemetryStore } from '../../ports/telemetry.js';
import type { TelemetryCache } from './telemetry-cache.js';

/** A battery's latest ingested telemetry as a reading of the kWh order of trust (source `telemetry`). */
export function telemetryReading(t: AssetTelemetry): BatteryReading {
  const p = t.message.payload;
  const reading: BatteryReading = {
    asset_id: t.assetId,
    timestamp: t.measuredAt.toISOString(),
    source: 'telemetry',
    soc_pct: p.soc_pct,
    temperature_c: p.temperature_c,
  };
  if (p.energy_kwh !== undefined) reading.kwh_remaining = String(p.energy_kwh);
  if (p.voltage_v !== undefined && p.voltage_v !== null) reading.voltage = p.voltage_v;
  return reading;
}

function newer(a: AssetTelemetry | null | undefined, b: AssetTelemetry | null | undefined) {
  if (!a) return b ?? null;
  if (!b) return a;
  return b.measuredAt.getTime() > a.measuredAt.getTime() ? b : a;
}

export interface TelemetryLookupOptions {
  /**
   * Scaled out (shared subscriptions): this instance sees only a share of the stream, so the stored
   * latest row is read as well and the newer one wins.
   */
  alwaysAskStore: boolean;
}

/** The latest telemetry of a battery: from memory, and from the database when memory cannot be sure. */
export class TelemetryLookup {
  /** Batteries with a stored row when this instance started (null: not known). */
  #storedAtStart: Set<string> | null = null;

  constructor(
    readonly cache: TelemetryCache,
    readonly store: TelemetryStore | null,
    readonly options: TelemetryLookupOptions,
  ) {}

  /**
   * Learns which batteries have a stored row (up to `limit` of them): alone on its stream, this instance
   * writes every row stored after it started from its own memory, so the database needs asking only for
   * those, once each.
   */
  async warm(limit: number): Promise<void> {
    if (this.options.alwaysAskStore || !this.store) return;
    const ids = await this.store.storedAssetIds(limit).catch(() => null);
    if (ids) this.#storedAtStart = new Set(ids);
  }

  /**
   * Memory first. Alone on its stream (and while memory has forgotten nothing), the database is asked
   * only about a battery it may hold a row of that memory does not, and its answer, a row or none, is
   * remembered; scaled out, it is always asked and the newer reading wins.
   */
  async latest(assetId: string): Promise<AssetTelemetry | null> {
    const held = this.cache.asset(assetId);
    if (this.options.alwaysAskStore || this.cache.hasForgotten) return this.#ask(assetId, held, false);
    if (held) return held;
    if (this.cache.storeHadNone(assetId)) return null;
    if (this.#storedAtStart && !this.#storedAtStart.has(assetId)) return null;
    return this.#ask(assetId, undefined, true);
  }

  async #ask(assetId: string, held: AssetTelemetry | undefined, remember: boolean) {
    if (!this.store) return held ?? null;
    const stored = await this.store.latestForAsset(assetId).then(
      (row) => row,
      () => undefined,
    );
    if (stored === undefined) return held ?? null;
    if (remember) this.cache.rememberStored(assetId, stored);
    return newer(held, stored);
  }
}

function withBudget<T>(work: Promise<T>, ms: number): Promise<T | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(null);
      },
    );
  });
}

/**
 * SPEC §3's order of trust as one scanner: the station's own scanner or slot first; when it cannot
 * see the battery (or fails, or takes longer than its budget), the latest ingested telemetry. The
 * handlers decide whether that telemetry is fresh enough (`soc_telemetry_timeout_seconds`).
 */
export class TrustOrderScanner implements BatteryScanner {
  constructor(
    readonly hardware: BatteryScanner,
    readonly telemetry: TelemetryLookup,
    readonly hardwareBudgetMs: number,
  ) {}

  async read(assetId: string): Promise<BatteryReading | null> {
    const fromTelemetry = this.telemetry.latest(assetId);
    const fromHardware = await withBudget(this.hardware.read(assetId), this.hardwareBudgetMs);
    if (fromHardware) return fromHardware;
    const latest = await fromTelemetry;
    return latest ? telemetryReading(latest) : null;
  }
}
