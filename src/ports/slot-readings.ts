/**
 * The latest reading of each charging slot, shared by whoever polls the slots (the slot poller, a
 * charging control loop) and whoever needs the values (the telemetry publisher, status pages), so a
 * slot is read over Modbus once per period however many consumers there are.
 */
export interface SlotReading {
  /** The slot's number at the station (1-based). */
  slot: number;
  /** The device id of the slot's driver. */
  deviceId: string;
  /** The driver's source description, "<Manufacturer> <Model> @ <endpoint>". */
  source: string;
  /** The battery's serial number, or null when the slot is empty. */
  assetId: string | null;
  readAt: Date;
  /** Tag → physical value, as the driver read them (SPEC-001 tag names). */
  tags: Readonly<Record<string, number>>;
  /** The device's maximum power rating. */
  pMaxKw: number;
}

export interface SlotReadings {
  /** The latest reading of each slot that has been read, in slot order. */
  all(): SlotReading[];
  get(slot: number): SlotReading | undefined;
  /** Stores a fresh reading of a slot (replacing the previous one). */
  record(reading: SlotReading): void;
}
