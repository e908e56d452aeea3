import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WriteRecord } from '../../src/adapters/drivers/simulator/sim-counters.js';
import type { RunningSimulator } from '../../src/adapters/drivers/simulator/station-simulator.js';
import { ManualClock } from '../harness/clock.js';
import { deviceCommand } from '../harness/safety.js';
import { FAST_TIMINGS } from '../harness/simulator-harness.js';
import { startStation, type TestStation } from '../harness/station.js';

/**
 * The embedded default's station (built-in simulator, 16 slots, station.max_power_kw 40, target 90 %)
 * for one simulated hour: a fake clock and the simulator's physics advance 10 s per poll, the loop is
 * ticked, and the setpoints the devices hold are summed after every poll.
 */
const POLL_S = 10;
const HOUR_POLLS = 3600 / POLL_S;
const LIMIT_KW = 40;
/** The station profile's P_setpoint_kW register (i16, 0.01 kW). */
const SETPOINT_REGISTER = 18;

/** The charging power all the devices hold (kW). */
function heldChargeKw(sim: RunningSimulator): number {
  return sim.slotUnitIds.reduce((sum, u) => sum + Math.max(0, -deviceCommand(sim, u).setpoint), 0);
}

/**
 * Replays the devices' setpoint writes in the order the simulator received them, from the setpoints
 * the devices held before: the largest total charging power the station held at any moment, between
 * the writes of one poll included.
 */
function peakBetweenWrites(writes: readonly WriteRecord[], before: ReadonlyMap<number, number>): number {
  const held = new Map(before);
  let peak = 0;
  for (const w of writes) {
    const i = SETPOINT_REGISTER - w.address;
    const word = i >= 0 && i < w.words.length ? w.words[i] : undefined;
    if (word === undefined) continue;
    held.set(w.unitId, ((word << 16) >> 16) / 100);
    peak = Math.max(
      peak,
      [...held.values()].reduce((sum, kw) => sum + Math.max(0, -kw), 0),
    );
  }
  return peak;
}

describe('charging in the embedded default for a simulated hour', () => {
  const clock = new ManualClock('2026-03-01T08:00:00Z');
  let station: TestStation;

  beforeAll(async () => {
    station = await startStation({
      db: 'postgres',
      broker: 'aedes',
      overrides: { roles: ['agent', 'station'] },
      start: { clock, driverTimings: FAST_TIMINGS, simulatorAutoStepMs: 0, controlLoop: 'manual' },
    });
  });

  afterAll(async () => {
    await station?.close();
  });

  it('slots below the target charge, and the sum of setpoints never exceeds the station limit', async () => {
    const sim = station.swapd.hardware!.simulator!;
    const loop = station.swapd.control!.loop;
    const units = sim.slotUnitIds;
    expect(units).toHaveLength(16);
    const socOf = (u: number) => (sim.battery(u)!.energyKwh / sim.battery(u)!.capacityKwh) * 100;
    const before = new Map(units.map((u) => [u, socOf(u)]));
    const below = units.filter((u) => (before.get(u) ?? 100) < 88);
    expect(below.length).toBeGreaterThan(8);
    let peak = 0;
    for (let i = 0; i < HOUR_POLLS; i++) {
      const before = new Map(units.map((u) => [u, deviceCommand(sim, u).setpoint]));
      sim.counters.writeLog.length = 0;
      await loop.tick();
      const total = heldChargeKw(sim);
      expect(total, `poll ${i}`).toBeLessThanOrEqual(LIMIT_KW + 1e-6);
      // Slots whose charge goes down are written before those whose charge goes up.
      expect(
        peakBetweenWrites(sim.counters.writeLog, before),
        `poll ${i}, between writes`,
      ).toBeLessThanOrEqual(LIMIT_KW + 1e-6);
      peak = Math.max(peak, total);
      clock.advanceMs(POLL_S * 1000);
      sim.step(POLL_S);
    }
    expect(peak).toBeGreaterThan(LIMIT_KW - 1);
    for (const u of below) {
      const start = before.get(u) ?? 0;
      expect(socOf(u), `slot ${u}`).toBeGreaterThan(start + Math.min(5, (90 - start) / 2));
    }
    for (const u of units) {
      const start = before.get(u) ?? 0;
      // Never charged beyond the target (90 %); a battery that came in above it is left alone.
      expect(socOf(u), `slot ${u}`).toBeLessThanOrEqual(Math.max(start, 90.5));
    }
    const ready = units.filter((u) => socOf(u) >= 80).length;
    expect(ready).toBeGreaterThan(units.filter((u) => (before.get(u) ?? 0) >= 80).length);
    const snapshot = station.swapd.control!.guard.safetySnapshot();
    expect(snapshot.every((s) => !s.latched)).toBe(true);
  }, 120_000);

  it('a charging slot that stops answering keeps its setpoint, and the others share only what it leaves', async () => {
    const sim = station.swapd.hardware!.simulator!;
    const loop = station.swapd.control!.loop;
    const poll = async () => {
      clock.advanceMs(POLL_S * 1000);
      sim.step(POLL_S);
      await loop.tick();
    };
    await poll();
    expect(heldChargeKw(sim), 'the limit binds').toBeGreaterThan(LIMIT_KW - 1);
    const silent = sim.slotUnitIds.find((u) => deviceCommand(sim, u).setpoint <= -1);
    if (silent === undefined) throw new Error('no slot is charging');
    const kept = deviceCommand(sim, silent).setpoint;
    sim.faults.set({ kind: 'no-answer' }, silent);
    // Two minutes: the slot is refused at once (not connected), then stale beyond 30 s.
    for (let i = 0; i < 12; i++) {
      await poll();
      expect(deviceCommand(sim, silent).setpoint, 'nothing reaches the silent slot').toBe(kept);
      expect(heldChargeKw(sim), `poll ${i} while slot ${silent} is silent`).toBeLessThanOrEqual(
        LIMIT_KW + 1e-6,
      );
    }
    const reasons = station.swapd
      .control!.guard.safetySnapshot()
      .find((s) => s.device_id === `slot-${silent}`)?.reasons;
    expect(reasons).toContain('SAFETY_STALE_DATA');
    sim.faults.clear(silent);
    for (let i = 0; i < 12; i++) {
      await new Promise((r) => setTimeout(r, 50));
      await poll();
      expect(heldChargeKw(sim), `poll ${i} after slot ${silent} answers again`).toBeLessThanOrEqual(
        LIMIT_KW + 1e-6,
      );
    }
    const back = station.swapd.control!.guard.safetySnapshot().find((s) => s.device_id === `slot-${silent}`);
    expect(back).toMatchObject({ allowed: true, reasons: [] });
  }, 120_000);
});
