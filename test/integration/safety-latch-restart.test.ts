import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localConfig } from '../../bench/infra.js';
import type { RunningSimulator } from '../../src/adapters/drivers/simulator/station-simulator.js';
import { silentLogger } from '../../src/log.js';
import { type RunningSwapd, startSwapd } from '../../src/main.js';
import { ManualClock } from '../harness/clock.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import { deviceCommand } from '../harness/safety.js';
import { FAST_TIMINGS, startTestSimulator } from '../harness/simulator-harness.js';

/**
 * SPEC §8: Safe State "stays latched until an authorised operator clears it" — a restart of swapd is
 * not a clear. Two slots of an external station simulator, one Postgres database, swapd started
 * three times on it; the charging loop is ticked by the test.
 */
describe('a Safe State latch survives a restart of swapd (station role, postgres)', () => {
  const clock = new ManualClock('2026-03-01T08:00:00Z');
  let pg: TestDatabase;
  let sim: RunningSimulator;
  let swapd: RunningSwapd | null = null;

  const start = async (): Promise<RunningSwapd> => {
    const config = localConfig(
      { databaseUrl: pg.url, mqttUrl: null, dataDir: mkdtempSync(join(tmpdir(), 'swapd-data-')) },
      {
        roles: ['station'],
        outbox_retry_ms: 200,
        station: {
          devices: [
            { id: 'bay-1', url: sim.url(1), profile: 'swapd_station-sim' },
            { id: 'bay-2', url: sim.url(2), profile: 'swapd_station-sim' },
          ],
        },
      },
    );
    const running = await startSwapd(config, {
      log: silentLogger(),
      writeRuntimeNote: false,
      clock,
      driverTimings: FAST_TIMINGS,
      controlLoop: 'manual',
    });
    const guard = running.control!.guard;
    const deadline = Date.now() + 10_000;
    while (guard.safetySnapshot().some((s) => !s.connected) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      await guard.poll();
    }
    return running;
  };
  const tick = async () => {
    clock.advanceMs(1000);
    await swapd!.control!.loop.tick();
  };
  const bay1 = () => swapd!.control!.guard.safetySnapshot().find((s) => s.device_id === 'bay-1')!;
  const enteredEvents = async () =>
    (
      await swapd!.database.db
        .selectFrom('events')
        .select('event_id')
        .where('event_type', '=', 'SAFE_STATE_ENTERED')
        .execute()
    ).length;

  beforeAll(async () => {
    pg = await createTestDatabase();
    sim = await startTestSimulator({ slots: 2, fill: { socPct: 50, capacityKwh: 32 } });
  });

  afterAll(async () => {
    await swapd?.stop();
    await sim?.close();
    await pg?.drop();
  });

  it('latches an over-temperature slot, then stops', async () => {
    swapd = await start();
    await tick();
    expect(deviceCommand(sim, 1).mode).toBe(1);
    sim.faults.overTemperature(1, 70);
    await tick();
    expect(bay1()).toMatchObject({ latched: true });
    expect(deviceCommand(sim, 1)).toEqual({ setpoint: 0, mode: 0 });
    await swapd.stop();
    swapd = null;
  });

  it('started again with the battery cool, the slot is still latched and is not written to charge', async () => {
    sim.faults.temperature(1, 30);
    swapd = await start();
    for (let i = 0; i < 3; i++) {
      await tick();
      expect(deviceCommand(sim, 1)).toEqual({ setpoint: 0, mode: 0 });
    }
    expect(bay1()).toMatchObject({
      latched: true,
      latch_reasons: ['SAFETY_TEMP_CRITICAL_HIGH', 'SAFETY_CRITICAL_ALARM'],
      latched_since: '2026-03-01T08:00:02.000Z',
      reasons: ['SAFETY_LATCHED'],
    });
    expect(swapd.control!.guard.latchedSlots()).toEqual(['bay-1']);
    expect(deviceCommand(sim, 2).mode).toBe(1);
    expect(await enteredEvents()).toBe(1);
  });

  it('an operator clear lets it charge, and the next start does not latch it again', async () => {
    const [report] = await swapd!.control!.guard.clear('bay-1', 'amina');
    expect(report).toMatchObject({ outcome: 'cleared' });
    await tick();
    expect(deviceCommand(sim, 1).mode).toBe(1);
    await swapd!.stop();
    swapd = await start();
    await tick();
    expect(bay1()).toMatchObject({ latched: false, allowed: true });
    expect(deviceCommand(sim, 1).mode).toBe(1);
  });
});
