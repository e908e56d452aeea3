/**
 * What the station page shows: one snapshot of the station, built by the status service from the
 * hardware, the database and the broker, plus sections other parts of swapd contribute through
 * `StationStatusSource` (the safety guard's per-slot state, the telemetry publisher's rates, …).
 * Everything here is plain JSON: it travels to the browser as it is.
 */

/** A slot's safety state, as the safety guard sees it. */
export interface SlotSafety {
  /** `ok`, `derated`, `blocked` or `safe_state` (latched until an operator clears it). */
  state: 'ok' | 'derated' | 'blocked' | 'safe_state';
  reasons: string[];
  latched: boolean;
}

export interface SlotStatus {
  /** The slot's device id (`slot-1` … in the embedded default). */
  slot: string;
  driver_state: string;
  battery_id: string | null;
  soc_percent: number | null;
  kwh: number | null;
  temperature_c: number | null;
  /** `idle`, `charging`, `discharging`, `fault`, or the raw number a device reports. */
  mode: string | null;
  /** The charger's setpoint in kW (SPEC-001 sign: negative charges). */
  setpoint_kw: number | null;
  /** Measured power in kW (positive = discharging). */
  power_kw: number | null;
  /** Charging power in kW (0 when not charging). */
  charging_kw: number | null;
  /** Present once a safety source is registered. */
  safety?: SlotSafety;
  /** True when the device has not answered this sample: the values are the last ones it gave. */
  stale?: boolean;
}

export interface SwapSummary {
  at: string;
  plan_id: string | null;
  returned: string | null;
  issued: string | null;
  kwh: number | null;
}

export interface PaymentSummary {
  at: string;
  payment_id: string;
  plan_id: string;
  amount: string;
  currency: string;
  status: string;
  payment_type: string | null;
}

/** One value in a contributed section: shown as a labelled fact. */
export type StatusFact = string | number | boolean | null;

export interface StatusSection {
  title: string;
  facts: Record<string, StatusFact>;
}

export interface StationStatus {
  site_id: string;
  sampled_at: string;
  broker: { connected: boolean };
  database: { up: boolean; description: string };
  drivers: Record<string, string>;
  outbox_depth: number | null;
  slots: SlotStatus[];
  /** Sum of the slots' charging power, kW. */
  charging_kw: number;
  last_swaps: SwapSummary[];
  last_payments: PaymentSummary[];
  /** Contributed sections by name (`safety`, `telemetry`, …); absent until their source is registered. */
  sections: Record<string, StatusSection>;
}

/** Per-slot points of the last hour: [epoch seconds, value | null] per sample. */
export interface StationHistory {
  times: number[];
  soc: Record<string, (number | null)[]>;
  power: Record<string, (number | null)[]>;
}

/**
 * A contributor to the station page. Register one in the composition root (src/main.ts and
 * src/composition/) with `status.register(source)`; both methods are optional, and a source that fails is shown as failed without hiding the others.
 */
export interface StationStatusSource {
  /** Section name: `safety`, `telemetry`, … (unique). */
  readonly name: string;
  /** Section heading on the page. */
  readonly title: string;
  /** Safety state per slot device id; merged into the slots. */
  slotSafety?(): Promise<ReadonlyMap<string, SlotSafety>>;
  /** Facts shown in the section's card (rates, counts, last times). */
  facts?(): Promise<Record<string, StatusFact>>;
}

/** The database side of the page (src/adapters/db/station-status.repo.ts). */
export interface StationStatusStore {
  ping(): Promise<boolean>;
  outboxDepth(): Promise<number>;
  lastSwaps(limit: number): Promise<SwapSummary[]>;
  lastPayments(limit: number): Promise<PaymentSummary[]>;
}
