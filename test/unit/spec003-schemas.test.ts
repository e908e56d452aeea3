import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SITE_ID_PATTERN, Spec003Validator } from '../../src/validation/spec003/spec003-validator.js';

const example = JSON.parse(
  readFileSync(new URL('../fixtures/spec003/telemetry-example.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
const validator = new Spec003Validator();

function withPayload(type: string, payload: Record<string, unknown>) {
  return { ...example, message_type: type, payload };
}

describe('SPEC-003 schemas', () => {
  it("accepts the specification's own telemetry example", () => {
    expect(validator.validate(example)).toMatchObject({ ok: true });
  });

  it('accepts one valid message of every other type', () => {
    const valid = [
      withPayload('safety_event', {
        event_type: 'SAFE_STATE_ENTERED',
        trigger_condition: 'T_battery_C 61 above T_MAX_HIGH 60',
        soc_pct: 50,
        temperature_c: 61,
        alarm_code: 0,
        action_taken: 'wrote P_setpoint_kW=0 and mode_cmd=0',
        resolution_required: true,
      }),
      withPayload('ai_score', { ids_anomaly_score: 0.1, inference_source: 'none' }),
      withPayload('fleet_aggregate', { n_sites_active: 1, total_capacity_kwh: 512, avg_soc_pct: 71.2 }),
      withPayload('carbon_metric', { co2_avoided_kg: 3.2, grid_intensity_g_kwh: 90, country_code: 'KE' }),
    ];
    for (const message of valid)
      expect(validator.validate(message), JSON.stringify(message)).toMatchObject({ ok: true });
  });

  it('allows extension fields in the telemetry payload (consumers ignore unknown fields)', () => {
    const payload = {
      ...(example.payload as object),
      asset_id: 'BAT-1',
      energy_kwh: 20.1,
      slot: 3,
      soh_pct: 97,
    };
    expect(validator.validate({ ...example, payload })).toMatchObject({ ok: true });
  });

  it.each([
    ['a wrong schema_version', { ...example, schema_version: '2.0' }, 'envelope', '/schema_version'],
    ['a site id outside the pattern', { ...example, site_id: 'SITE_KE_1' }, 'envelope', '/site_id'],
    [
      'a timestamp without a zone',
      { ...example, timestamp: '2026-02-22T13:00:00' },
      'envelope',
      '/timestamp',
    ],
    ['an unknown envelope field', { ...example, extra: 1 }, 'envelope', '/extra'],
    ['an unknown message type', { ...example, message_type: 'weather' }, 'envelope', '/message_type'],
    [
      'SOC above 100',
      withPayload('telemetry', { ...(example.payload as object), soc_pct: 100.5 }),
      'payload',
      '/payload/soc_pct',
    ],
    [
      'a mode outside 0..3',
      withPayload('telemetry', { ...(example.payload as object), mode: 4 }),
      'payload',
      '/payload/mode',
    ],
    [
      'a missing required payload field',
      withPayload('fleet_aggregate', { n_sites_active: 1 }),
      'payload',
      '/payload/total_capacity_kwh',
    ],
    [
      'an unknown safety event type',
      withPayload('safety_event', {
        event_type: 'OOPS',
        trigger_condition: '',
        soc_pct: 1,
        temperature_c: 1,
        action_taken: '',
      }),
      'payload',
      '/payload/event_type',
    ],
  ])('refuses %s, naming the field', (_name, message, stage, path) => {
    const result = validator.validate(message);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.stage).toBe(stage);
    expect(result.details.map((d) => d.path)).toContain(path);
  });

  it.each([null, 42, 'text', [], {}, { payload: null }])(
    'answers any value without throwing (%j)',
    (value) => {
      expect(validator.validate(value).ok).toBe(false);
    },
  );

  it('matches the site id pattern exactly', () => {
    expect(SITE_ID_PATTERN.test('SITE-KE-001')).toBe(true);
    for (const bad of ['SITE-KE-01', 'SIT-KE-001', 'site-ke-001', 'SITE-KEN-001', 'XSITE-KE-001'])
      expect(SITE_ID_PATTERN.test(bad), bad).toBe(false);
  });
});
