import { DEFAULT_CHARGE_SETTINGS } from '../../charging/index.js';
import {
  type Chemistry,
  isChemistry,
  resolveLimits,
  resolveStaleAfter,
  type SlotSafetyProfile,
} from '../../safety/index.js';
import type { SwapdConfig } from '../config/config.js';
import { SwapdError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Clock } from '../ports/clock.js';
import type { DataReader, DataWriter } from '../ports/data-provider.js';
import type { SafetyJournalStore } from '../ports/safety-journal.js';
import type { Spec003Validator } from '../validation/spec003/spec003-validator.js';
import { ChargingLoop } from './charging-loop.js';
import { GuardedStation, type SafetyObserver } from './guarded-station.js';
import { SafetyJournal } from './safety-journal.js';

/** What the control side needs of the station hardware: read-only slots and the writers, once. */
export interface ControllableHardware {
  readonly slots: readonly { readonly id: string; readonly reader: DataReader }[];
  takeSlotWriters(): ReadonlyMap<string, DataWriter>;
}

export interface StationControlDeps {
  hardware: ControllableHardware;
  station: SwapdConfig['station'];
  siteId: string;
  /** swapd's version, carried by every safety_event envelope. */
  gatewayVersion: string;
  store: SafetyJournalStore;
  validator: Spec003Validator;
  clock: Clock;
  log: Logger;
  observer?: SafetyObserver;
  onEventsQueued?: () => void;
}

export interface StationControl {
  readonly guard: GuardedStation;
  readonly loop: ChargingLoop;
  readonly journal: SafetyJournal;
}

/**
 * Wires the station's control side: takes the slot writers from the hardware (they exist nowhere
 * else afterwards), builds each slot's safety profile (limits of its chemistry, checked), the guard,
 * the journal and the charging loop. Starts nothing.
 */
export function buildStationControl(deps: StationControlDeps): StationControl {
  const stale = resolveStaleAfter(deps.station.safety.stale_after_s);
  if (!stale.ok) throw configError('/station/safety/stale_after_s', stale.problem);
  const slots = deps.hardware.slots.map((s) => ({
    ...s,
    profile: slotProfile(s.id, s.reader, deps.station, stale.ms, deps.log),
  }));
  const journal = new SafetyJournal(deps.store, {
    siteId: deps.siteId,
    gatewayVersion: deps.gatewayVersion,
    validator: deps.validator,
    log: deps.log,
    onEventsQueued: deps.onEventsQueued,
  });
  const guard = new GuardedStation({
    slots,
    writers: deps.hardware.takeSlotWriters(),
    journal,
    clock: deps.clock,
    log: deps.log,
    observer: deps.observer,
  });
  const loop = new ChargingLoop(
    guard,
    journal,
    {
      stationLimitKw: deps.station.max_power_kw,
      intervalMs: deps.station.poll_interval_ms,
      settings: { ...DEFAULT_CHARGE_SETTINGS, targetSocPct: deps.station.target_soc_pct },
    },
    deps.log,
  );
  return { guard, loop, journal };
}

function slotProfile(
  id: string,
  reader: DataReader,
  station: SwapdConfig['station'],
  staleAfterMs: number,
  log: Logger,
): SlotSafetyProfile {
  const chemistry = chemistryOf(id, reader.tags.chemistry, station.safety.fallback_chemistry, log);
  const limits = resolveLimits(chemistry, station.safety.limits[chemistry]);
  if (!limits.ok) throw configError(`/station/safety/limits/${chemistry}`, limits.problems.join('; '));
  if (station.target_soc_pct > limits.limits.soc_max_pct) {
    throw configError(
      '/station/target_soc_pct',
      `${station.target_soc_pct} is above SOC_MAX ${limits.limits.soc_max_pct} of ${chemistry} (slot ${id})`,
    );
  }
  return {
    limits: limits.limits,
    staleAfterMs,
    pMaxKw: reader.tags.pMaxKw,
    unsupportedRequiredTags: reader.tags.unsupportedRequiredTags,
    criticalAlarmBits: reader.tags.safetyCriticalAlarmBits,
  };
}

function chemistryOf(id: string, declared: string | null, fallback: Chemistry, log: Logger): Chemistry {
  if (isChemistry(declared)) return declared;
  log.warn(
    { slot: id, chemistry: declared, using: fallback },
    'no SPEC-002 limits for this chemistry; using the fallback',
  );
  return fallback;
}

function configError(path: string, message: string): SwapdError {
  return new SwapdError('CONFIG_INVALID', `invalid configuration: ${path}: ${message}`, {
    details: [{ path, message }],
  });
}
