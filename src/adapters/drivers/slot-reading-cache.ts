import type { SlotReading, SlotReadings } from '../../ports/slot-readings.js';

/** SlotReadings in memory: one entry per slot, so its size is the station's slot count. */
export class SlotReadingCache implements SlotReadings {
  readonly #bySlot = new Map<number, SlotReading>();

  all(): SlotReading[] {
    return [...this.#bySlot.values()].sort((a, b) => a.slot - b.slot);
  }

  get(slot: number): SlotReading | undefined {
    return this.#bySlot.get(slot);
  }

  record(reading: SlotReading): void {
    const held = this.#bySlot.get(reading.slot);
    if (held && held.readAt.getTime() > reading.readAt.getTime()) return;
    this.#bySlot.set(reading.slot, reading);
  }
}
