import type { DeviceConfig } from '../../config/config.js';
import type { Logger } from '../../log.js';
import type { Clock } from '../../ports/clock.js';
import type { DataProvider, DataReader, DataWriter, DriverTimings } from '../../ports/data-provider.js';
import type { BatteryScanner } from '../../ports/scanner.js';
import { createDriver } from './driver-factory.js';
import { readerView } from './reader-view.js';
import { getProfile, loadRegistry } from './registry/load-registry.js';
import { StationScanner } from './scanner/station-scanner.js';
import { type RunningSimulator, startSimulator } from './simulator/station-simulator.js';
import { SlotReadingCache } from './slot-reading-cache.js';

export interface StationHardwareOptions {
  simulator: boolean;
  simulatorPort: number;
  simulatorSlots: number;
  devices: readonly DeviceConfig[];
  registryDir: string | null;
  clock: Clock;
  log: Logger;
  /** The simulator advances its physics in real time every N ms (default 1000; 0 = tests step it). */
  simulatorAutoStepMs?: number;
  /** SPEC-001 time limits, shortened by tests. */
  driverTimings?: Partial<DriverTimings>;
}

/** A charging slot as the rest of the process sees it: its configured id and a read-only view. */
export interface SlotDevice {
  readonly id: string;
  /** The slot's number at the station (the configuration's `slot`, or the simulator's unit id). */
  readonly slot: number;
  readonly reader: DataReader;
}

export interface StationHardware {
  readonly scanner: BatteryScanner;
  /** The charging slots, read-only, in configuration (or unit) order, with their numbers at the station. */
  readonly slots: readonly SlotDevice[];
  /** The latest reading of each slot, shared by every reader of the slots (poller, control loop). */
  readonly readings: SlotReadingCache;
  readonly simulator: RunningSimulator | null;
  /** The batteries the simulator placed in its slots: registered as this station's stock. */
  readonly simulatedBatteries: { asset_id: string; capacity_kwh: number }[];
  /**
   * The slots' control side, by slot id. Handed out once: the composition root gives it to the
   * guarded station, the one place that writes setpoints; any later call throws.
   */
  takeSlotWriters(): ReadonlyMap<string, DataWriter>;
  health(): Record<string, string>;
  close(): Promise<void>;
}

function connectInBackground(id: string, driver: DataProvider, log: Logger): void {
  driver
    .connect()
    .catch((err: unknown) =>
      log.warn({ err, device: id }, 'device not reachable yet; the driver keeps retrying'),
    );
}

async function simulatedStation(options: StationHardwareOptions) {
  const sim = await startSimulator({
    port: options.simulatorPort,
    slots: options.simulatorSlots,
    fill: {},
    autoStepMs: options.simulatorAutoStepMs ?? 1000,
    log: options.log,
  });
  const drivers = new Map<string, DataProvider>();
  const log = options.log.child({ component: 'drivers' });
  for (const unit of [...sim.slotUnitIds, sim.scannerUnitId]) {
    const id = unit === sim.scannerUnitId ? 'scanner' : `slot-${unit}`;
    drivers.set(
      id,
      createDriver(sim.url(unit), {
        profile: sim.profile,
        log,
        clock: options.clock,
        timings: options.driverTimings,
      }),
    );
  }
  await Promise.all([...drivers.values()].map((d) => d.connect()));
  const simulatedBatteries = sim.slotUnitIds
    .map((u) => sim.battery(u))
    .filter((b) => b !== null)
    .map((b) => ({ asset_id: b.assetId, capacity_kwh: b.capacityKwh }));
  return { sim, drivers, simulatedBatteries };
}

function realStation(options: StationHardwareOptions) {
  const registry = loadRegistry(options.registryDir ?? undefined);
  const log = options.log.child({ component: 'drivers' });
  const drivers = new Map<string, DataProvider>();
  for (const device of options.devices) {
    const driver = createDriver(device.url, {
      profile: getProfile(registry, device.profile),
      log,
      clock: options.clock,
      timings: options.driverTimings,
    });
    drivers.set(device.id, driver);
    connectInBackground(device.id, driver, log);
  }
  return drivers;
}

/** The station's own hardware: real Modbus devices from the configuration, or the built-in simulator. */
export async function startStationHardware(options: StationHardwareOptions): Promise<StationHardware> {
  const useSim = options.simulator && options.devices.length === 0;
  const simulated = useSim ? await simulatedStation(options) : null;
  const drivers = simulated?.drivers ?? realStation(options);
  const roles = new Map(options.devices.map((d) => [d.id, d.role]));
  const scannerDriver = useSim
    ? drivers.get('scanner')
    : [...drivers].find(([id]) => roles.get(id) === 'scanner')?.[1];
  const slotNumbers = new Map(options.devices.map((d, i) => [d.id, d.slot ?? i + 1]));
  const slotDrivers = [...drivers].filter(([id]) => (useSim ? id !== 'scanner' : roles.get(id) === 'slot'));
  const slots = slotDrivers.map(([id, d]) =>
    Object.freeze({
      id,
      slot: useSim ? Number(id.slice('slot-'.length)) : (slotNumbers.get(id) as number),
      reader: readerView(d),
    }),
  );
  let writers: ReadonlyMap<string, DataWriter> | null = new Map<string, DataWriter>(slotDrivers);
  return {
    scanner: new StationScanner({
      scanner: scannerDriver ? readerView(scannerDriver) : null,
      slots: slots.map((s) => s.reader),
      clock: options.clock,
    }),
    slots,
    readings: new SlotReadingCache(),
    simulator: simulated?.sim ?? null,
    simulatedBatteries: simulated?.simulatedBatteries ?? [],
    takeSlotWriters: () => {
      if (!writers) throw new Error('the slot writers were handed out already (to the guarded station)');
      const taken = writers;
      writers = null;
      return taken;
    },
    health: () => Object.fromEntries([...drivers].map(([id, d]) => [id, d.state])),
    close: async () => {
      await Promise.all([...drivers.values()].map((d) => d.disconnect().catch(() => undefined)));
      await simulated?.sim.close();
    },
  };
}
