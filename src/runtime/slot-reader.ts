import type { DataReader } from '../ports/data-provider.js';
import type { SlotStatus } from '../ports/station-status.js';

const SLOT_TAGS = [
  'battery_present',
  'SOC_%',
  'E_kwh_remaining',
  'T_battery_C',
  'mode',
  'P_setpoint_kW',
  'P_kW',
] as const;

/** SPEC-001 operating modes as the station profile numbers them. */
const MODE_NAMES: Record<number, string> = { 0: 'idle', 1: 'charging', 2: 'discharging', 3: 'fault' };

function round(value: number | undefined, places: number): number | null {
  if (value === undefined || !Number.isFinite(value)) return null;
  const f = 10 ** places;
  return Math.round(value * f) / f;
}

/** A slot with nothing known about it but its driver's state. */
export function emptySlot(slot: string, driverState: string): SlotStatus {
  return {
    slot,
    driver_state: driverState,
    battery_id: null,
    soc_percent: null,
    kwh: null,
    temperature_c: null,
    mode: null,
    setpoint_kw: null,
    power_kw: null,
    charging_kw: null,
  };
}

/**
 * One slot as its charger reports it now: the battery's serial number and BMS values, the charger's
 * mode, setpoint and power. A device that is down or fails the read gives a slot with nulls and its
 * driver state, never an error: the page must keep showing the other slots.
 */
export async function readSlot(slot: string, driver: DataReader): Promise<SlotStatus> {
  const status = emptySlot(slot, driver.state);
  if (!driver.isConnected) return status;
  const wanted = SLOT_TAGS.filter((t) => driver.tags.readable.includes(t));
  const [values, info] = await Promise.all([
    driver.readTags(wanted).catch(() => null),
    driver.readStaticInfo().catch(() => null),
  ]);
  status.driver_state = driver.state;
  if (!values) return status;
  const present = values.battery_present === undefined ? true : values.battery_present === 1;
  const mode = values.mode;
  status.mode = mode === undefined ? null : (MODE_NAMES[mode] ?? String(mode));
  status.setpoint_kw = round(values.P_setpoint_kW, 2);
  status.power_kw = round(values.P_kW, 3);
  status.charging_kw = status.power_kw === null ? null : Math.max(0, -status.power_kw);
  if (!present) return status;
  status.battery_id = info?.serial_number || null;
  status.soc_percent = round(values['SOC_%'], 1);
  status.kwh = round(values.E_kwh_remaining, 3);
  status.temperature_c = round(values.T_battery_C, 1);
  return status;
}
