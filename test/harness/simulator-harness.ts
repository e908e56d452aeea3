import { createServer } from 'node:net';
import { createDriver } from '../../src/adapters/drivers/driver-factory.js';
import type {
  RunningSimulator,
  SimulatorOptions,
} from '../../src/adapters/drivers/simulator/station-simulator.js';
import { startSimulator } from '../../src/adapters/drivers/simulator/station-simulator.js';
import { silentLogger } from '../../src/log.js';
import type { DataProvider, DriverTimings } from '../../src/ports/data-provider.js';
import type { ContractSubject } from '../interop/driver-contract.js';

/** SPEC-001 limits shortened so the hardware tests stay fast; the ratios stay as in the spec. */
export const FAST_TIMINGS: DriverTimings = Object.freeze({
  requestTimeoutMs: 300,
  connectTimeoutMs: 1_500,
  connectRetries: 2,
  backoffBaseMs: 50,
  disconnectTimeoutMs: 500,
  reconnectIntervalMs: 150,
  maxReconnectFailures: 3,
});

/** A simulator on a free port with every slot holding a battery (BAT-0001 in slot 1, ...). */
export function startTestSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({ slots: 4, fill: { capacityKwh: 32 }, ...options });
}

export function simDriver(
  sim: RunningSimulator,
  unitId: number,
  timings: Partial<DriverTimings> = FAST_TIMINGS,
): DataProvider {
  return createDriver(sim.url(unitId), { profile: sim.profile, log: silentLogger(), timings });
}

/** A TCP port nothing listens on (connects are refused). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 1;
}

/** Contract subject: the Modbus driver over TCP on the simulator's slot 1. */
export async function tcpSubject(): Promise<ContractSubject> {
  const sim = await startTestSimulator();
  const port = await closedPort();
  return {
    driver: simDriver(sim, 1),
    unreachable: () =>
      createDriver(`modbus-tcp://127.0.0.1:${port}?unit=1`, {
        profile: sim.profile,
        log: silentLogger(),
        timings: FAST_TIMINGS,
      }),
    silence: () => sim.faults.set({ kind: 'no-answer' }),
    restore: () => sim.faults.clear(),
    timings: FAST_TIMINGS,
    close: () => sim.close(),
  };
}
