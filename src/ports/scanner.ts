/**
 * Where a battery's energy reading comes from, in the order of trust of SPEC §3:
 * the station's scanner or charging slot, then ingested telemetry, then the attendant app.
 */
export const KWH_SOURCES = ['scanner', 'slot', 'telemetry', 'app', 'soc_conversion', 'checkin'] as const;
export type KwhSource = (typeof KWH_SOURCES)[number];

export interface BatteryReading {
  asset_id: string;
  /** Energy remaining in kWh, as a decimal string (exact). Absent when only SOC is known. */
  kwh_remaining?: string;
  soc_pct?: number;
  voltage?: number;
  temperature_c?: number;
  /** UTC ISO 8601. */
  timestamp: string;
  source: Exclude<KwhSource, 'app' | 'soc_conversion' | 'checkin'>;
}

/** Asked by the IDENTIFY_* and checkout handlers for a battery that may be at the station. */
export interface BatteryScanner {
  /** The freshest hardware reading for this battery, or null when the station cannot see it. */
  read(assetId: string): Promise<BatteryReading | null>;
}

/** A station with no hardware attached: it never sees a battery. */
export const noHardwareScanner: BatteryScanner = {
  read: async () => null,
};
