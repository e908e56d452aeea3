import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSeplosProfile } from '../../src/adapters/drivers/registry/device-profile.js';
import {
  defaultRegistryDir,
  getModbusProfile,
  getProfile,
  loadRegistry,
} from '../../src/adapters/drivers/registry/load-registry.js';
import { ALARM_FLAGS, WARNING_FLAGS } from '../../src/adapters/drivers/seplos/seplos-values.js';
import { REQUIRED_READ_TAGS } from '../../src/ports/data-provider.js';

const registry = loadRegistry();
const profile = getProfile(registry, 'seplos_bms-v2');

function registryWith(edit: (p: Record<string, unknown>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'swapd-registry-'));
  copyFileSync(join(defaultRegistryDir(), 'profile.schema.json'), join(dir, 'profile.schema.json'));
  const raw = JSON.parse(readFileSync(join(defaultRegistryDir(), 'seplos_bms-v2.json'), 'utf8'));
  edit(raw);
  writeFileSync(join(dir, 'acme_pack.json'), JSON.stringify(raw));
  return dir;
}

describe('registry/seplos_bms-v2.json', () => {
  it('is a read-only Seplos profile: the safety guard never controls it', () => {
    expect(isSeplosProfile(profile)).toBe(true);
    expect(profile.supported_tags.write).toEqual([]);
    expect(profile.unsupported_required_tags).toEqual(['P_setpoint_kW', 'mode_cmd']);
    for (const tag of REQUIRED_READ_TAGS) expect(profile.supported_tags.read).toContain(tag);
    expect(() => getModbusProfile(registry, 'seplos_bms-v2')).toThrow(/not a Modbus profile/);
  });

  it('declares every protection and failure flag safety critical, and documents each bit', () => {
    const critical = profile.safety_critical_alarm_bits?.alarm_code ?? [];
    expect([...critical].sort((a, b) => a - b)).toEqual(ALARM_FLAGS.map((f) => f.code).sort((a, b) => a - b));
    const documented = profile.alarm_bits?.alarm_code ?? {};
    for (const f of ALARM_FLAGS) expect(documented[String(f.code)]).toBe(f.name);
    for (const f of WARNING_FLAGS) expect(profile.alarm_bits?.warning_code?.[String(f.code)]).toBe(f.name);
  });

  it('carries the plausible ranges the driver enforces', () => {
    expect(profile.tags['V_cell_1_V']?.range).toEqual([1, 5]);
    expect(profile.tags['V_cell_16_V']?.range).toEqual([1, 5]);
    expect(profile.tags['T_battery_C']?.range).toEqual([-40, 125]);
    expect(profile.tags['T_mosfet_C']?.range).toEqual([-40, 125]);
    expect(profile.tags['SOC_%']?.range).toEqual([0, 105]);
  });

  it('a Seplos profile with a Modbus block, or a register tag, is refused naming the field', () => {
    const withModbus = registryWith((p) => {
      p.modbus = {
        default_port: 502,
        default_unit_id: 1,
        word_order: 'big',
        max_block_registers: 125,
        max_gap_registers: 0,
      };
    });
    expect(() => loadRegistry(withModbus)).toThrow(/acme_pack\.json/);
    const registerTag = registryWith((p) => {
      (p.tags as Record<string, unknown>)['SOC_%'] = {
        table: 'holding',
        address: 0,
        type: 'u16',
        access: 'r',
      };
    });
    expect(() => loadRegistry(registerTag)).toThrow(/acme_pack\.json.*\/tags\/SOC_%/);
    const writable = registryWith((p) => {
      (p.tags as Record<string, unknown>)['SOC_%'] = { access: 'rw' };
    });
    expect(() => loadRegistry(writable)).toThrow(/acme_pack\.json/);
    const noSettings = registryWith((p) => {
      delete p.seplos;
    });
    expect(() => loadRegistry(noSettings)).toThrow(/acme_pack\.json.*seplos/);
  });
});
