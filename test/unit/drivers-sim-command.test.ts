import { describe, expect, it } from 'vitest';
import { createDriver } from '../../src/adapters/drivers/driver-factory.js';
import { runSimCommand } from '../../src/adapters/drivers/simulator/sim-command.js';
import type { RunningSimulator } from '../../src/adapters/drivers/simulator/station-simulator.js';
import { silentLogger } from '../../src/log.js';
import { FAST_TIMINGS } from '../harness/simulator-harness.js';

describe('swapd sim', () => {
  it('serves a filled cabinet on 127.0.0.1 and returns when stopped', async () => {
    let stop = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let sim: RunningSimulator | undefined;
    let listening = () => {};
    const ready = new Promise<void>((resolve) => {
      listening = resolve;
    });
    const done = runSimCommand({
      port: 0,
      slots: 3,
      site_id: 'SITE-KE-001',
      until: stopped,
      onListening: (s) => {
        sim = s;
        listening();
      },
    });
    await ready;
    expect(sim?.host).toBe('127.0.0.1');
    expect(sim?.slotUnitIds).toEqual([1, 2, 3]);
    const driver = createDriver(sim?.url(2) ?? '', {
      profile: sim!.profile,
      log: silentLogger(),
      timings: FAST_TIMINGS,
    });
    await driver.connect();
    expect((await driver.readStaticInfo()).serial_number).toBe('BAT-0002');
    await driver.disconnect();
    stop();
    await done;
  });
});
