/**
 * The hardware driver port (BESSAI-SPEC-001, mapped to TypeScript), split by capability: a
 * `DataReader` (what the scanner, the control loop and the station page get), a `DataWriter` (the
 * control tags; handed once, to src/runtime/guarded-station.ts, which passes every write through the
 * SafetyGuard) and the lifecycle. Adapters (Modbus TCP/RTU, Seplos V2) implement the whole `DataProvider`.
 * Errors are one coded class, `DriverError`, mapping SPEC-001's KeyError / ConnectionError /
 * TimeoutError / ValueError.
 */

/** SPEC-001 §6 lifecycle. */
export const DRIVER_STATES = ['DISCONNECTED', 'CONNECTED', 'FAULTED'] as const;
export type DriverState = (typeof DRIVER_STATES)[number];

/** SPEC-001 §5.1: the read tags every conforming device must provide (or list as unsupported). */
export const REQUIRED_READ_TAGS = [
  'SOC_%',
  'P_kW',
  'T_battery_C',
  'V_dc_V',
  'I_dc_A',
  'mode',
  'alarm_code',
] as const;
/** SPEC-001 §5.2: the control tags. */
export const REQUIRED_WRITE_TAGS = ['P_setpoint_kW', 'mode_cmd'] as const;
export type RequiredReadTag = (typeof REQUIRED_READ_TAGS)[number];

/** SPEC-001 §4 timing limits, in milliseconds. Every driver accepts overrides (tests shorten them). */
export interface DriverTimings {
  /** readTag / readTags / writeTag hard limit (SPEC: 5 s). */
  readonly requestTimeoutMs: number;
  /** connect() hard limit including retries (SPEC: 30 s). */
  readonly connectTimeoutMs: number;
  /** Retries after the first connect attempt (SPEC: at most 3). */
  readonly connectRetries: number;
  /** First backoff delay, doubled on each retry (SPEC: 1 s). */
  readonly backoffBaseMs: number;
  /** disconnect() hard limit (SPEC: 10 s). */
  readonly disconnectTimeoutMs: number;
  /** Minimum gap between automatic reconnect attempts (SPEC: 5 s). */
  readonly reconnectIntervalMs: number;
  /** Consecutive failed reconnects after which the driver stays FAULTED (SPEC: 3). */
  readonly maxReconnectFailures: number;
}

export const DEFAULT_DRIVER_TIMINGS: DriverTimings = Object.freeze({
  requestTimeoutMs: 5_000,
  connectTimeoutMs: 30_000,
  connectRetries: 3,
  backoffBaseMs: 1_000,
  disconnectTimeoutMs: 10_000,
  reconnectIntervalMs: 5_000,
  maxReconnectFailures: 3,
});

/** Identification of the device (or of the battery behind a slot): serial number = asset id. */
export interface StaticInfo {
  serial_number: string | null;
  manufacturer: string;
  model: string;
  firmware: string | null;
  /** Hardware version, where the device reports one (a BMS does). */
  hardware_version?: string | null;
}

/** What the safety guard needs to know about a device's coverage of SPEC-001 §5.1. */
export interface TagCoverage {
  readable: readonly string[];
  writable: readonly string[];
  unsupportedRequiredTags: readonly string[];
  /** Maximum power rating; setpoints beyond ±p_max are rejected. */
  pMaxKw: number;
  /** Battery chemistry from the profile (LFP, NMC, …), or null when the profile does not say. */
  chemistry: string | null;
  /** Alarm tag → bit numbers that put the device in Safe State (the profile's safety_critical_alarm_bits). */
  safetyCriticalAlarmBits: Readonly<Record<string, readonly number[]>>;
}

/** The read side of a device: no method here changes anything on the hardware. */
export interface DataReader {
  /** True iff the connection is established and verified. No I/O. */
  readonly isConnected: boolean;
  /** "<Manufacturer> <Model> @ <endpoint>". No I/O. */
  readonly sourceDescription: string;
  readonly state: DriverState;
  /**
   * When the last read succeeded (any tag), or null. The safety guard's stale-data rule counts from its
   * own batch read instead (a read of other tags says nothing of SOC or temperature).
   */
  readonly lastGoodReadAt: Date | null;
  readonly tags: TagCoverage;
  /** Physical units; throws UNKNOWN_TAG, NOT_CONNECTED, TIMEOUT, EXCEPTION. Never returns null. */
  readTag(tag: string): Promise<number>;
  /** Reads several tags with as few requests as the device allows. All or nothing. */
  readTags(tags: readonly string[]): Promise<Record<string, number>>;
  /** Serial number, model, firmware. */
  readStaticInfo(): Promise<StaticInfo>;
  /**
   * Optional: the same reading as readTags with every value as an exact decimal string, for devices whose
   * figures are computed (a BMS's remaining Ah × pack voltage) and must not pass through a float.
   */
  readTagsExact?(tags: readonly string[]): Promise<Record<string, string>>;
}

/** The control side: only the guarded station holds one (see the module comment). */
export interface DataWriter {
  /** Range is checked before anything is sent (RANGE); UNKNOWN_TAG when not writable. */
  writeTag(tag: string, value: number): Promise<void>;
}

/** A whole SPEC-001 driver: what adapters implement and what the station hardware owns. */
export interface DataProvider extends DataReader, DataWriter {
  /** Idempotent. Retries with exponential backoff; throws DriverError CONNECTION_FAILED. */
  connect(): Promise<void>;
  /** Idempotent; isConnected is false when it returns. */
  disconnect(): Promise<void>;
}

export const DRIVER_ERROR_CODES = {
  UNKNOWN_TAG: 'the tag is not supported (or not writable) by this device (SPEC-001 KeyError)',
  NOT_CONNECTED: 'the driver is not connected (SPEC-001 ConnectionError)',
  CONNECTION_FAILED: 'the connection could not be established or was lost (SPEC-001 ConnectionError)',
  TIMEOUT: 'the device did not answer within the time limit (SPEC-001 TimeoutError)',
  RANGE: 'the value is outside the tag range; nothing was sent (SPEC-001 ValueError)',
  EXCEPTION: 'the device answered with a Modbus exception or an invalid frame',
  INVALID_READ:
    'the device answered, but a value lies outside the plausible range of its tag (SPEC-001 §4.5 bounds); nothing is passed on',
} as const;

export type DriverErrorCode = keyof typeof DRIVER_ERROR_CODES;

export interface DriverErrorDetails {
  tag?: string;
  value?: number;
  /** Modbus exception code, when the device sent one. */
  exceptionCode?: number;
  source?: string;
  /** What was wrong with an invalid frame (Seplos: bad-checksum, wrong-address, ...). */
  frame?: string;
  /** The plausible range a rejected reading fell outside of. */
  range?: readonly [number, number];
}

export class DriverError extends Error {
  readonly code: DriverErrorCode;
  readonly details: DriverErrorDetails;

  constructor(code: DriverErrorCode, message: string, details: DriverErrorDetails = {}, cause?: unknown) {
    super(message, { cause });
    this.name = 'DriverError';
    this.code = code;
    this.details = details;
  }

  /** Connection-level errors make the driver reconnect; the others leave the connection as it is. */
  get isConnectionError(): boolean {
    return this.code === 'NOT_CONNECTED' || this.code === 'CONNECTION_FAILED' || this.code === 'TIMEOUT';
  }
}

export function isDriverError(err: unknown, code?: DriverErrorCode): err is DriverError {
  return err instanceof DriverError && (code === undefined || err.code === code);
}
