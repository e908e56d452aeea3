import type { Logger } from '../../log.js';
import type { Clock } from '../../ports/clock.js';
import type { DataReader } from '../../ports/data-provider.js';
import type { Scheduler } from '../../ports/scheduler.js';
import type { SlotReadings } from '../../ports/slot-readings.js';

export interface StationSlot {
  slot: number;
  deviceId: string;
  driver: DataReader;
}

/** What a slot reading carries when the device has it (SPEC-001 names). */
export const SLOT_TAGS = [
  'SOC_%',
  'SOH_%',
  'P_kW',
  'V_dc_V',
  'I_dc_A',
  'T_battery_C',
  'mode',
  'alarm_code',
  'E_kwh_remaining',
  'capacity_kwh',
  'battery_present',
] as const;

/**
 * Reads every slot once per period into the shared SlotReadings. A slot that another reader (a
 * charging control loop) recorded within the last half period is not read again; a slot whose driver
 * is down is skipped (its last reading ages, and consumers see how old it is).
 */
export class SlotPoller {
  readonly #slots: readonly StationSlot[];
  readonly #readings: SlotReadings;
  readonly #clock: Clock;
  readonly #scheduler: Scheduler;
  readonly #intervalMs: number;
  readonly #log: Logger;
  readonly #failing = new Set<string>();
  #cancel: (() => void) | null = null;

  constructor(deps: {
    slots: readonly StationSlot[];
    readings: SlotReadings;
    clock: Clock;
    scheduler: Scheduler;
    intervalMs: number;
    log: Logger;
  }) {
    this.#slots = deps.slots;
    this.#readings = deps.readings;
    this.#clock = deps.clock;
    this.#scheduler = deps.scheduler;
    this.#intervalMs = deps.intervalMs;
    this.#log = deps.log.child({ component: 'slot-poller' });
  }

  start(): void {
    this.#cancel = this.#scheduler.every(this.#intervalMs, () => this.poll());
  }

  stop(): void {
    this.#cancel?.();
    this.#cancel = null;
  }

  /** Reads every slot that needs it, side by side. */
  async poll(): Promise<void> {
    const now = this.#clock.now().getTime();
    const due = this.#slots.filter((s) => {
      const held = this.#readings.get(s.slot);
      return !held || now - held.readAt.getTime() >= this.#intervalMs / 2;
    });
    await Promise.all(due.map((s) => this.#read(s)));
  }

  async #read(s: StationSlot): Promise<void> {
    if (!s.driver.isConnected) return;
    try {
      const wanted = SLOT_TAGS.filter((t) => s.driver.tags.readable.includes(t));
      const [info, tags] = await Promise.all([s.driver.readStaticInfo(), s.driver.readTags(wanted)]);
      const empty = tags.battery_present === 0 || !info.serial_number;
      this.#readings.record({
        slot: s.slot,
        deviceId: s.deviceId,
        source: s.driver.sourceDescription,
        assetId: empty ? null : info.serial_number,
        readAt: this.#clock.now(),
        tags,
        pMaxKw: s.driver.tags.pMaxKw,
      });
      if (this.#failing.delete(s.deviceId)) this.#log.info({ device: s.deviceId }, 'slot readable again');
    } catch (err) {
      if (this.#failing.has(s.deviceId)) return;
      this.#failing.add(s.deviceId);
      this.#log.warn({ err, device: s.deviceId }, 'slot could not be read; its telemetry pauses');
    }
  }
}
