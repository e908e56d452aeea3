import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDriver } from '../../src/adapters/drivers/driver-factory.js';
import type { DeviceProfile } from '../../src/adapters/drivers/registry/device-profile.js';
import type {
  RunningSeplosSimulator,
  SeplosFault,
} from '../../src/adapters/drivers/simulator/seplos-simulator.js';
import { silentLogger } from '../../src/log.js';
import type { DataProvider } from '../../src/ports/data-provider.js';
import { isDriverError } from '../../src/ports/data-provider.js';
import { seplosDriver, startSeplosPty, startTestSeplos } from '../harness/seplos-harness.js';
import { FAST_TIMINGS, simDriver, startTestSimulator } from '../harness/simulator-harness.js';

describe('Seplos V2 driver against the pack simulator', () => {
  let sim: RunningSeplosSimulator;
  let driver: DataProvider;

  beforeAll(async () => {
    sim = await startTestSeplos();
    driver = seplosDriver(sim, 2);
    await driver.connect();
  });
  afterAll(async () => {
    await driver.disconnect();
    await sim.close();
  });

  it('reads every profile tag; E_kwh_remaining is remaining Ah × pack voltage, exact', async () => {
    sim.clearFaults();
    const tel = sim.pack(2)?.telemetry();
    if (!tel) throw new Error('no pack');
    const exact = await driver.readTagsExact?.(['E_kwh_remaining', 'V_dc_V', 'capacity_remaining_Ah']);
    const expected = new Decimal(tel.remainingCentiAh)
      .div(100)
      .mul(new Decimal(tel.packCentiV).div(100))
      .div(1000);
    expect(exact?.E_kwh_remaining).toBe(expected.toFixed());
    const all = await driver.readTags(driver.tags.readable);
    expect(Object.keys(all)).toHaveLength(driver.tags.readable.length);
    expect(all['cell_count']).toBe(16);
    expect(all['SOC_%']).toBeCloseTo(tel.socDeci / 10, 5);
  });

  it('follows the battery model: charging gives negative current and power, mode 1', async () => {
    sim.clearFaults();
    const pack = sim.pack(2);
    if (!pack) throw new Error('no pack');
    pack.powerKw = -2;
    sim.step(60);
    const v = await driver.readTags(['I_dc_A', 'P_kW', 'mode']);
    expect(v['I_dc_A']).toBeLessThan(0);
    expect(v['P_kW']).toBeCloseTo(-2, 1);
    expect(v['mode']).toBe(1);
    pack.powerKw = 0;
    sim.step(1);
  });

  it('reports serial number, firmware and hardware from the 0x51 answer', async () => {
    sim.clearFaults();
    const info = await driver.readStaticInfo();
    expect(info).toMatchObject({
      serial_number: 'BAT-0002',
      manufacturer: 'Seplos',
      model: 'BMS V2',
      firmware: '1.4',
      hardware_version: 'SEPLOS-SIM-16S-100A',
    });
  });

  it('a pack that does not know 0x51 (RTN 04) reports no identity instead of failing', async () => {
    sim.fault({ kind: 'device-error', rtn: 0x04, times: 1 }, 2);
    expect(await driver.readStaticInfo()).toEqual({
      serial_number: null,
      manufacturer: 'Seplos',
      model: 'BMS V2',
      firmware: null,
      hardware_version: null,
    });
    sim.fault({ kind: 'device-error', rtn: 0x06, times: 1 }, 2);
    await expect(driver.readStaticInfo()).rejects.toMatchObject({
      code: 'EXCEPTION',
      details: { exceptionCode: 6 },
    });
  });

  it('is read-only: every write is UNKNOWN_TAG and nothing is sent', async () => {
    const before = sim.counters.requests;
    await expect(driver.writeTag('P_setpoint_kW', 1)).rejects.toMatchObject({ code: 'UNKNOWN_TAG' });
    await expect(driver.writeTag('SOC_%', 1)).rejects.toMatchObject({ code: 'UNKNOWN_TAG' });
    expect(sim.counters.requests).toBe(before);
    expect(driver.tags.writable).toEqual([]);
    expect(driver.tags.unsupportedRequiredTags).toEqual(['P_setpoint_kW', 'mode_cmd']);
  });

  it('a protection flag shows in alarm_code and makes mode Fault', async () => {
    sim.clearFaults();
    sim.pack(2)?.protect(14);
    const v = await driver.readTags(['alarm_code', 'mode', 'fet_charge_on']);
    expect(v).toEqual({ alarm_code: 1 << 14, mode: 3, fet_charge_on: 0 });
    sim.pack(2)?.protect(14, false);
  });

  const persistent: [SeplosFault, string][] = [
    [{ kind: 'bad-checksum' }, 'bad-checksum'],
    [{ kind: 'wrong-length' }, 'length-mismatch'],
    [{ kind: 'truncated' }, 'truncated'],
    [{ kind: 'wrong-address' }, 'wrong-address'],
    [{ kind: 'garbage' }, 'garbage'],
    [{ kind: 'device-error', rtn: 0x04 }, 'device-error'],
  ];
  for (const [fault, frame] of persistent) {
    it(`${fault.kind}: the read fails with EXCEPTION ${frame}, the driver stays connected and reads again`, async () => {
      sim.fault(fault, 2);
      const err = await driver.readTag('SOC_%').catch((e: unknown) => e);
      expect(isDriverError(err, 'EXCEPTION')).toBe(true);
      expect((err as { details: { frame?: string } }).details.frame).toBe(frame);
      expect(driver.isConnected).toBe(true);
      sim.clearFaults();
      expect(await driver.readTag('SOC_%')).toBeGreaterThan(0);
    });
  }

  it('retries an invalid answer: one bad frame is absorbed', async () => {
    sim.clearFaults();
    const before = sim.counters.requests;
    sim.fault({ kind: 'bad-checksum', times: 1 }, 2);
    expect(await driver.readTag('V_dc_V')).toBeGreaterThan(40);
    expect(sim.counters.requests - before).toBe(3); // telemetry twice, telesignalization once
  });

  it('no answer: TIMEOUT within the limit, FAULTED, then reconnects by itself', async () => {
    sim.fault({ kind: 'no-answer' }, 2);
    const t0 = performance.now();
    await expect(driver.readTag('SOC_%')).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(performance.now() - t0).toBeLessThan(FAST_TIMINGS.requestTimeoutMs + 250);
    expect(driver.state).toBe('FAULTED');
    sim.clearFaults();
    await waitUntil(() => driver.isConnected, 2_000);
    expect(await driver.readTag('SOC_%')).toBeGreaterThan(0);
  });

  it('a cell outside 1-5 V or a temperature outside -40..125 °C is an INVALID_READ, nothing passed on', async () => {
    sim.clearFaults();
    const pack = sim.pack(2);
    if (!pack) throw new Error('no pack');
    const good = pack.telemetry();
    pack.override = { cellMv: good.cellMv.map((mv, i) => (i === 5 ? 5_400 : mv)) };
    await expect(driver.readTag('SOC_%')).rejects.toMatchObject({
      code: 'INVALID_READ',
      details: { tag: 'V_cell_6_V', range: [1, 5] },
    });
    pack.override = { tempDeciK: good.tempDeciK.map((k, i) => (i === 2 ? 2731 + 1300 : k)) };
    await expect(driver.readTag('SOC_%')).rejects.toMatchObject({ code: 'INVALID_READ' });
    pack.override = { socDeci: 1_060 };
    await expect(driver.readTag('SOC_%')).rejects.toMatchObject({ code: 'INVALID_READ' });
    pack.override = { socDeci: 1_030 };
    expect(await driver.readTag('SOC_%')).toBe(100); // 103 % is plausible, reported as 100
    pack.override = {};
    expect(driver.isConnected).toBe(true);
  });

  it('an empty slot (no pack at that address) times out without crashing', async () => {
    sim.removeBattery(3);
    const empty = seplosDriver(sim, 3);
    await empty.connect();
    await expect(empty.readTag('SOC_%')).rejects.toMatchObject({ code: 'TIMEOUT' });
    await empty.disconnect();
  });
});

describe('Seplos V2 over a serial pseudo-terminal', () => {
  it('packs on one RS-485 bus share the port: reads in parallel, one command on the wire at a time', async () => {
    const pty = await startSeplosPty();
    // a generous limit: four packs queue behind each other on one wire (this test is about sharing)
    const drivers = [1, 2, 3, 4].map((a) => pty.driver(a, { ...FAST_TIMINGS, requestTimeoutMs: 2_000 }));
    try {
      await Promise.all(drivers.map((d) => d.connect()));
      const infos = await Promise.all(drivers.map((d) => d.readStaticInfo()));
      expect(infos.map((i) => i.serial_number)).toEqual(['BAT-0001', 'BAT-0002', 'BAT-0003', 'BAT-0004']);
      const socs = await Promise.all(drivers.map((d) => d.readTag('SOC_%')));
      for (const soc of socs) expect(soc).toBeGreaterThan(0);
      expect(pty.sim.counters.byAddress.get(3)).toBe(3); // 0x51, 0x42, 0x44
      expect(pty.sim.counters.invalidRequests).toBe(0);
      // a silent pack does not take its neighbours down
      pty.sim.fault({ kind: 'no-answer' }, 2);
      await expect(drivers[1]?.readTag('SOC_%')).rejects.toMatchObject({ code: 'TIMEOUT' });
      expect(await drivers[2]?.readTag('SOC_%')).toBeGreaterThan(0);
      expect(drivers[2]?.isConnected).toBe(true);
    } finally {
      await Promise.all(drivers.map((d) => d.disconnect()));
      await pty.close();
    }
  });

  it('time spent waiting behind other packs is TIMEOUT without faulting the waiting pack', async () => {
    const pty = await startSeplosPty({ slots: 2 });
    const slow = pty.driver(1, { ...FAST_TIMINGS, requestTimeoutMs: 1_000 });
    const waiting = pty.driver(2);
    try {
      await Promise.all([slow.connect(), waiting.connect()]);
      pty.sim.fault({ kind: 'slow', delayMs: 700 }, 1);
      const [first, second] = await Promise.allSettled([slow.readTag('SOC_%'), waiting.readTag('SOC_%')]);
      expect(first.status).toBe('rejected'); // two slow answers do not fit in 1 s
      expect(second).toMatchObject({
        status: 'rejected',
        reason: { code: 'TIMEOUT', details: { source: 'bus busy' } },
      });
      expect(waiting.isConnected).toBe(true);
      pty.sim.clearFaults();
      await new Promise((r) => setTimeout(r, 800)); // the late answer drains
      expect(await waiting.readTag('SOC_%')).toBeGreaterThan(0);
    } finally {
      await Promise.all([slow.disconnect(), waiting.disconnect()]);
      await pty.close();
    }
  });

  it('a second baud rate on the same port is refused', async () => {
    const pty = await startSeplosPty({ slots: 2 });
    const a = pty.driver(1);
    const b = createDriver(`seplos-v2://${pty.path}?baud=9600&address=2&delay_ms=5`, {
      profile: pty.sim.profile,
      log: silentLogger(),
      timings: FAST_TIMINGS,
    });
    try {
      await a.connect();
      await expect(b.connect()).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
    } finally {
      await a.disconnect();
      await b.disconnect();
      await pty.close();
    }
  });
});

describe('device URLs', () => {
  it('refuses a Seplos URL with a Modbus profile and the other way round', async () => {
    const sim = await startTestSeplos({ slots: 1 });
    const modbusSim = await startTestSimulator({ slots: 1 });
    try {
      expect(() =>
        createDriver('seplos-v2-tcp://127.0.0.1:1', { profile: modbusSim.profile, log: silentLogger() }),
      ).toThrow(/modbus profile/);
      expect(() =>
        createDriver('modbus-tcp://127.0.0.1:1', { profile: sim.profile, log: silentLogger() }),
      ).toThrow(/seplos-v2 profile/);
      expect(() =>
        createDriver('seplos-v2-tcp://127.0.0.1:1?address=300', {
          profile: sim.profile,
          log: silentLogger(),
        }),
      ).toThrow(/address must be 0..255/);
      const serial = createDriver('seplos-v2:///dev/ttyUSB0?baud=19200&address=0', {
        profile: sim.profile,
        log: silentLogger(),
      });
      expect(serial.sourceDescription).toBe('Seplos BMS V2 @ /dev/ttyUSB0@19200 pack 0');
      const gateway = createDriver('seplos-v2-tcp://10.0.0.9?address=5', {
        profile: sim.profile,
        log: silentLogger(),
      });
      expect(gateway.sourceDescription).toBe('Seplos BMS V2 @ 10.0.0.9:8888 pack 5');
    } finally {
      await sim.close();
      await modbusSim.close();
    }
  });
});

describe('Modbus read bounds (SPEC-001 §4.5) from the profile ranges', () => {
  it('a reading outside the tag range is INVALID_READ and leaves the link up', async () => {
    const sim = await startTestSimulator({ slots: 1 });
    const narrowed = structuredClone(sim.profile) as DeviceProfile;
    const t = narrowed.tags['T_battery_C'];
    if (!t) throw new Error('profile');
    t.range = [-40, 60];
    const driver = createDriver(sim.url(1), {
      profile: narrowed,
      log: silentLogger(),
      timings: FAST_TIMINGS,
    });
    try {
      await driver.connect();
      expect(await driver.readTag('T_battery_C')).toBeLessThan(60);
      sim.faults.overTemperature(1, 75);
      await expect(driver.readTag('T_battery_C')).rejects.toMatchObject({
        code: 'INVALID_READ',
        details: { tag: 'T_battery_C', value: 75, range: [-40, 60] },
      });
      await expect(driver.readTags(['SOC_%', 'T_battery_C'])).rejects.toMatchObject({ code: 'INVALID_READ' });
      expect(driver.isConnected).toBe(true);
      expect(await driver.readTag('SOC_%')).toBeGreaterThan(0);
      const plain = simDriver(sim, 1);
      await plain.connect();
      expect(await plain.readTag('T_battery_C')).toBe(75);
      await plain.disconnect();
    } finally {
      await driver.disconnect();
      await sim.close();
    }
  });
});

async function waitUntil(condition: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
