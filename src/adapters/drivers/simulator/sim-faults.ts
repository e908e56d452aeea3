import type { StationCabinet } from './station-cabinet.js';

/** Link faults the simulator can inject, for every unit or for one. */
export type LinkFault =
  | { kind: 'no-answer' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'garbage' }
  | { kind: 'disconnect' }
  | { kind: 'exception'; code: number };

const ALL_UNITS = -1;

export class SimFaults {
  readonly #link = new Map<number, LinkFault>();
  readonly #cabinet: StationCabinet;
  readonly #offline: (offline: boolean) => Promise<void>;

  constructor(cabinet: StationCabinet, setOffline: (offline: boolean) => Promise<void>) {
    this.#cabinet = cabinet;
    this.#offline = setOffline;
  }

  /** Injects a link fault for one unit, or for all units when unitId is omitted. */
  set(fault: LinkFault, unitId?: number): void {
    this.#link.set(unitId ?? ALL_UNITS, fault);
  }

  clear(unitId?: number): void {
    if (unitId === undefined) this.#link.clear();
    else this.#link.delete(unitId);
  }

  linkFaultFor(unitId: number): LinkFault | undefined {
    return this.#link.get(unitId) ?? this.#link.get(ALL_UNITS);
  }

  /** Stops accepting connections and drops the open ones (connects are refused). */
  goOffline(): Promise<void> {
    return this.#offline(true);
  }

  goOnline(): Promise<void> {
    return this.#offline(false);
  }

  /** The battery on that unit heats up to `temperatureC` (its BMS raises over-temperature from 60 °C). */
  overTemperature(unitId: number, temperatureC = 70): void {
    this.temperature(unitId, temperatureC);
  }

  /** Sets the battery's cell temperature (it then relaxes towards ambient as the physics steps). */
  temperature(unitId: number, temperatureC: number): void {
    const battery = this.#cabinet.unit(unitId)?.battery;
    if (!battery) throw new RangeError(`no battery on unit ${unitId}`);
    battery.temperatureC = temperatureC;
  }

  /** Raises (or clears) one BMS alarm bit on the battery on that unit. */
  alarm(unitId: number, bit: number, on = true): void {
    const battery = this.#cabinet.unit(unitId)?.battery;
    if (!battery) throw new RangeError(`no battery on unit ${unitId}`);
    battery.alarmBits = on ? battery.alarmBits | (1 << bit) : battery.alarmBits & ~(1 << bit);
  }
}
