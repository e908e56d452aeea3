import {
  type ChargeSettings,
  type Demand,
  floorTo,
  shareFairly,
  taperedKw,
  wantsCharge,
} from '../../charging/index.js';
import type { Logger } from '../log.js';
import type { GuardedStation } from './guarded-station.js';
import type { SafetyJournal } from './safety-journal.js';

export interface ChargingLoopOptions {
  /** The station's grid limit shared by the slots (station.max_power_kw). */
  stationLimitKw: number;
  intervalMs: number;
  settings: ChargeSettings;
}

export interface TickReport {
  /** Setpoint asked for per slot (kW, negative = charge). */
  requested: Record<string, number>;
  /** Setpoint the guard allowed per slot. */
  allowed: Record<string, number>;
}

/**
 * The charging control loop: poll every slot (one batch read each), decide each slot's charge
 * (towards the target SOC, tapering near it, never above what the guard would allow), share the
 * station's grid limit max-min fairly, and pass every setpoint through the guarded station, which
 * writes only what changes. Ticks never overlap; `tick()` is also what tests call with a fake clock.
 */
export class ChargingLoop {
  readonly #station: GuardedStation;
  readonly #journal: SafetyJournal;
  readonly #options: ChargingLoopOptions;
  readonly #log: Logger;
  readonly #charging = new Map<string, boolean>();
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> = Promise.resolve();
  #stopped = true;
  ticks = 0;

  constructor(station: GuardedStation, journal: SafetyJournal, options: ChargingLoopOptions, log: Logger) {
    this.#station = station;
    this.#journal = journal;
    this.#options = options;
    this.#log = log.child({ component: 'charging' });
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /**
   * One cycle: poll, decide, command through the guard, journal. Slots whose charge goes down are
   * commanded before those whose charge goes up, so the station stays within its limit in between.
   */
  async tick(): Promise<TickReport> {
    await this.#station.poll();
    const requested = this.#plan();
    const allowed: Record<string, number> = {};
    const command = async ([id, kw]: [string, number]) => {
      allowed[id] = (await this.#station.command(id, kw)).setpoint;
    };
    const [down, up] = this.#byDirection(Object.entries(requested));
    await Promise.all(down.map(command));
    await Promise.all(up.map(command));
    await this.#journal.flush();
    this.ticks += 1;
    return { requested, allowed };
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.tick()
        .catch((err: unknown) => this.#log.error({ err }, 'charging cycle failed'))
        .finally(() => this.#schedule(this.#options.intervalMs));
    }, delayMs);
    this.#timer.unref();
  }

  /** The request per slot: fair shares for slots the guard lets charge, a plain request for the others. */
  #plan(): Record<string, number> {
    const { settings, stationLimitKw } = this.#options;
    const demands: Demand[] = [];
    const blockedWants = new Map<string, number>();
    for (const id of this.#station.slotIds) {
      const want = this.#want(id);
      if (want === 0) continue;
      const outlook = this.#station.chargeOutlook(id);
      if (outlook.refused) blockedWants.set(id, want);
      else demands.push({ id, kw: Math.min(want, outlook.capKw) });
    }
    // What slots beyond control (silent, failing writes) may still draw is not shared out again.
    const reserved = this.#station.slotIds.reduce((sum, id) => sum + this.#station.uncommandedDrawKw(id), 0);
    const shares = shareFairly(demands, stationLimitKw - reserved, settings.stepKw);
    return Object.fromEntries(
      this.#station.slotIds.map((id) => {
        const blocked = blockedWants.get(id);
        // A charge the guard would refuse is still asked for, so that it is refused and reported.
        const kw = blocked !== undefined ? floorTo(blocked, settings.stepKw) : (shares.get(id) ?? 0);
        return [id, kw === 0 ? 0 : -kw];
      }),
    );
  }

  /** Requests that lower a slot's charge (or whose device state is unknown) first, then the others. */
  #byDirection(requests: [string, number][]): [[string, number][], [string, number][]] {
    const lowers = ([id, kw]: [string, number]) => {
      const held = this.#station.heldSetpointKw(id);
      return held === null || Math.max(0, -kw) <= Math.max(0, -held);
    };
    return [requests.filter(lowers), requests.filter((r) => !lowers(r))];
  }

  /** How much this slot would charge (kW) if nothing else competed; 0 when it does not want charge. */
  #want(id: string): number {
    const reading = this.#station.observation(id).reading;
    const profile = this.#station.profile(id);
    const target = Math.min(this.#options.settings.targetSocPct, profile.limits.soc_max_pct);
    const was = this.#charging.get(id) ?? false;
    if (!reading?.battery_present) {
      this.#charging.set(id, false);
      return 0;
    }
    const wants = wantsCharge(reading.soc_pct, target, was, this.#options.settings.restartBelowPct);
    this.#charging.set(id, wants);
    return wants ? taperedKw(reading.soc_pct, target, profile.pMaxKw, this.#options.settings) : 0;
  }
}
