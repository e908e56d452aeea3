import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDriver } from '../../src/adapters/drivers/driver-factory.js';
import type { RunningSimulator } from '../../src/adapters/drivers/simulator/station-simulator.js';
import { silentLogger } from '../../src/log.js';
import type { DataProvider } from '../../src/ports/data-provider.js';
import type { ContractSubject } from '../interop/driver-contract.js';
import { FAST_TIMINGS, startTestSimulator } from './simulator-harness.js';

/** A serial device path bridged by socat to the simulator's RTU-framed TCP listener. */
export interface RtuBridge {
  sim: RunningSimulator;
  path: string;
  driver(unitId: number): DataProvider;
  close(): Promise<void>;
}

/** Starts the simulator with RTU framing and `socat pty,raw,echo=0 tcp:…`: a real pseudo-terminal. */
export async function startRtuBridge(): Promise<RtuBridge> {
  const sim = await startTestSimulator({ framing: 'rtu' });
  const dir = mkdtempSync(join(tmpdir(), 'swapd-rtu-'));
  const path = join(dir, 'ttySIM');
  const socat = spawn('socat', [`pty,raw,echo=0,link=${path}`, `tcp:127.0.0.1:${sim.port}`], {
    stdio: 'ignore',
  });
  await waitFor(() => existsSync(path), 3_000);
  return {
    sim,
    path,
    driver: (unitId) =>
      createDriver(`modbus-rtu://${path}?baud=19200&unit=${unitId}`, {
        profile: sim.profile,
        log: silentLogger(),
        timings: FAST_TIMINGS,
      }),
    close: async () => {
      await stop(socat);
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function rtuSubject(): Promise<ContractSubject> {
  const bridge = await startRtuBridge();
  return {
    driver: bridge.driver(1),
    unreachable: () =>
      createDriver('modbus-rtu:///dev/swapd-no-such-tty?unit=1', {
        profile: bridge.sim.profile,
        log: silentLogger(),
        timings: FAST_TIMINGS,
      }),
    silence: () => bridge.sim.faults.set({ kind: 'no-answer' }),
    restore: () => bridge.sim.faults.clear(),
    timings: FAST_TIMINGS,
    close: () => bridge.close(),
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
