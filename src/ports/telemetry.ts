import type { Spec003Envelope } from '../validation/spec003/spec003-validator.js';

/** A SPEC-003 telemetry payload with swapd's battery extension fields (SPEC §2.5). */
export type TelemetryPayload = {
  soc_pct: number;
  power_kw: number;
  temperature_c: number;
  voltage_v?: number | null;
  current_a?: number | null;
  mode: number;
  alarm_code: number;
  driver_source?: string;
  cycle_number?: number | null;
  asset_id?: string;
  energy_kwh?: number;
  slot?: number;
  soh_pct?: number;
};

/** The latest accepted telemetry of one battery. */
export interface AssetTelemetry {
  assetId: string;
  siteId: string;
  /** The envelope's timestamp: when it was measured. */
  measuredAt: Date;
  receivedAt: Date;
  readonly message: Spec003Envelope<TelemetryPayload>;
  /** The message as JSON text, when it is held as received (the writer stores it as it is). */
  readonly text?: string;
}

/** The latest accepted message of one site and message type (telemetry, fleet_aggregate, …). */
export interface SiteMessage {
  siteId: string;
  messageType: string;
  measuredAt: Date;
  message: Spec003Envelope;
}

/** One stored history point of a battery. */
export interface TelemetryPoint {
  timestamp: string;
  site_id: string;
  soc_pct: number;
  energy_kwh: number | null;
  power_kw: number;
  voltage_v: number | null;
  current_a: number | null;
  temperature_c: number;
  mode: number;
  alarm_code: number;
  soh_pct: number | null;
  slot: number | null;
}

export interface TelemetryBatch {
  assets: readonly AssetTelemetry[];
  sites: readonly SiteMessage[];
}

/** Where ingested telemetry is kept (Postgres): latest per asset and per site, and a bounded history. */
export interface TelemetryStore {
  /** Writes a batch in one statement; at most one entry per asset and per site/type. */
  write(batch: TelemetryBatch): Promise<{ latest: number; history: number }>;
  latestForAsset(assetId: string): Promise<AssetTelemetry | null>;
  /** The batteries that have a latest row, or null when there are more than `limit`. */
  storedAssetIds(limit: number): Promise<string[] | null>;
  latestForSite(siteId: string, messageType: string): Promise<SiteMessage | null>;
  latestOfType(messageType: string): Promise<SiteMessage[]>;
  history(assetId: string, from: Date, to: Date, limit: number): Promise<TelemetryPoint[]>;
  /** Deletes history older than `before`; returns how many rows went. */
  prune(before: Date): Promise<number>;
}

/** The energy a site's swaps delivered in a period (sum of net kWh of committed swaps), exact. */
export interface SwapEnergySource {
  deliveredKwh(siteId: string, from: Date, to: Date): Promise<string>;
}
