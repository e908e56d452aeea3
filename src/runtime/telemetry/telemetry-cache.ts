import type { AssetTelemetry, SiteMessage, TelemetryBatch } from '../../ports/telemetry.js';
import { measuredMsOf } from './received-telemetry.js';

/**
 * Sets `key` last in a Map kept in least-recently-updated order and within `max` entries; returns what
 * it evicted. `held` says whether the key is there already (the caller has just looked), which spares a
 * lookup on the path every message takes.
 */
function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number, held: boolean): V | undefined {
  if (held) map.delete(key);
  map.set(key, value);
  if (held || map.size <= max) return undefined;
  const oldest = map.keys().next().value as K;
  const evicted = map.get(oldest);
  map.delete(oldest);
  return evicted;
}

/** Sets `key` in a bounded Map, leaving a present key in its place; returns what it evicted. */
function setInPlace<K, V>(map: Map<K, V>, key: K, value: V, max: number): V | undefined {
  const size = map.size;
  map.set(key, value);
  if (map.size === size || map.size <= max) return undefined;
  const oldest = map.keys().next().value as K;
  const evicted = map.get(oldest);
  map.delete(oldest);
  return evicted;
}

const siteKey = (siteId: string, messageType: string) => `${siteId}/${messageType}`;

/**
 * The latest accepted reading per battery and the latest message per site and type, in memory, plus
 * what has changed since the last database write. Both are bounded (least recently updated go first),
 * so memory stays flat whatever arrives; the pending set holds one entry per asset, which is what
 * limits the writer to one row per asset per interval.
 */
export class TelemetryCache {
  readonly #maxAssets: number;
  readonly #assets = new Map<string, AssetTelemetry>();
  readonly #sites = new Map<string, SiteMessage>();
  #pendingAssets = new Map<string, AssetTelemetry>();
  #pendingSites = new Map<string, SiteMessage>();
  /** Batteries the database was asked about and had no reading of (until one arrives). */
  readonly #storeHadNone = new Map<string, true>();
  /** Unwritten readings pushed out of a full pending set (database down for long). */
  droppedPending = 0;
  /** True once a battery's reading was pushed out by newer ones: memory no longer holds all it saw. */
  hasForgotten = false;

  constructor(maxAssets: number) {
    this.#maxAssets = maxAssets;
  }

  get size(): number {
    return this.#assets.size;
  }

  get pendingCount(): number {
    return this.#pendingAssets.size + this.#pendingSites.size;
  }

  /** Keeps the reading when it is newer than the one held; false for an out-of-order reading. */
  foldAsset(reading: AssetTelemetry): boolean {
    const held = this.#assets.get(reading.assetId);
    if (held && measuredMsOf(held) > measuredMsOf(reading)) return false;
    this.#keep(reading, held !== undefined);
    this.#addPendingAsset(reading);
    return true;
  }

  /**
   * What the database answered for a battery the memory did not hold: its stored row (kept, not
   * written again) or none. The memory then answers on its own until it forgets the battery.
   */
  rememberStored(assetId: string, stored: AssetTelemetry | null): void {
    if (stored === null) {
      if (!this.#assets.has(assetId))
        setBounded(this.#storeHadNone, assetId, true, this.#maxAssets, this.#storeHadNone.has(assetId));
      return;
    }
    const held = this.#assets.get(assetId);
    if (held && measuredMsOf(held) >= measuredMsOf(stored)) return;
    this.#keep(stored, held !== undefined);
  }

  #keep(reading: AssetTelemetry, held: boolean): void {
    if (setBounded(this.#assets, reading.assetId, reading, this.#maxAssets, held)) this.hasForgotten = true;
    if (this.#storeHadNone.size > 0) this.#storeHadNone.delete(reading.assetId);
  }

  /** True when the database was asked about this battery and had nothing, and nothing came since. */
  storeHadNone(assetId: string): boolean {
    return this.#storeHadNone.has(assetId);
  }

  foldSite(message: SiteMessage): boolean {
    const key = siteKey(message.siteId, message.messageType);
    const held = this.#sites.get(key);
    if (held && held.measuredAt.getTime() > message.measuredAt.getTime()) return false;
    setBounded(this.#sites, key, message, this.#maxAssets, held !== undefined);
    setInPlace(this.#pendingSites, key, message, this.#maxAssets);
    return true;
  }

  asset(assetId: string): AssetTelemetry | undefined {
    return this.#assets.get(assetId);
  }

  site(siteId: string, messageType: string): SiteMessage | undefined {
    return this.#sites.get(siteKey(siteId, messageType));
  }

  sitesOfType(messageType: string): SiteMessage[] {
    return [...this.#sites.values()].filter((s) => s.messageType === messageType);
  }

  /** Everything changed since the last call; the pending set starts empty again. */
  takePending(): TelemetryBatch {
    const batch = { assets: [...this.#pendingAssets.values()], sites: [...this.#pendingSites.values()] };
    this.#pendingAssets = new Map();
    this.#pendingSites = new Map();
    return batch;
  }

  /** A batch that could not be written goes back, unless a newer reading has taken its place. */
  restorePending(batch: TelemetryBatch): void {
    for (const reading of batch.assets)
      if (!this.#pendingAssets.has(reading.assetId)) this.#addPendingAsset(reading);
    for (const message of batch.sites) {
      const key = siteKey(message.siteId, message.messageType);
      if (!this.#pendingSites.has(key)) setInPlace(this.#pendingSites, key, message, this.#maxAssets);
    }
  }

  /**
   * A battery already waiting keeps its place (the set is emptied at every write, so its order only
   * decides which unwritten readings go first when the database has been away for long).
   */
  #addPendingAsset(reading: AssetTelemetry): void {
    if (setInPlace(this.#pendingAssets, reading.assetId, reading, this.#maxAssets)) this.droppedPending++;
  }
}
