import type { StationHardware } from '../adapters/drivers/station-hardware.js';
import type { SwapdConfig } from '../config/config.js';
import type { Logger } from '../log.js';
import type { Clock } from '../ports/clock.js';
import type { SafetyJournalStore } from '../ports/safety-journal.js';
import type { SafetyObserver } from '../runtime/guarded-station.js';
import type { SwapdMetrics } from '../runtime/metrics.js';
import type { OutboxRelay } from '../runtime/outbox-relay.js';
import { safetyStatusSource } from '../runtime/safety-status.source.js';
import { buildStationControl, type StationControl } from '../runtime/station-control.js';
import type { StationStatusService } from '../runtime/station-status.service.js';
import { Spec003Validator } from '../validation/spec003/spec003-validator.js';
import { SWAPD_VERSION } from './project.js';
import type { Closer, StartOptions } from './start-options.js';

/**
 * The station role's control side: the SafetyGuard with the latches it had before a restart, and the
 * charging loop (started unless control is off or a test drives it).
 */
export async function openStationControl(
  config: SwapdConfig,
  deps: {
    hardware: StationHardware;
    journal: SafetyJournalStore;
    relay: OutboxRelay;
    status: StationStatusService;
    metrics: SwapdMetrics;
  },
  runtime: { log: Logger; clock: Clock; controlLoop: StartOptions['controlLoop'] },
  closers: Closer[],
): Promise<StationControl> {
  const control = buildStationControl({
    hardware: deps.hardware,
    station: config.station,
    siteId: config.site_id,
    gatewayVersion: SWAPD_VERSION,
    store: deps.journal,
    validator: new Spec003Validator(),
    clock: runtime.clock,
    log: runtime.log,
    observer: safetyObserver(deps.metrics),
    onEventsQueued: () => deps.relay.kick(),
  });
  deps.status.register(safetyStatusSource(control.guard));
  await control.guard.restoreLatches(await deps.journal.openLatches(config.site_id));
  if (config.station.control && runtime.controlLoop !== 'manual') control.loop.start();
  closers.push(() => control.loop.stop());
  return control;
}

function safetyObserver(metrics: SwapdMetrics): SafetyObserver {
  return {
    blocked: (reason) => metrics.safetyBlocks.inc({ reason }),
    safeState: (slot, latched) => metrics.safetySafeState.set({ slot }, latched ? 1 : 0),
    written: (slot, kw) => {
      metrics.safetyWrites.inc({ slot });
      metrics.safetySetpointKw.set({ slot }, kw);
    },
    chargingPower: (kw) => metrics.stationChargingKw.set(kw),
  };
}
