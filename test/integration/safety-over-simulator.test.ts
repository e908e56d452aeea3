import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWAPD_VERSION } from '../../src/main.js';
import { Spec003Validator } from '../../src/validation/spec003/spec003-validator.js';
import { ManualClock } from '../harness/clock.js';
import { deviceCommand, ops, SafetyEventWatcher } from '../harness/safety.js';
import { FAST_TIMINGS } from '../harness/simulator-harness.js';
import { startStation, type TestStation } from '../harness/station.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), resolve(ROOT, 'src/cli.ts')];

/** `swapd --json safety …` as an operator runs it next to the running swapd; its exit code and JSON. */
function swapdCli(dataDir: string, args: string[]): Promise<{ code: number; out: Record<string, unknown> }> {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SWAPD_DATA_DIR: dataDir,
    SWAPD_LOG_LEVEL: 'warn',
  };
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [...CLI, '--json', 'safety', ...args],
      { env, cwd: ROOT },
      (err, stdout, stderr) => {
        const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
        try {
          done({ code, out: JSON.parse(stdout) as Record<string, unknown> });
        } catch {
          fail(new Error(`swapd safety ${args.join(' ')} (exit ${code}): ${stdout}${stderr}`));
        }
      },
    );
  });
}

/**
 * SPEC §8 over the built-in simulator (Modbus TCP), through the running swapd: faults are injected
 * with the ops endpoint, events are watched on the broker, the setpoint is read on the device.
 * The charging loop is ticked by the test and time comes from a manual clock.
 */
describe('SafetyGuard over the station simulator (station role, aedes + postgres)', () => {
  const clock = new ManualClock('2026-03-01T08:00:00Z');
  const validator = new Spec003Validator();
  let station: TestStation;
  let watcher: SafetyEventWatcher;

  const tick = async (seconds = 1) => {
    clock.advanceMs(seconds * 1000);
    return station.swapd.control!.loop.tick();
  };
  const sim = () => station.swapd.hardware!.simulator!;
  const snapshot = (id: string) =>
    station.swapd.control!.guard.safetySnapshot().find((s) => s.device_id === id)!;

  beforeAll(async () => {
    station = await startStation({
      db: 'postgres',
      broker: 'aedes',
      overrides: { roles: ['station'], station: { simulator_slots: 4, max_power_kw: 20 } },
      start: {
        clock,
        driverTimings: FAST_TIMINGS,
        simulatorAutoStepMs: 0,
        controlLoop: 'manual',
        writeRuntimeNote: true,
      },
    });
    watcher = await SafetyEventWatcher.connect(station.swapd.brokerUrl);
  });

  afterAll(async () => {
    await watcher?.close();
    await station?.close();
  });

  it('charges every slot below the target within the station limit', async () => {
    const report = await tick();
    for (const unit of [1, 2, 3, 4]) {
      const command = deviceCommand(sim(), unit);
      expect(command.mode, `slot-${unit}`).toBe(1);
      expect(command.setpoint).toBeLessThan(0);
    }
    const total = Object.values(report.allowed).reduce((sum, kw) => sum - kw, 0);
    expect(total).toBeLessThanOrEqual(20);
    sim().step(60);
    await tick();
    expect(snapshot('slot-2').charging_power_kw).toBeGreaterThan(0);
  });

  it('over-temperature on a charging slot: SAFE_STATE_ENTERED at QoS 1, the device at 0 within one poll', async () => {
    const injected = await ops(station.swapd, 'POST', '/api/v1/ops/sim/faults', {
      fault: 'over_temperature',
      unit: 2,
      temperature_c: 70,
    });
    expect(injected.status).toBe(200);
    await tick();
    expect(deviceCommand(sim(), 2)).toEqual({ setpoint: 0, mode: 0 });
    expect(deviceCommand(sim(), 1).mode).toBe(1);
    const event = await watcher.waitFor('SAFE_STATE_ENTERED', 'slot-2');
    expect(event.topic).toBe('bessai/SITE-KE-001/safety_event');
    expect(event.qos).toBe(1);
    expect(event.body.gateway_version).toBe(SWAPD_VERSION);
    expect(validator.validate(event.body)).toMatchObject({ ok: true });
    expect(event.body.payload).toMatchObject({
      event_type: 'SAFE_STATE_ENTERED',
      temperature_c: 70,
      resolution_required: true,
      reasons: ['SAFETY_TEMP_CRITICAL_HIGH', 'SAFETY_CRITICAL_ALARM'],
    });
    expect(snapshot('slot-2')).toMatchObject({ latched: true, setpoint_kw: 0, mode_cmd: 0, allowed: false });
    const health = await ops(station.swapd, 'GET', '/health');
    expect(health.body.safety).toEqual({ latched: ['slot-2'] });
    const metrics = await ops(station.swapd, 'GET', '/metrics');
    expect(String(metrics.body.text)).toContain('swapd_safety_safe_state{slot="slot-2"} 1');
    expect(String(metrics.body.text)).toMatch(
      /swapd_safety_blocks_total\{reason="SAFETY_TEMP_CRITICAL_HIGH"\} 1/,
    );
  });

  it('a clear is refused while the slot is still hot, naming the cause', async () => {
    const refused = await ops(station.swapd, 'POST', '/api/v1/ops/safety/clear', {
      device: 'slot-2',
      operator: 'amina',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'SAFETY_CLEAR_REFUSED' });
    expect(refused.body.results).toEqual([
      {
        device_id: 'slot-2',
        outcome: 'refused',
        reasons: ['SAFETY_TEMP_CRITICAL_HIGH', 'SAFETY_CRITICAL_ALARM'],
      },
    ]);
    const cli = await swapdCli(station.swapd.config.data_dir, ['clear', '--all', '--operator', 'amina']);
    expect(cli.code).toBe(3);
    expect(cli.out.results).toEqual([
      {
        device_id: 'slot-2',
        outcome: 'refused',
        reasons: ['SAFETY_TEMP_CRITICAL_HIGH', 'SAFETY_CRITICAL_ALARM'],
      },
    ]);
    expect(snapshot('slot-2').latched).toBe(true);
  }, 120_000);

  it('stays at 0 after the temperature is back to normal, until an operator clears it', async () => {
    await ops(station.swapd, 'POST', '/api/v1/ops/sim/faults', {
      fault: 'temperature',
      unit: 2,
      temperature_c: 30,
    });
    for (let i = 0; i < 3; i++) {
      await tick();
      expect(deviceCommand(sim(), 2)).toEqual({ setpoint: 0, mode: 0 });
    }
    expect(snapshot('slot-2').reasons).toEqual(['SAFETY_LATCHED']);
    const status = await swapdCli(station.swapd.config.data_dir, ['status']);
    expect(status.code).toBe(0);
    expect(status.out.slots).toContainEqual(expect.objectContaining({ device_id: 'slot-2', latched: true }));
    const cleared = await swapdCli(station.swapd.config.data_dir, [
      'clear',
      '--device',
      'slot-2',
      '--operator',
      'amina',
    ]);
    expect(cleared.code).toBe(0);
    expect(cleared.out.results).toEqual([
      {
        device_id: 'slot-2',
        outcome: 'cleared',
        reasons: ['SAFETY_TEMP_CRITICAL_HIGH', 'SAFETY_CRITICAL_ALARM'],
      },
    ]);
    const event = await watcher.waitFor('SAFE_STATE_CLEARED', 'slot-2');
    expect(validator.validate(event.body)).toMatchObject({ ok: true });
    await tick();
    expect(deviceCommand(sim(), 2).mode).toBe(1);
    expect(deviceCommand(sim(), 2).setpoint).toBeLessThan(0);
  }, 120_000);

  it('journals every control write, the block and the clear with who cleared it', async () => {
    const rows = await station.db
      .selectFrom('audit_log')
      .select(['kind', 'subject', 'tag', 'value', 'decision', 'requester', 'details'])
      .where('subject', '=', 'slot-2')
      .orderBy('id')
      .execute();
    const writes = rows.filter((r) => r.kind === 'safety_write');
    expect(writes.map((w) => w.tag)).toContain('P_setpoint_kW');
    expect(writes.map((w) => w.tag)).toContain('mode_cmd');
    expect(writes.find((w) => w.tag === 'mode_cmd' && w.value === '0')).toMatchObject({
      decision: 'written',
    });
    expect(rows.find((r) => r.kind === 'safety_block')).toMatchObject({ decision: 'SAFE_STATE_ENTERED' });
    const clears = rows.filter((r) => r.kind === 'safety_clear');
    expect(clears.map((c) => [c.decision, c.requester])).toEqual([
      ['refused', 'amina'],
      ['refused', 'amina'],
      ['cleared', 'amina'],
    ]);
  });

  it('a silent device gives STALE_DATA_BLOCK and clears itself once it answers again', async () => {
    await ops(station.swapd, 'POST', '/api/v1/ops/sim/faults', { fault: 'no_answer', unit: 3 });
    await tick(31);
    expect(snapshot('slot-3').reasons).toContain('SAFETY_STALE_DATA');
    const event = await watcher.waitFor('STALE_DATA_BLOCK', 'slot-3');
    expect(event.qos).toBe(1);
    expect(validator.validate(event.body)).toMatchObject({ ok: true });
    expect(event.body.payload).toMatchObject({ resolution_required: false });
    await ops(station.swapd, 'POST', '/api/v1/ops/sim/faults', { fault: 'clear', unit: 3 });
    const deadline = Date.now() + 10_000;
    while (snapshot('slot-3').allowed !== true && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      await tick();
    }
    expect(snapshot('slot-3')).toMatchObject({ allowed: true, latched: false, reasons: [] });
    expect(deviceCommand(sim(), 3).mode).toBe(1);
    const cleared = await station.db
      .selectFrom('audit_log')
      .select('decision')
      .where('subject', '=', 'slot-3')
      .where('decision', '=', 'STALE_DATA_CLEARED')
      .execute();
    expect(cleared).toHaveLength(1);
  });

  it('a slot whose readings are refused is stale after 30 s, although other reads of its device succeed', async () => {
    await tick();
    expect(deviceCommand(sim(), 4).mode).toBe(1);
    const reader = station.swapd.hardware!.slots.find((s) => s.id === 'slot-4')!.reader;
    // 150 °C is beyond the profile's T_battery_C range (up to 125 °C is a hot pack, more is a misread):
    // every batch read of the slot is INVALID_READ, while its identity (what the station page and the
    // scanner read) still answers.
    sim().faults.temperature(4, 150);
    for (let i = 0; i < 4; i++) {
      expect((await reader.readStaticInfo()).serial_number).toBe('BAT-0004');
      await tick(10);
    }
    expect(snapshot('slot-4').reasons).toContain('SAFETY_STALE_DATA');
    expect(deviceCommand(sim(), 4)).toEqual({ setpoint: 0, mode: 0 });
    sim().faults.temperature(4, 30);
    await tick();
    expect(snapshot('slot-4')).toMatchObject({ allowed: true, reasons: [] });
  });

  it('the simulator fault endpoint needs the ops token and refuses a bad fault', async () => {
    expect(
      (await ops(station.swapd, 'POST', '/api/v1/ops/sim/faults', { fault: 'garbage' }, null)).status,
    ).toBe(401);
    const bad = await ops(station.swapd, 'POST', '/api/v1/ops/sim/faults', { fault: 'temperature', unit: 2 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'SCHEMA_VIOLATION' });
    const noBattery = await ops(station.swapd, 'POST', '/api/v1/ops/sim/faults', {
      fault: 'alarm',
      unit: 77,
      bit: 2,
    });
    expect(noBattery.status).toBe(404);
    const unknown = await ops(station.swapd, 'POST', '/api/v1/ops/safety/clear', { device: 'slot-99' });
    expect(unknown.status).toBe(404);
    expect(
      (await ops(station.swapd, 'POST', '/api/v1/ops/safety/clear', { all: true, device: 'slot-1' })).status,
    ).toBe(400);
  });
});
