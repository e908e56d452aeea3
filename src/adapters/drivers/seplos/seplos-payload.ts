import type { Decoded } from './seplos-frame.js';
import { frameError } from './seplos-frame.js';

/**
 * The INFO payloads of the Seplos V2 answers, kept as raw integers (scaling happens with decimal.js in
 * seplos-values.ts). Layouts are read in order, so packs with fewer cells or sensors decode too; with 16
 * cells and 6 sensors the offsets are the documented ones (telemetry: cells at hex char 6, temperatures
 * at 72, current at 96, pack voltage 100, remaining Ah 104, full Ah 110, SOC 114, rated Ah 118, cycles
 * 122, SOH 126, port voltage 130; telesignalization: alarm events from byte 29, switches 35, balancing
 * 36-37, system state 38, events 7/8 at 41/42).
 */
export const MAX_CELLS = 16;
export const MAX_TEMPERATURES = 8;
/** Kelvin offset of the temperature fields, in 0.1 K. */
export const KELVIN_OFFSET_DECI = 2731;

export interface Telemetry {
  dataFlag: number;
  group: number;
  /** Cell voltages, mV. */
  cellMv: number[];
  /** Sensors in 0.1 K: cells 1-4, then ambient, then MOSFET. */
  tempDeciK: number[];
  /** 0.01 A, signed; positive = charging on Seplos packs. */
  currentCentiA: number;
  /** 0.01 V. */
  packCentiV: number;
  /** 0.01 Ah. */
  remainingCentiAh: number;
  customCount: number;
  fullCentiAh: number;
  /** 0.1 %. */
  socDeci: number;
  ratedCentiAh: number;
  cycles: number;
  sohDeci: number;
  portCentiV: number;
}

export interface Telesignal {
  dataFlag: number;
  /** Per cell: 0 normal, 1 below the lower limit, 2 above the upper limit, 0xF0 other fault. */
  cellAlarms: number[];
  tempAlarms: number[];
  chargeCurrentAlarm: number;
  packVoltageAlarm: number;
  dischargeCurrentAlarm: number;
  /** Alarm events 1..6 (bytes 29-34 on a 16-cell pack). */
  events: [number, number, number, number, number, number];
  /** Bit 0 discharge FET, 1 charge FET, 2 current limit, 3 heating. */
  switches: number;
  /** Bit n = cell n+1 balancing (equalization byte 1 holds cells 1-8, byte 2 cells 9-16). */
  balancing: number;
  /** Bit 0 discharging, 1 charging, 2 floating charge, 4 standby, 5 power off. */
  system: number;
  disconnection: number;
  event7: number;
  event8: number;
}

export interface ManufacturerInfo {
  hardware: string;
  /** Major.minor. */
  firmware: string;
  /** The identity field; swapd uses it as the pack's serial number (asset id). */
  identity: string;
}

/** Reads hex text in order; every overrun is a coded error, never an exception. */
class HexCursor {
  #pos = 0;
  #fault: string | null = null;
  constructor(readonly text: string) {}

  get fault(): string | null {
    return this.#fault;
  }

  get remaining(): number {
    return this.text.length - this.#pos;
  }

  read(chars: number, what: string): number {
    if (this.#fault) return 0;
    if (this.#pos + chars > this.text.length) {
      this.#fault = `${what} at character ${this.#pos} runs past the end (${this.text.length} characters)`;
      return 0;
    }
    const value = Number.parseInt(this.text.slice(this.#pos, this.#pos + chars), 16);
    this.#pos += chars;
    return value;
  }

  u8(what: string): number {
    return this.read(2, what);
  }

  u16(what: string): number {
    return this.read(4, what);
  }

  i16(what: string): number {
    const v = this.read(4, what);
    return v >= 0x8000 ? v - 0x10000 : v;
  }

  bytes(n: number, what: string): number[] {
    const out: number[] = [];
    for (let i = 0; i < n && !this.#fault; i += 1) out.push(this.u8(`${what} ${i + 1}`));
    return out;
  }

  words(n: number, what: string): number[] {
    const out: number[] = [];
    for (let i = 0; i < n && !this.#fault; i += 1) out.push(this.u16(`${what} ${i + 1}`));
    return out;
  }
}

function finish<T>(cursor: HexCursor, value: T, what: string): Decoded<T> {
  if (cursor.fault) return { ok: false, error: frameError('bad-payload', `${what}: ${cursor.fault}`) };
  return { ok: true, value };
}

function badCount<T>(what: string, count: number, max: number): Decoded<T> {
  return { ok: false, error: frameError('bad-payload', `${what} count ${count} is not 1..${max}`) };
}

export function decodeTelemetry(info: string): Decoded<Telemetry> {
  const c = new HexCursor(info);
  const dataFlag = c.u8('data flag');
  const group = c.u8('group');
  const cells = c.u8('cell count');
  if (!c.fault && (cells < 1 || cells > MAX_CELLS)) return badCount('telemetry cell', cells, MAX_CELLS);
  const cellMv = c.words(cells, 'cell voltage');
  const temps = c.u8('temperature count');
  if (!c.fault && (temps < 1 || temps > MAX_TEMPERATURES))
    return badCount('telemetry temperature', temps, MAX_TEMPERATURES);
  const tempDeciK = c.words(temps, 'temperature');
  const value: Telemetry = {
    dataFlag,
    group,
    cellMv,
    tempDeciK,
    currentCentiA: c.i16('current'),
    packCentiV: c.u16('pack voltage'),
    remainingCentiAh: c.u16('remaining capacity'),
    customCount: c.u8('custom count'),
    fullCentiAh: c.u16('full capacity'),
    socDeci: c.u16('SOC'),
    ratedCentiAh: c.u16('rated capacity'),
    cycles: c.u16('cycles'),
    sohDeci: c.u16('SOH'),
    portCentiV: c.u16('port voltage'),
  };
  return finish(c, value, 'telemetry');
}

export function decodeTelesignal(info: string): Decoded<Telesignal> {
  const c = new HexCursor(info);
  const dataFlag = c.u8('data flag');
  const cells = c.u8('cell count');
  if (!c.fault && (cells < 1 || cells > MAX_CELLS)) return badCount('telesignal cell', cells, MAX_CELLS);
  const cellAlarms = c.bytes(cells, 'cell alarm');
  const temps = c.u8('temperature count');
  if (!c.fault && (temps < 1 || temps > MAX_TEMPERATURES))
    return badCount('telesignal temperature', temps, MAX_TEMPERATURES);
  const tempAlarms = c.bytes(temps, 'temperature alarm');
  const chargeCurrentAlarm = c.u8('charge current alarm');
  const packVoltageAlarm = c.u8('pack voltage alarm');
  const dischargeCurrentAlarm = c.u8('discharge current alarm');
  c.u8('custom count');
  const ev = c.bytes(6, 'alarm event');
  const value: Telesignal = {
    dataFlag,
    cellAlarms,
    tempAlarms,
    chargeCurrentAlarm,
    packVoltageAlarm,
    dischargeCurrentAlarm,
    events: [ev[0] ?? 0, ev[1] ?? 0, ev[2] ?? 0, ev[3] ?? 0, ev[4] ?? 0, ev[5] ?? 0],
    switches: c.u8('switch state'),
    balancing: c.u8('balancing 1') | (c.u8('balancing 2') << 8),
    system: c.u8('system state'),
    disconnection: (c.u8('disconnection 1') << 8) | c.u8('disconnection 2'),
    event7: c.u8('alarm event 7'),
    event8: c.u8('alarm event 8'),
  };
  return finish(c, value, 'telesignal');
}

const HARDWARE_CHARS = 20;
const IDENTITY_CHARS = 20;

/** CID2 0x51: 20 ASCII bytes of hardware name, 2 bytes of software version, 20 ASCII bytes of identity. */
export function decodeManufacturer(info: string): Decoded<ManufacturerInfo> {
  const c = new HexCursor(info);
  const hardware = asciiOf(c.bytes(HARDWARE_CHARS, 'hardware name'));
  const major = c.u8('software major');
  const minor = c.u8('software minor');
  const identity = asciiOf(c.bytes(IDENTITY_CHARS, 'identity'));
  return finish(c, { hardware, firmware: `${major}.${minor}`, identity }, 'manufacturer info');
}

/** Printable ASCII only; NUL and space padding is trimmed. */
function asciiOf(bytes: readonly number[]): string {
  return String.fromCharCode(...bytes.map((b) => (b >= 0x20 && b < 0x7f ? b : 0x20))).trim();
}

// --- encoders (the simulator's side; also used to build test frames) ---

const h2 = (n: number) => (n & 0xff).toString(16).toUpperCase().padStart(2, '0');
const h4 = (n: number) => (n & 0xffff).toString(16).toUpperCase().padStart(4, '0');

export function encodeTelemetry(t: Telemetry): string {
  return [
    h2(t.dataFlag),
    h2(t.group),
    h2(t.cellMv.length),
    ...t.cellMv.map(h4),
    h2(t.tempDeciK.length),
    ...t.tempDeciK.map(h4),
    h4(t.currentCentiA),
    h4(t.packCentiV),
    h4(t.remainingCentiAh),
    h2(t.customCount),
    h4(t.fullCentiAh),
    h4(t.socDeci),
    h4(t.ratedCentiAh),
    h4(t.cycles),
    h4(t.sohDeci),
    h4(t.portCentiV),
    '0000000000000000',
  ].join('');
}

export function encodeTelesignal(s: Telesignal): string {
  return [
    h2(s.dataFlag),
    h2(s.cellAlarms.length),
    ...s.cellAlarms.map(h2),
    h2(s.tempAlarms.length),
    ...s.tempAlarms.map(h2),
    h2(s.chargeCurrentAlarm),
    h2(s.packVoltageAlarm),
    h2(s.dischargeCurrentAlarm),
    h2(20),
    ...s.events.map(h2),
    h2(s.switches),
    h2(s.balancing),
    h2(s.balancing >> 8),
    h2(s.system),
    h2(s.disconnection >> 8),
    h2(s.disconnection),
    h2(s.event7),
    h2(s.event8),
    '000000000000',
  ].join('');
}

export function encodeManufacturer(m: ManufacturerInfo): string {
  const [major, minor] = m.firmware.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const ascii = (text: string, n: number) =>
    Array.from({ length: n }, (_, i) => h2(i < text.length ? text.charCodeAt(i) : 0x20)).join('');
  return `${ascii(m.hardware, HARDWARE_CHARS)}${h2(major ?? 0)}${h2(minor ?? 0)}${ascii(m.identity, IDENTITY_CHARS)}`;
}
