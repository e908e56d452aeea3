import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
      await loop.tick();
      const total = units.reduce((sum, u) => sum + Math.max(0, -deviceCommand(sim, u).setpoint), 0);
      expect(total, `poll ${i}`).toBeLessThanOrEqual(LIMIT_KW + 1e-6);
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
});
