import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDriver } from '../../src/adapters/drivers/driver-factory.js';
import { planReads } from '../../src/adapters/drivers/modbus/read-plan.js';
import { decodeNumber, encodeNumber } from '../../src/adapters/drivers/modbus/register-codec.js';
import type { TagDefinition } from '../../src/adapters/drivers/registry/device-profile.js';
import {
  defaultRegistryDir,
  getModbusProfile,
  getProfile,
  loadRegistry,
} from '../../src/adapters/drivers/registry/load-registry.js';
import { checkReadBounds } from '../../src/adapters/drivers/registry/read-bounds.js';
import { isSwapdError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { isDriverError } from '../../src/ports/data-provider.js';

const registry = loadRegistry();
const sim = getModbusProfile(registry, 'swapd_station-sim');

function registryWith(file: string, edit: (profile: Record<string, unknown>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'swapd-registry-'));
  copyFileSync(join(defaultRegistryDir(), 'profile.schema.json'), join(dir, 'profile.schema.json'));
  const profile = JSON.parse(readFileSync(join(defaultRegistryDir(), 'swapd_station-sim.json'), 'utf8'));
  edit(profile);
  writeFileSync(join(dir, file), JSON.stringify(profile));
  return dir;
}

describe('device registry', () => {
  it('loads every shipped profile', () => {
    expect([...registry.keys()]).toEqual([
      'huawei_sun2000-luna2000',
      'seplos_bms-v2',
      'swapd_station-sim',
      'victron_multiplus-ii',
    ]);
    expect(getProfile(registry, 'huawei_sun2000-luna2000').unsupported_required_tags).toContain(
      'P_setpoint_kW',
    );
  });

  it('a broken profile is a start-up error naming the file and the field', () => {
    const dir = registryWith('acme_broken.json', (p) => {
      (p.tags as Record<string, { type: string }>)['SOC_%'] = { type: 'u64' } as never;
    });
    expect(() => loadRegistry(dir)).toThrow(/acme_broken\.json.*\/tags\/SOC_%/);
    try {
      loadRegistry(dir);
    } catch (err) {
      expect(isSwapdError(err, 'CONFIG_INVALID')).toBe(true);
    }
  });

  it('a required tag neither supported nor listed as unsupported is refused', () => {
    const dir = registryWith('acme_cabinet.json', (p) => {
      const tags = p.supported_tags as { read: string[] };
      tags.read = tags.read.filter((t) => t !== 'mode');
    });
    expect(() => loadRegistry(dir)).toThrow(/acme_cabinet\.json.*mode is required/);
  });

  it('unknown profile names list the known ones', () => {
    expect(() => getProfile(registry, 'nope')).toThrow(/swapd_station-sim/);
  });
});

describe('register codec', () => {
  const tag = (t: Partial<TagDefinition>): TagDefinition => ({
    table: 'holding',
    address: 0,
    type: 'u16',
    access: 'r',
    ...t,
  });

  it('decodes signed, 32-bit, word-swapped and float registers', () => {
    expect(decodeNumber(tag({ type: 'i16', scale: 0.1 }), [0xffce], 'big')).toBe(-5);
    expect(decodeNumber(tag({ type: 'i32', scale: 0.001 }), [0xffff, 0xff88], 'big')).toBe(-0.12);
    expect(decodeNumber(tag({ type: 'u32' }), [0x0001, 0x0000], 'little')).toBe(1);
    expect(decodeNumber(tag({ type: 'f32' }), [0x0000, 0x4048], 'little')).toBe(3.125);
  });

  it('round-trips scaled values', () => {
    const t = tag({ type: 'i16', scale: 0.01 });
    expect(decodeNumber(t, encodeNumber(t, -3.3, 'big'), 'big')).toBe(-3.3);
  });
});

describe('read planning', () => {
  it('merges small gaps and splits at the block limit', () => {
    const all = Object.keys(sim.tags);
    const limits = { maxBlockRegisters: 125, maxGapRegisters: 16 };
    expect(planReads(sim, 1, all, limits).map((b) => [b.address, b.count])).toEqual([[0, 44]]);
    expect(planReads(sim, 1, all, { maxBlockRegisters: 20, maxGapRegisters: 16 }).length).toBe(2);
    expect(
      planReads(sim, 1, all, { maxBlockRegisters: 125, maxGapRegisters: 0 }).map((b) => [b.address, b.count]),
    ).toEqual([
      [0, 20],
      [32, 12],
    ]);
  });
});

describe('driver factory', () => {
  it('refuses an unknown scheme, listing the valid ones', () => {
    expect(() => createDriver('bacnet://x', { profile: sim, log: silentLogger() })).toThrow(
      /modbus-tcp, modbus-rtu/,
    );
  });

  it('builds TCP and RTU drivers from URLs', () => {
    const tcp = createDriver('modbus-tcp://10.0.0.5:1502?unit=7', { profile: sim, log: silentLogger() });
    expect(tcp.sourceDescription).toBe('swapd station-sim @ 10.0.0.5:1502 unit 7');
    const rtu = createDriver('modbus-rtu:///dev/ttyUSB0?baud=9600&unit=1', {
      profile: sim,
      log: silentLogger(),
    });
    expect(rtu.sourceDescription).toBe('swapd station-sim @ /dev/ttyUSB0@9600 unit 1');
    try {
      createDriver('modbus-tcp://h?unit=300', { profile: sim, log: silentLogger() });
    } catch (err) {
      expect(isDriverError(err)).toBe(true);
    }
  });
});

describe('read bounds of the battery temperature in every shipped profile', () => {
  const withTemperature = [...registry.entries()]
    .filter(([, p]) => (p.tags as Record<string, TagDefinition | undefined>).T_battery_C?.range)
    .map(([name, profile]) => ({ name, profile }));

  it.each(withTemperature.map((p) => [p.name, p.profile] as const))(
    '%s passes a dangerously hot pack on to the guard (up to 125 °C) and refuses what no pack can be',
    (_name, profile) => {
      const def = (profile.tags as Record<string, TagDefinition>).T_battery_C as TagDefinition;
      for (const hot of [60, 100.1, 110, 125])
        expect(() => checkReadBounds('T_battery_C', def, hot, 'test')).not.toThrow();
      for (const impossible of [125.1, 400, -40.1, Number.NaN]) {
        let err: unknown;
        try {
          checkReadBounds('T_battery_C', def, impossible, 'test');
        } catch (e) {
          err = e;
        }
        expect(isDriverError(err, 'INVALID_READ')).toBe(true);
      }
    },
  );

  it('covers the Modbus profiles and the Seplos pack', () => {
    expect(withTemperature.map((p) => p.name).sort()).toEqual(
      expect.arrayContaining(['swapd_station-sim', 'seplos_bms-v2']),
    );
  });
});
