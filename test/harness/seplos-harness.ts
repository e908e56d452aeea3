import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDriver } from '../../src/adapters/drivers/driver-factory.js';
import type {
  RunningSeplosSimulator,
  SeplosSimulatorOptions,
} from '../../src/adapters/drivers/simulator/seplos-simulator.js';
import { startSeplosSimulator } from '../../src/adapters/drivers/simulator/seplos-simulator.js';
import { silentLogger } from '../../src/log.js';
import type { DataProvider, DriverTimings } from '../../src/ports/data-provider.js';
import type { ContractSubject } from '../interop/driver-contract.js';
import { closedPort, FAST_TIMINGS } from './simulator-harness.js';

/** Short inter-command delay for tests (the profile's default is 100 ms). */
export const TEST_DELAY = 'delay_ms=5';

/** A bus of four packs (addresses 1..4, BAT-0001 ..) on a free port. */
export function startTestSeplos(options: SeplosSimulatorOptions = {}): Promise<RunningSeplosSimulator> {
  return startSeplosSimulator({ slots: 4, fill: { capacityKwh: 5.12 }, ...options });
}

export function seplosDriver(
  sim: RunningSeplosSimulator,
  address: number,
  timings: Partial<DriverTimings> = FAST_TIMINGS,
): DataProvider {
  return createDriver(`${sim.url(address)}&${TEST_DELAY}`, {
    profile: sim.profile,
    log: silentLogger(),
    timings,
  });
}

/** Contract subject: the Seplos driver over TCP (an RS-485 gateway) on the simulator's pack 1. */
export async function seplosTcpSubject(): Promise<ContractSubject> {
  const sim = await startTestSeplos();
  const port = await closedPort();
  return {
    driver: seplosDriver(sim, 1),
    unreachable: () =>
      createDriver(`seplos-v2-tcp://127.0.0.1:${port}?address=1`, {
        profile: sim.profile,
        log: silentLogger(),
        timings: FAST_TIMINGS,
      }),
    silence: () => sim.fault({ kind: 'no-answer' }),
    restore: () => sim.clearFaults(),
    timings: FAST_TIMINGS,
    close: () => sim.close(),
  };
}

/** The simulator behind `socat pty,raw,echo=0 tcp:…`: a real pseudo-terminal for `seplos-v2://`. */
export interface SeplosPty {
  sim: RunningSeplosSimulator;
  path: string;
  driver(address: number, timings?: DriverTimings): DataProvider;
  close(): Promise<void>;
}

export async function startSeplosPty(options: SeplosSimulatorOptions = {}): Promise<SeplosPty> {
  const sim = await startTestSeplos(options);
  const dir = mkdtempSync(join(tmpdir(), 'swapd-seplos-'));
  const path = join(dir, 'ttySEPLOS');
  const socat = spawn('socat', [`pty,raw,echo=0,link=${path}`, `tcp:127.0.0.1:${sim.port}`], {
    stdio: 'ignore',
  });
  await waitFor(() => existsSync(path), 3_000);
  return {
    sim,
    path,
    driver: (address, timings = FAST_TIMINGS) =>
      createDriver(`seplos-v2://${path}?baud=19200&address=${address}&${TEST_DELAY}`, {
        profile: sim.profile,
        log: silentLogger(),
        timings,
      }),
    close: async () => {
      await stop(socat);
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function seplosPtySubject(): Promise<ContractSubject> {
  const pty = await startSeplosPty();
  return {
    driver: pty.driver(1),
    unreachable: () =>
      createDriver('seplos-v2:///dev/swapd-no-such-tty?address=1', {
        profile: pty.sim.profile,
        log: silentLogger(),
        timings: FAST_TIMINGS,
      }),
    silence: () => pty.sim.fault({ kind: 'no-answer' }),
    restore: () => pty.sim.clearFaults(),
    timings: FAST_TIMINGS,
    close: () => pty.close(),
  };
}

async function waitFor(condition: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('socat did not create the pty in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
