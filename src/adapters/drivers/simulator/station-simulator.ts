import type { Logger } from '../../../log.js';
import { silentLogger } from '../../../log.js';
import type { DeviceProfile } from '../registry/device-profile.js';
import { getModbusProfile, loadRegistry } from '../registry/load-registry.js';
import type { BatterySpec, BatteryState, PhysicsConstants } from './battery-model.js';
import { DEFAULT_PHYSICS } from './battery-model.js';
import type { Framing } from './modbus-server.js';
import { ModbusServer } from './modbus-server.js';
import { SimCounters } from './sim-counters.js';
import { SimFaults } from './sim-faults.js';
import { StationCabinet } from './station-cabinet.js';

export const SIM_PROFILE_NAME = 'swapd_station-sim';
export const DEFAULT_SCANNER_UNIT_ID = 100;

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Charging slots, unit ids 1..slots (default 16). */
  slots?: number;
  /** Unit id of the battery scanner (default 100). */
  scannerUnitId?: number;
  /** 'tcp' = Modbus TCP (MBAP); 'rtu' = RTU frames over TCP, for a pty bridge such as socat. */
  framing?: Framing;
  /** Register map; default the shipped station-sim profile. */
  profile?: DeviceProfile;
  physics?: PhysicsConstants;
  /** Advance the physics in real time every N ms (0 = only when step() is called; the default). */
  autoStepMs?: number;
  /** Batteries to place at start: slot n gets `BAT-000n` style ids when `fill` is set. */
  fill?: { socPct?: number; capacityKwh?: number };
  log?: Logger;
  onFrame?: (request: Buffer, response: Buffer) => void;
}

export interface RunningSimulator {
  readonly host: string;
  readonly port: number;
  readonly slotUnitIds: readonly number[];
  readonly scannerUnitId: number;
  readonly profile: DeviceProfile;
  readonly counters: SimCounters;
  readonly faults: SimFaults;
  readonly cabinet: StationCabinet;
  /** `modbus-tcp://host:port?unit=<unitId>` for a driver. */
  url(unitId: number): string;
  placeBattery(unitId: number, spec: BatterySpec): BatteryState;
  removeBattery(unitId: number): BatteryState | null;
  battery(unitId: number): BatteryState | null;
  /** Advances the battery physics by `seconds`. */
  step(seconds: number): void;
  close(): Promise<void>;
}

/** Starts the station simulator: a Modbus server whose units are the cabinet's slots and its scanner. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = options.host ?? '127.0.0.1';
  const slotUnitIds = unitIds(options.slots ?? 16);
  const scannerUnitId = options.scannerUnitId ?? DEFAULT_SCANNER_UNIT_ID;
  if (slotUnitIds.includes(scannerUnitId)) throw new RangeError('the scanner unit id collides with a slot');
  const profile = options.profile ?? getModbusProfile(loadRegistry(), SIM_PROFILE_NAME);
  const cabinet = new StationCabinet(profile, slotUnitIds, scannerUnitId, options.physics ?? DEFAULT_PHYSICS);
  const counters = new SimCounters();
  let server: ModbusServer | null = null;
  const faults = new SimFaults(
    cabinet,
    (offline) => (offline ? server?.close() : server?.reopen()) ?? Promise.resolve(),
  );
  const log = (options.log ?? silentLogger()).child({ component: 'station-sim' });
  server = new ModbusServer({
    cabinet,
    counters,
    faults,
    framing: options.framing ?? 'tcp',
    log,
    onFrame: options.onFrame,
  });
  await server.listen(host, options.port ?? 0);
  if (options.fill) fillSlots(cabinet, slotUnitIds, options.fill);
  const ticker = startTicker(cabinet, options.autoStepMs ?? 0);
  const port = server.port;
  log.info({ host, port, slots: slotUnitIds.length, scannerUnitId }, 'station simulator listening');
  const running: RunningSimulator = {
    host,
    port,
    slotUnitIds,
    scannerUnitId,
    profile,
    counters,
    faults,
    cabinet,
    url: (unitId) => `modbus-tcp://${host}:${port}?unit=${unitId}`,
    placeBattery: (unitId, spec) => cabinet.place(unitId, spec),
    removeBattery: (unitId) => cabinet.remove(unitId),
    battery: (unitId) => cabinet.unit(unitId)?.battery ?? null,
    step: (seconds) => cabinet.step(seconds),
    close: async () => {
      if (ticker) clearInterval(ticker);
      await server?.close();
    },
  };
  return running;
}

/** The asset id the simulator gives the battery it places in slot n at start. */
export function simAssetId(n: number): string {
  return `BAT-${String(n).padStart(4, '0')}`;
}

function unitIds(slots: number): number[] {
  if (!Number.isInteger(slots) || slots < 1 || slots > 99) throw new RangeError('slots must be 1..99');
  return Array.from({ length: slots }, (_, i) => i + 1);
}

function fillSlots(
  cabinet: StationCabinet,
  slots: readonly number[],
  fill: NonNullable<SimulatorOptions['fill']>,
): void {
  for (const unitId of slots) {
    cabinet.place(unitId, {
      assetId: simAssetId(unitId),
      socPct: fill.socPct ?? 40 + ((unitId * 7) % 60),
      capacityKwh: fill.capacityKwh,
    });
  }
}

function startTicker(cabinet: StationCabinet, everyMs: number): NodeJS.Timeout | null {
  if (everyMs <= 0) return null;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    cabinet.step((now - last) / 1000);
    last = now;
  }, everyMs);
  timer.unref();
  return timer;
}
