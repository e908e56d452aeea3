import { Decimal } from 'decimal.js';
import type { Telemetry, Telesignal } from './seplos-payload.js';
import { KELVIN_OFFSET_DECI } from './seplos-payload.js';

/** Exact arithmetic for the pack's figures: remaining Ah × V is never a float product. */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
type Dec = InstanceType<typeof D>;

/**
 * One protection, failure or warning flag of the telesignalization answer: alarm event n (1-based, event
 * 1 = byte 29 on a 16-cell pack), its bit, and the bit it takes in swapd's `alarm_code` or
 * `warning_code` bitmap.
 */
interface Flag {
  event: 1 | 2 | 3 | 4 | 5 | 6 | 8;
  bit: number;
  code: number;
  name: string;
}

/** `alarm_code`: bits 0-21 protections, 22-29 hardware failures (the pack cannot protect itself). */
export const ALARM_FLAGS: readonly Flag[] = [
  { event: 2, bit: 1, code: 0, name: 'cell overvoltage protection' },
  { event: 2, bit: 3, code: 1, name: 'cell undervoltage protection' },
  { event: 2, bit: 5, code: 2, name: 'pack overvoltage protection' },
  { event: 2, bit: 7, code: 3, name: 'pack undervoltage protection' },
  { event: 3, bit: 1, code: 4, name: 'charging high temperature protection' },
  { event: 3, bit: 3, code: 5, name: 'charging low temperature protection' },
  { event: 3, bit: 5, code: 6, name: 'discharging high temperature protection' },
  { event: 3, bit: 7, code: 7, name: 'discharging low temperature protection' },
  { event: 4, bit: 1, code: 8, name: 'ambient high temperature protection' },
  { event: 4, bit: 3, code: 9, name: 'ambient low temperature protection' },
  { event: 4, bit: 4, code: 10, name: 'component (MOSFET) high temperature protection' },
  { event: 5, bit: 1, code: 11, name: 'charging overcurrent protection' },
  { event: 5, bit: 3, code: 12, name: 'discharging overcurrent protection' },
  { event: 5, bit: 4, code: 13, name: 'transient overcurrent protection' },
  { event: 5, bit: 5, code: 14, name: 'output short-circuit protection' },
  { event: 5, bit: 6, code: 15, name: 'transient overcurrent lock' },
  { event: 5, bit: 7, code: 16, name: 'output short-circuit lock' },
  { event: 6, bit: 0, code: 17, name: 'charging high voltage protection' },
  { event: 6, bit: 3, code: 18, name: 'SOC low protection' },
  { event: 6, bit: 4, code: 19, name: 'cell low voltage: charging forbidden' },
  { event: 6, bit: 5, code: 20, name: 'output reverse protection' },
  { event: 6, bit: 6, code: 21, name: 'output connection failure' },
  { event: 1, bit: 0, code: 22, name: 'voltage sensing failure' },
  { event: 1, bit: 1, code: 23, name: 'temperature sensing failure' },
  { event: 1, bit: 2, code: 24, name: 'current sensing failure' },
  { event: 1, bit: 3, code: 25, name: 'power switch failure' },
  { event: 1, bit: 4, code: 26, name: 'cell voltage difference sensing failure' },
  { event: 1, bit: 5, code: 27, name: 'charging switch failure' },
  { event: 1, bit: 6, code: 28, name: 'discharging switch failure' },
  { event: 1, bit: 7, code: 29, name: 'current limit switch failure' },
];

/** `warning_code`: early warnings and housekeeping faults (no protection has tripped). */
export const WARNING_FLAGS: readonly Flag[] = [
  { event: 2, bit: 0, code: 0, name: 'cell overvoltage warning' },
  { event: 2, bit: 2, code: 1, name: 'cell undervoltage warning' },
  { event: 2, bit: 4, code: 2, name: 'pack overvoltage warning' },
  { event: 2, bit: 6, code: 3, name: 'pack undervoltage warning' },
  { event: 3, bit: 0, code: 4, name: 'charging high temperature warning' },
  { event: 3, bit: 2, code: 5, name: 'charging low temperature warning' },
  { event: 3, bit: 4, code: 6, name: 'discharging high temperature warning' },
  { event: 3, bit: 6, code: 7, name: 'discharging low temperature warning' },
  { event: 4, bit: 0, code: 8, name: 'ambient high temperature warning' },
  { event: 4, bit: 2, code: 9, name: 'ambient low temperature warning' },
  { event: 4, bit: 5, code: 10, name: 'component (MOSFET) high temperature warning' },
  { event: 5, bit: 0, code: 11, name: 'charging overcurrent warning' },
  { event: 5, bit: 2, code: 12, name: 'discharging overcurrent warning' },
  { event: 6, bit: 2, code: 13, name: 'SOC low warning' },
  { event: 8, bit: 0, code: 14, name: 'EEPROM storage failure' },
  { event: 8, bit: 1, code: 15, name: 'RTC clock failure' },
  { event: 8, bit: 2, code: 16, name: 'voltage not calibrated' },
  { event: 8, bit: 3, code: 17, name: 'current not calibrated' },
  { event: 8, bit: 4, code: 18, name: 'zero point not calibrated' },
  { event: 8, bit: 5, code: 19, name: 'calendar not synchronised' },
];

export const SYSTEM = { DISCHARGING: 0, CHARGING: 1, FLOATING: 2, STANDBY: 4, POWER_OFF: 5 } as const;
export const SWITCH = { DISCHARGE_FET: 0, CHARGE_FET: 1, CURRENT_LIMIT: 2, HEATING: 3 } as const;
/** Cell sensors come first; sensor 5 is the ambient probe, sensor 6 the MOSFET probe. */
export const CELL_SENSORS = 4;

function eventByte(s: Telesignal, event: Flag['event']): number {
  return event === 8 ? s.event8 : (s.events[event - 1] ?? 0);
}

function bitmap(s: Telesignal, flags: readonly Flag[]): number {
  let code = 0;
  for (const f of flags) if ((eventByte(s, f.event) >> f.bit) & 1) code |= 1 << f.code;
  return code >>> 0;
}

export function alarmBitmap(s: Telesignal): number {
  return bitmap(s, ALARM_FLAGS);
}

export function warningBitmap(s: Telesignal): number {
  return bitmap(s, WARNING_FLAGS);
}

const bit = (value: number, n: number) => (value >> n) & 1;

/** SPEC-001 `mode`: a tripped protection or failure is Fault; otherwise the system-state flags. */
export function modeOf(s: Telesignal): 0 | 1 | 2 | 3 {
  if (alarmBitmap(s) !== 0) return 3;
  if (bit(s.system, SYSTEM.CHARGING) || bit(s.system, SYSTEM.FLOATING)) return 1;
  if (bit(s.system, SYSTEM.DISCHARGING)) return 2;
  return 0;
}

/**
 * SPEC-001 current, positive when discharging. The system-state flags give the direction where they
 * are set (some packs report the current as a magnitude); otherwise the pack's own sign, which is
 * positive when charging, is negated.
 */
export function currentA(t: Telemetry, s: Telesignal): Dec {
  const raw = new D(t.currentCentiA).div(100);
  if (bit(s.system, SYSTEM.CHARGING) || bit(s.system, SYSTEM.FLOATING)) return raw.abs().neg();
  if (bit(s.system, SYSTEM.DISCHARGING)) return raw.abs();
  return raw.neg();
}

const celsius = (deciK: number) => new D(deciK - KELVIN_OFFSET_DECI).div(10);
const volts = (milli: number) => new D(milli).div(1000);
const centi = (n: number) => new D(n).div(100);
const deci = (n: number) => new D(n).div(10);

/** Every tag value of one telemetry + telesignalization pair, exact. */
export function packValues(t: Telemetry, s: Telesignal): Map<string, Dec> {
  const v = new Map<string, Dec>();
  const pack = centi(t.packCentiV);
  const current = currentA(t, s);
  const remainingAh = centi(t.remainingCentiAh);
  v.set('SOC_%', deci(t.socDeci));
  v.set('SOH_%', deci(t.sohDeci));
  v.set('V_dc_V', pack);
  v.set('V_port_V', centi(t.portCentiV));
  v.set('I_dc_A', current);
  v.set('P_kW', pack.mul(current).div(1000));
  v.set('E_kwh_remaining', remainingAh.mul(pack).div(1000));
  v.set('capacity_remaining_Ah', remainingAh);
  v.set('capacity_full_Ah', centi(t.fullCentiAh));
  v.set('capacity_rated_Ah', centi(t.ratedCentiAh));
  v.set('cycles_total', new D(t.cycles));
  v.set('mode', new D(modeOf(s)));
  v.set('alarm_code', new D(alarmBitmap(s)));
  v.set('warning_code', new D(warningBitmap(s)));
  v.set('cell_count', new D(t.cellMv.length));
  setCells(v, t);
  setTemperatures(v, t);
  v.set('balancing_cells', new D(s.balancing & (2 ** t.cellMv.length - 1)));
  v.set('fet_charge_on', new D(bit(s.switches, SWITCH.CHARGE_FET)));
  v.set('fet_discharge_on', new D(bit(s.switches, SWITCH.DISCHARGE_FET)));
  return v;
}

function setCells(v: Map<string, Dec>, t: Telemetry): void {
  const cells = t.cellMv.map(volts);
  cells.forEach((c, i) => {
    v.set(`V_cell_${i + 1}_V`, c);
  });
  const min = D.min(...cells);
  const max = D.max(...cells);
  v.set('V_cell_min_V', min);
  v.set('V_cell_max_V', max);
  v.set(
    'V_cell_avg_V',
    D.sum(...cells)
      .div(cells.length)
      .toDecimalPlaces(4),
  );
  v.set('V_cell_delta_V', max.minus(min));
}

function setTemperatures(v: Map<string, Dec>, t: Telemetry): void {
  const temps = t.tempDeciK.map(celsius);
  const cellTemps = temps.slice(0, Math.min(CELL_SENSORS, temps.length));
  cellTemps.forEach((c, i) => {
    v.set(`T_cell_${i + 1}_C`, c);
  });
  v.set('T_battery_C', D.max(...cellTemps));
  v.set('T_cell_min_C', D.min(...cellTemps));
  const ambient = temps[CELL_SENSORS];
  const mosfet = temps[CELL_SENSORS + 1];
  if (ambient) v.set('T_ambient_C', ambient);
  if (mosfet) v.set('T_mosfet_C', mosfet);
}
