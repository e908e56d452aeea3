import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/adapters/drivers/simulator/station-simulator.js';
import { PROJECT_ROOT } from '../../src/main.js';
import { Spec003Validator } from '../../src/validation/spec003/spec003-validator.js';
import { ManualClock } from '../harness/clock.js';
import { SafetyEventWatcher } from '../harness/safety.js';
import { FAST_TIMINGS, startTestSimulator } from '../harness/simulator-harness.js';
import { startStation, type TestStation } from '../harness/station.js';

/** A registry with the station profile and a variant that cannot take mode_cmd (SPEC-001 §7). */
function registryWithoutModeCmd(): string {
  const dir = mkdtempSync(join(tmpdir(), 'swapd-registry-'));
  const source = join(PROJECT_ROOT, 'registry');
  for (const file of ['profile.schema.json', 'swapd_station-sim.json'])
    copyFileSync(join(source, file), join(dir, file));
  const profile = JSON.parse(readFileSync(join(source, 'swapd_station-sim.json'), 'utf8'));
  profile.manufacturer = 'Acme';
  profile.model = 'cabinet-nomode';
  profile.supported_tags.read = profile.supported_tags.read.filter((t: string) => t !== 'mode_cmd');
  profile.supported_tags.write = ['P_setpoint_kW'];
  profile.unsupported_required_tags = ['mode_cmd'];
  delete profile.tags.mode_cmd;
  writeFileSync(join(dir, 'acme_cabinet-nomode.json'), JSON.stringify(profile));
  return dir;
}

describe('a slot whose profile lacks a required tag is never controlled', () => {
  const clock = new ManualClock('2026-03-01T08:00:00Z');
  let sim: RunningSimulator;
  let station: TestStation;
  let watcher: SafetyEventWatcher;

  beforeAll(async () => {
    sim = await startTestSimulator({ slots: 2, fill: { socPct: 50, capacityKwh: 32 } });
    station = await startStation({
      db: 'postgres',
      broker: 'aedes',
      overrides: {
        roles: ['station'],
        registry_dir: registryWithoutModeCmd(),
        station: {
          devices: [
            { id: 'bay-1', url: sim.url(1), profile: 'swapd_station-sim' },
            { id: 'bay-2', url: sim.url(2), profile: 'acme_cabinet-nomode' },
          ],
        },
      },
      start: { clock, driverTimings: FAST_TIMINGS, controlLoop: 'manual' },
    });
    watcher = await SafetyEventWatcher.connect(station.swapd.brokerUrl);
  });

  afterAll(async () => {
    await watcher?.close();
    await station?.close();
    await sim?.close();
  });

  it('charges the complete slot and writes nothing at all to the other', async () => {
    const control = station.swapd.control!;
    const deadline = Date.now() + 10_000;
    while (control.guard.safetySnapshot().some((s) => !s.connected) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      await control.guard.poll();
    }
    for (let i = 0; i < 5; i++) {
      clock.advanceMs(1000);
      await control.loop.tick();
    }
    const writes = sim.counters.writeLog;
    expect(writes.filter((w) => w.unitId === 1).length).toBeGreaterThan(0);
    expect(writes.filter((w) => w.unitId === 2)).toEqual([]);
    const bay2 = control.guard.safetySnapshot().find((s) => s.device_id === 'bay-2');
    expect(bay2).toMatchObject({
      controlled: false,
      allowed: false,
      reasons: ['SAFETY_REQUIRED_TAG_MISSING'],
    });
    const event = await watcher.waitFor('DISPATCH_BLOCKED', 'bay-2');
    expect(event.qos).toBe(1);
    expect(new Spec003Validator().validate(event.body)).toMatchObject({ ok: true });
    expect(event.body.payload).toMatchObject({ reasons: ['SAFETY_REQUIRED_TAG_MISSING'] });
    expect(
      watcher.received.filter((m) => (m.body.payload as { device_id: string }).device_id === 'bay-2'),
    ).toHaveLength(1);
  });
});
