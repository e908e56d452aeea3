import { describe, expect, it } from 'vitest';
import {
  clearedEvent,
  clearLatch,
  DEFAULT_LIMITS,
  effectOf,
  evaluate,
  eventPayload,
  eventsBetween,
  isBlocking,
  isChemistry,
  isDerating,
  isSafeStateCode,
  isSafetyCode,
  type LatchState,
  modeOf,
  requestConditions,
  resolveStaleAfter,
  SAFETY_CODES,
  SAFETY_REASONS,
  type SafetyDecision,
  type SlotReading,
  type SlotSafetyState,
  UNLATCHED,
} from '../../safety/index.js';
import { Spec003Validator } from '../../src/validation/spec003/spec003-validator.js';

const NOW = new Date('2026-03-01T10:00:00.000Z');
const READING: SlotReading = {
  soc_pct: 50,
  temperature_c: 25,
  alarms: { alarm_code: 0 },
  battery_present: true,
};
const HOT_LATCH: LatchState = {
  reasons: ['SAFETY_TEMP_CRITICAL_HIGH'],
  since: new Date('2026-03-01T09:00:00Z'),
};

function slot(
  reading: Partial<SlotReading> | null,
  latch: LatchState,
  extra: { connected?: boolean; ageMs?: number } = {},
): SlotSafetyState {
  return {
    profile: {
      limits: DEFAULT_LIMITS.LFP,
      staleAfterMs: 30_000,
      pMaxKw: 7.2,
      unsupportedRequiredTags: [],
      criticalAlarmBits: { alarm_code: [2] },
    },
    observation: {
      connected: extra.connected ?? true,
      lastGoodReadAt: new Date(NOW.getTime() - (extra.ageMs ?? 0)),
      reading: reading === null ? null : { ...READING, ...reading },
    },
    latch,
  };
}

describe('clearLatch: only an operator leaves Safe State, and only once the cause is gone', () => {
  it('clears a latch whose cause has gone', () => {
    expect(clearLatch(slot({}, HOT_LATCH), NOW)).toEqual({
      outcome: 'cleared',
      latch: UNLATCHED,
      cleared: ['SAFETY_TEMP_CRITICAL_HIGH'],
    });
  });

  it('refuses while the temperature is still critical, naming the reason', () => {
    expect(clearLatch(slot({ temperature_c: 61 }, HOT_LATCH), NOW)).toEqual({
      outcome: 'refused',
      latch: HOT_LATCH,
      reasons: ['SAFETY_TEMP_CRITICAL_HIGH'],
    });
  });

  it('refuses while a critical alarm bit is still set, and while the slot cannot be seen', () => {
    expect(clearLatch(slot({ alarms: { alarm_code: 4 } }, HOT_LATCH), NOW)).toMatchObject({
      outcome: 'refused',
      reasons: ['SAFETY_CRITICAL_ALARM'],
    });
    expect(clearLatch(slot({}, HOT_LATCH, { connected: false }), NOW)).toMatchObject({
      outcome: 'refused',
      reasons: ['SAFETY_NOT_CONNECTED'],
    });
    expect(clearLatch(slot({}, HOT_LATCH, { ageMs: 31_000 }), NOW)).toMatchObject({
      outcome: 'refused',
      reasons: ['SAFETY_STALE_DATA'],
    });
  });

  it('a missing required tag does not stand in the way of a clear (it never latches)', () => {
    const s = slot({}, HOT_LATCH);
    const noTag = { ...s, profile: { ...s.profile, unsupportedRequiredTags: ['mode_cmd'] } };
    expect(clearLatch(noTag, NOW).outcome).toBe('cleared');
  });

  it('says so when nothing is latched', () => {
    expect(clearLatch(slot({ temperature_c: 70 }, UNLATCHED), NOW)).toEqual({
      outcome: 'not_latched',
      latch: UNLATCHED,
    });
  });

  it('after a clear, the next decision lets charging through again', () => {
    const cleared = clearLatch(slot({}, HOT_LATCH), NOW);
    const d = evaluate(slot({}, cleared.latch), { setpointKw: -3 }, NOW);
    expect(d).toMatchObject({ allowed: true, setpoint: -3, mode: 1, reasons: [] });
  });
});

function decision(over: Partial<SafetyDecision>): SafetyDecision {
  return { allowed: true, setpoint: 0, mode: 0, reasons: [], derated: false, latch: UNLATCHED, ...over };
}

describe('eventsBetween: one event per new condition, none while it persists', () => {
  const latched = decision({
    allowed: false,
    reasons: ['SAFETY_TEMP_CRITICAL_HIGH', 'SAFETY_LATCHED'],
    latch: HOT_LATCH,
  });

  it('announces entering Safe State once', () => {
    expect(eventsBetween(decision({}), latched)).toEqual([
      { event_type: 'SAFE_STATE_ENTERED', reasons: ['SAFETY_TEMP_CRITICAL_HIGH'], resolution_required: true },
    ]);
    expect(eventsBetween(latched, latched)).toEqual([]);
    const cooled = decision({ allowed: false, reasons: ['SAFETY_LATCHED'], latch: HOT_LATCH });
    expect(eventsBetween(latched, cooled)).toEqual([]);
  });

  it('announces a further Safe State reason while latched', () => {
    const more = decision({
      allowed: false,
      reasons: ['SAFETY_TEMP_CRITICAL_HIGH', 'SAFETY_CRITICAL_ALARM', 'SAFETY_LATCHED'],
      latch: { reasons: ['SAFETY_TEMP_CRITICAL_HIGH', 'SAFETY_CRITICAL_ALARM'], since: HOT_LATCH.since },
    });
    expect(eventsBetween(latched, more)).toEqual([
      { event_type: 'SAFE_STATE_ENTERED', reasons: ['SAFETY_CRITICAL_ALARM'], resolution_required: true },
    ]);
  });

  it('announces a stale-data block once, and again after it cleared', () => {
    const stale = decision({ allowed: false, reasons: ['SAFETY_STALE_DATA'] });
    const plan = {
      event_type: 'STALE_DATA_BLOCK',
      reasons: ['SAFETY_STALE_DATA'],
      resolution_required: false,
    };
    expect(eventsBetween(null, stale)).toEqual([plan]);
    expect(eventsBetween(stale, stale)).toEqual([]);
    expect(eventsBetween(decision({}), stale)).toEqual([plan]);
  });

  it('announces refused dispatches by their new reasons only', () => {
    const cold = decision({ allowed: false, reasons: ['SAFETY_TEMP_BELOW_MIN_CHARGE'] });
    expect(eventsBetween(decision({}), cold)).toEqual([
      {
        event_type: 'DISPATCH_BLOCKED',
        reasons: ['SAFETY_TEMP_BELOW_MIN_CHARGE'],
        resolution_required: false,
      },
    ]);
    const both = decision({
      allowed: false,
      reasons: ['SAFETY_TEMP_BELOW_MIN_CHARGE', 'SAFETY_NOT_CONNECTED'],
    });
    expect(eventsBetween(cold, both)).toEqual([
      { event_type: 'DISPATCH_BLOCKED', reasons: ['SAFETY_NOT_CONNECTED'], resolution_required: false },
    ]);
  });

  it('a derating is not an event, and neither is the latch code on its own', () => {
    const derated = decision({ reasons: ['SAFETY_TEMP_DERATE'], derated: true, setpoint: -3.6, mode: 1 });
    expect(eventsBetween(decision({}), derated)).toEqual([]);
    const onlyLatch = decision({ allowed: false, reasons: ['SAFETY_LATCHED'], latch: HOT_LATCH });
    expect(eventsBetween(latched, onlyLatch)).toEqual([]);
  });

  it('several kinds at once come in a fixed order', () => {
    const all = decision({
      allowed: false,
      reasons: ['SAFETY_TEMP_CRITICAL_HIGH', 'SAFETY_NOT_CONNECTED', 'SAFETY_STALE_DATA', 'SAFETY_LATCHED'],
      latch: HOT_LATCH,
    });
    expect(eventsBetween(null, all).map((e) => e.event_type)).toEqual([
      'SAFE_STATE_ENTERED',
      'STALE_DATA_BLOCK',
      'DISPATCH_BLOCKED',
    ]);
  });

  it('an operator clear is SAFE_STATE_CLEARED', () => {
    expect(clearedEvent(['SAFETY_CRITICAL_ALARM'])).toEqual({
      event_type: 'SAFE_STATE_CLEARED',
      reasons: ['SAFETY_CRITICAL_ALARM'],
      resolution_required: false,
    });
  });
});

describe('eventPayload: the seed-004 safety_event payload', () => {
  const validator = new Spec003Validator();
  const envelope = (payload: object) => ({
    schema_version: '1.0',
    message_type: 'safety_event',
    site_id: 'SITE-KE-001',
    timestamp: NOW.toISOString(),
    payload,
  });

  it('carries the reading, the reasons in words and what was done; valid against the schema', () => {
    const plan = {
      event_type: 'SAFE_STATE_ENTERED' as const,
      reasons: ['SAFETY_TEMP_CRITICAL_HIGH' as const],
      resolution_required: true,
    };
    const payload = eventPayload(
      plan,
      'slot-3',
      { ...READING, temperature_c: 70.5, alarms: { alarm_code: 4.9 } },
      'safe command written',
    );
    expect(payload).toEqual({
      event_type: 'SAFE_STATE_ENTERED',
      trigger_condition: `SAFETY_TEMP_CRITICAL_HIGH: ${SAFETY_REASONS.SAFETY_TEMP_CRITICAL_HIGH.meaning}`,
      soc_pct: 50,
      temperature_c: 70.5,
      alarm_code: 4,
      action_taken: 'safe command written',
      resolution_required: true,
      device_id: 'slot-3',
      reasons: ['SAFETY_TEMP_CRITICAL_HIGH'],
      reading_available: true,
    });
    expect(validator.validate(envelope(payload)).ok).toBe(true);
  });

  it('without any reading it says so and stays valid', () => {
    const plan = {
      event_type: 'STALE_DATA_BLOCK' as const,
      reasons: ['SAFETY_STALE_DATA', 'SAFETY_NOT_CONNECTED'] as const,
      resolution_required: false,
    };
    const payload = eventPayload(plan, 'slot-1', null, 'nothing written');
    expect(payload).toMatchObject({ soc_pct: 0, temperature_c: 0, reading_available: false });
    expect(payload).not.toHaveProperty('alarm_code');
    expect(payload.trigger_condition).toBe(
      `SAFETY_STALE_DATA: ${SAFETY_REASONS.SAFETY_STALE_DATA.meaning}; SAFETY_NOT_CONNECTED: ${SAFETY_REASONS.SAFETY_NOT_CONNECTED.meaning}`,
    );
    expect(validator.validate(envelope(payload)).ok).toBe(true);
  });
});

describe('catalogue', () => {
  it('numbers every rule once and names every code SAFETY_*', () => {
    const rules = SAFETY_CODES.map((c) => SAFETY_REASONS[c].rule);
    expect(new Set(rules).size).toBe(SAFETY_CODES.length);
    expect(SAFETY_CODES.every((c) => c.startsWith('SAFETY_'))).toBe(true);
  });

  it.each([
    [-0.01, 1],
    [0, 0],
    [0.01, 2],
  ])('modeOf(%f) = %i', (kw, mode) => {
    expect(modeOf(kw)).toBe(mode);
  });
});

describe('the small helpers of the room', () => {
  it('isChemistry knows LFP and NMC only', () => {
    expect(isChemistry('LFP')).toBe(true);
    expect(isChemistry('NMC')).toBe(true);
    for (const other of ['LTO', 'lfp', '', null, undefined, 1]) expect(isChemistry(other)).toBe(false);
  });

  it.each([
    [30, { ok: true, ms: 30_000 }],
    [10, { ok: true, ms: 10_000 }],
    [12.5, { ok: true, ms: 12_500 }],
    [9.999, { ok: false, problem: 'stale_after_s 9.999 must be at least 10 s' }],
    [Number.NaN, { ok: false, problem: 'stale_after_s NaN must be at least 10 s' }],
    [Number.POSITIVE_INFINITY, { ok: false, problem: 'stale_after_s Infinity must be at least 10 s' }],
  ])('resolveStaleAfter(%f)', (seconds, result) => {
    expect(resolveStaleAfter(seconds)).toEqual(result);
  });

  it('isSafetyCode accepts catalogue codes only', () => {
    for (const code of SAFETY_CODES) expect(isSafetyCode(code)).toBe(true);
    for (const other of ['SAFETY_NOPE', 'toString', '', 7, null]) expect(isSafetyCode(other)).toBe(false);
    // Not a string, though it names a code as a property key: an array holding a code, an object printing one.
    const code = SAFETY_CODES[0];
    for (const other of [[code], { toString: () => code }]) expect(isSafetyCode(other)).toBe(false);
  });

  it('effects: Safe State, stale, derate and block are told apart', () => {
    expect(SAFETY_CODES.filter(isSafeStateCode)).toEqual([
      'SAFETY_SOC_CRITICAL_LOW',
      'SAFETY_SOC_CRITICAL_HIGH',
      'SAFETY_TEMP_CRITICAL_HIGH',
      'SAFETY_TEMP_CRITICAL_LOW',
      'SAFETY_CRITICAL_ALARM',
    ]);
    expect(SAFETY_CODES.filter(isDerating)).toEqual(['SAFETY_LOW_SOC_DISCHARGE_LIMIT', 'SAFETY_TEMP_DERATE']);
    expect(SAFETY_CODES.filter((c) => !isBlocking(c))).toEqual(SAFETY_CODES.filter(isDerating));
    expect(effectOf('SAFETY_STALE_DATA')).toBe('stale');
    expect(effectOf('SAFETY_NOT_CONNECTED')).toBe('block');
  });

  it('requestConditions: idle asks nothing; a normal charge or discharge meets no rule', () => {
    const p = slot({}, UNLATCHED).profile;
    expect(requestConditions(p, READING, 0)).toEqual([]);
    expect(requestConditions(p, { ...READING, battery_present: false }, 0)).toEqual([]);
    expect(requestConditions(p, READING, -3)).toEqual([]);
    expect(requestConditions(p, READING, 3)).toEqual([]);
    expect(requestConditions(p, null, -3)).toEqual([]);
  });

  it('an idle request of -0 writes a plain 0', () => {
    const d = evaluate(slot({}, UNLATCHED), { setpointKw: -0 }, NOW);
    expect(d.setpoint).toBe(0);
    expect(d.mode).toBe(0);
  });

  it('a latch whose cause persists is the same latch, not a copy', () => {
    const d = evaluate(slot({ temperature_c: 70 }, HOT_LATCH), { setpointKw: 0 }, NOW);
    expect(d.latch).toBe(HOT_LATCH);
  });
});
