import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { isSwapdError, type SwapdError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import type { DataReader, TagCoverage } from '../../src/ports/data-provider.js';
import { buildStationControl } from '../../src/runtime/station-control.js';
import { Spec003Validator } from '../../src/validation/spec003/spec003-validator.js';

function refusal(station: Record<string, unknown>, extra: Record<string, unknown> = {}): SwapdError {
  try {
    loadConfig({ env: {}, overrides: { station, ...extra } });
  } catch (err) {
    if (isSwapdError(err, 'CONFIG_INVALID')) return err;
    throw err;
  }
  throw new Error('configuration was accepted');
}

describe('station safety configuration: refused before anything starts', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({ env: {} }).station).toMatchObject({
      max_power_kw: 40,
      target_soc_pct: 90,
      poll_interval_ms: 1000,
      control: true,
      safety: { stale_after_s: 30, fallback_chemistry: 'NMC', limits: {} },
    });
  });

  it.each([
    [
      { LFP: { soc_max_pct: 98 } },
      '/station/safety/limits/LFP',
      'LFP: soc_max_pct 98 must be below SOC_CRITICAL_HIGH 98',
    ],
    [
      { NMC: { soc_min_pct: 8 } },
      '/station/safety/limits/NMC',
      'NMC: soc_min_pct 8 must be above SOC_CRITICAL_LOW 8',
    ],
    [
      { LFP: { t_warn_high_c: 61 } },
      '/station/safety/limits/LFP',
      'LFP: t_warn_high_c 61 must be below T_MAX_HIGH 60',
    ],
    [
      { NMC: { t_min_low_c: -25 } },
      '/station/safety/limits/NMC',
      'NMC: t_min_low_c -25 must be above T_CRITICAL_LOW -20',
    ],
  ])('a limit outside its critical limit: %o', (limits, path, message) => {
    expect(refusal({ safety: { limits } }).details).toEqual([{ path, message }]);
  });

  it('a stale limit below 10 s, a zero station limit, an unknown limit name', () => {
    expect(refusal({ safety: { stale_after_s: 9 } }).details[0]?.path).toBe('/station/safety/stale_after_s');
    expect(refusal({ max_power_kw: 0 }).details[0]?.path).toBe('/station/max_power_kw');
    expect(refusal({ safety: { limits: { LFP: { soc_critical_low_pct: 3 } } } }).details[0]?.message).toMatch(
      /must NOT have additional properties/,
    );
  });

  it("site_id follows SPEC-003's pattern", () => {
    expect(loadConfig({ env: { SWAPD_SITE_ID: 'SITE-CL-042' } }).site_id).toBe('SITE-CL-042');
    for (const bad of ['ST-KE-001', 'SITE-KE-1', 'SITE-KE-0001', 'site-ke-001', 'SITE-KEN-001']) {
      expect(() => loadConfig({ env: { SWAPD_SITE_ID: bad } }), bad).toThrow(/site_id|SWAPD_SITE_ID/);
    }
  });
});

function reader(tags: Partial<TagCoverage>): DataReader {
  return {
    isConnected: false,
    sourceDescription: 'test',
    state: 'DISCONNECTED',
    lastGoodReadAt: null,
    tags: {
      readable: [],
      writable: [],
      unsupportedRequiredTags: [],
      pMaxKw: 7.2,
      chemistry: 'LFP',
      safetyCriticalAlarmBits: {},
      ...tags,
    },
    readTag: async () => 0,
    readTags: async () => ({}),
    readStaticInfo: async () => ({ serial_number: null, manufacturer: '', model: '', firmware: null }),
  };
}

describe('buildStationControl checks each slot against its chemistry', () => {
  const build = (target: number, chemistry: string | null) =>
    buildStationControl({
      hardware: {
        slots: [{ id: 'slot-1', reader: reader({ chemistry }) }],
        takeSlotWriters: () => new Map(),
      },
      station: loadConfig({ env: {}, overrides: { station: { target_soc_pct: target } } }).station,
      siteId: 'SITE-KE-001',
      gatewayVersion: '0.1.0',
      store: { append: async () => undefined, pruneAuditBefore: async () => 0, openLatches: async () => [] },
      validator: new Spec003Validator(),
      clock: { now: () => new Date() },
      log: silentLogger(),
    });

  it('refuses a target above the SOC_MAX of a slot (NMC 90 %, and the NMC fallback)', () => {
    expect(() => build(92, 'NMC')).toThrow(/target_soc_pct: 92 is above SOC_MAX 90 of NMC \(slot slot-1\)/);
    expect(() => build(92, null)).toThrow(/SOC_MAX 90 of NMC/);
    expect(() => build(92, 'LFP')).not.toThrow();
    expect(() => build(96, 'LFP')).toThrow(/SOC_MAX 95 of LFP/);
  });

  it('takes the chemistry limits and the device rating into the slot profile', () => {
    const control = build(90, 'LFP');
    expect(control.guard.profile('slot-1')).toMatchObject({
      pMaxKw: 7.2,
      staleAfterMs: 30_000,
      limits: { soc_max_pct: 95 },
    });
  });
});
