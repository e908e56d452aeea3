import type { DeviceConfig } from '../../config/config.js';
import type { Logger } from '../../log.js';
import type { Clock } from '../../ports/clock.js';
import type { DataProvider } from '../../ports/data-provider.js';
import type { BatteryScanner } from '../../ports/scanner.js';
import { createDriver } from './driver-factory.js';
import { getProfile, loadRegistry } from './registry/load-registry.js';
import { StationScanner } from './scanner/station-scanner.js';
import { type RunningSimulator, startSimulator } from './simulator/station-simulator.js';
import type { StationSlot } from './slot-poller.js';
import { SlotReadingCache } from './slot-reading-cache.js';

export interface StationHardwareOptions {
  simulator: boolean;
  simulatorPort: number;
  simulatorSlots: number;
  devices: readonly DeviceConfig[];
  registryDir: string | null;
  clock: Clock;
  log: Logger;
}

export interface StationHardware {
  readonly scanner: BatteryScanner;
  readonly drivers: ReadonlyMap<string, DataProvider>;
  /** The charging slots with their numbers at the station. */
  readonly slots: readonly StationSlot[];
  /** The latest reading of each slot, shared by every reader of the slots (poller, control loop). */
  readonly readings: SlotReadingCache;
  readonly simulator: RunningSimulator | null;
  /** The batteries the simulator placed in its slots: registered as this station's stock. */
  readonly simulatedBatteries: { asset_id: string; capacity_kwh: number }[];
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
    autoStepMs: 1000,
    log: options.log,
  });
  const drivers = new Map<string, DataProvider>();
  const log = options.log.child({ component: 'drivers' });
  for (const unit of [...sim.slotUnitIds, sim.scannerUnitId]) {
    const id = unit === sim.scannerUnitId ? 'scanner' : `slot-${unit}`;
    drivers.set(id, createDriver(sim.url(unit), { profile: sim.profile, log, clock: options.clock }));
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
  const stationSlots = [...drivers]
    .filter(([id]) => (useSim ? id !== 'scanner' : roles.get(id) === 'slot'))
    .map(([id, driver]) => ({
      slot: useSim ? Number(id.slice('slot-'.length)) : (slotNumbers.get(id) as number),
      deviceId: id,
      driver,
    }));
  const slots = stationSlots.map((s) => s.driver);
  return {
    scanner: new StationScanner({ scanner: scannerDriver ?? null, slots, clock: options.clock }),
    drivers,
    slots: stationSlots,
    readings: new SlotReadingCache(),
    simulator: simulated?.sim ?? null,
    simulatedBatteries: simulated?.simulatedBatteries ?? [],
    health: () => Object.fromEntries([...drivers].map(([id, d]) => [id, d.state])),
    close: async () => {
      await Promise.all([...drivers.values()].map((d) => d.disconnect().catch(() => undefined)));
      await simulated?.sim.close();
    },
  };
}
