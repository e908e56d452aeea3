import { describe, expect, it } from 'vitest';
import {
  CHEMISTRIES,
  type Chemistry,
  DEFAULT_LIMITS,
  evaluate,
  type LatchState,
  resolveLimits,
  type SafetyCode,
  type SafetyLimits,
  type SlotReading,
  type SlotSafetyProfile,
  type SlotSafetyState,
  UNLATCHED,
} from '../../safety/index.js';

/**
 * Every rule of SPEC §8 at its threshold, just inside and just beyond it, for both chemistries. The
 * expected outcomes are written out from the specification, not computed from the guard's code.
 */
const NOW = new Date('2026-03-01T10:00:00.000Z');
const P_MAX = 7.2;
const EPS = 0.01;

function profile(chemistry: Chemistry, extra: Partial<SlotSafetyProfile> = {}): SlotSafetyProfile {
  return {
    limits: DEFAULT_LIMITS[chemistry],
    staleAfterMs: 30_000,
    pMaxKw: P_MAX,
    unsupportedRequiredTags: [],
    criticalAlarmBits: { alarm_code: [0, 2, 6, 9] },
    ...extra,
  };
}

const NORMAL: SlotReading = {
  soc_pct: 50,
  temperature_c: 25,
  alarms: { alarm_code: 0 },
  battery_present: true,
};

function state(
  chemistry: Chemistry,
  reading: Partial<SlotReading> | null = {},
  options: {
    connected?: boolean;
    ageMs?: number;
    latch?: LatchState;
    profile?: Partial<SlotSafetyProfile>;
  } = {},
): SlotSafetyState {
  return {
    profile: profile(chemistry, options.profile),
    observation: {
      connected: options.connected ?? true,
      lastGoodReadAt: new Date(NOW.getTime() - (options.ageMs ?? 1_000)),
      reading: reading === null ? null : { ...NORMAL, ...reading },
    },
    latch: options.latch ?? UNLATCHED,
  };
}

const CHARGE = -4;
const DISCHARGE = 4;

interface Row {
  name: string;
  reading: Partial<SlotReading>;
  setpoint: number;
  allowed: boolean;
  /** Expected |setpoint| after the guard (0 when refused). */
  magnitude: number;
  reasons: SafetyCode[];
  latched?: SafetyCode[];
}

/** The threshold table for one chemistry: at, just inside, just beyond each limit. */
function rows(l: SafetyLimits): Row[] {
  const half = P_MAX / 2;
  const safe = (name: string, reading: Partial<SlotReading>, code: SafetyCode): Row => ({
    name,
    reading,
    setpoint: 0,
    allowed: false,
    magnitude: 0,
    reasons: [code, 'SAFETY_LATCHED'],
    latched: [code],
  });
  const ok = (name: string, reading: Partial<SlotReading>, setpoint: number, reasons: SafetyCode[] = []) => ({
    name,
    reading,
    setpoint,
    allowed: true,
    magnitude: Math.abs(setpoint),
    reasons,
  });
  return [
    // Rule 1: discharge at or below SOC_MIN is blocked (rule 5 also applies there).
    {
      name: 'discharge at SOC_MIN',
      reading: { soc_pct: l.soc_min_pct },
      setpoint: 2,
      allowed: false,
      magnitude: 0,
      reasons: ['SAFETY_SOC_BELOW_MIN', 'SAFETY_LOW_SOC_DISCHARGE_LIMIT'],
    },
    {
      name: 'discharge just below SOC_MIN',
      reading: { soc_pct: l.soc_min_pct - EPS },
      setpoint: 2,
      allowed: false,
      magnitude: 0,
      reasons: ['SAFETY_SOC_BELOW_MIN', 'SAFETY_LOW_SOC_DISCHARGE_LIMIT'],
    },
    ok('discharge just above SOC_MIN (limited band)', { soc_pct: l.soc_min_pct + EPS }, 2, [
      'SAFETY_LOW_SOC_DISCHARGE_LIMIT',
    ]),
    ok('charge at SOC_MIN', { soc_pct: l.soc_min_pct }, CHARGE),
    // Rule 5: below SOC_MIN + 5 discharge is limited to 50 % of p_max.
    {
      ...ok('full discharge just below SOC_MIN + 5', { soc_pct: l.soc_min_pct + 5 - EPS }, P_MAX, [
        'SAFETY_LOW_SOC_DISCHARGE_LIMIT',
      ]),
      magnitude: half,
    },
    ok('full discharge at SOC_MIN + 5', { soc_pct: l.soc_min_pct + 5 }, P_MAX),
    ok('full discharge just above SOC_MIN + 5', { soc_pct: l.soc_min_pct + 5 + EPS }, P_MAX),
    ok('charge just below SOC_MIN + 5 is not limited', { soc_pct: l.soc_min_pct + 5 - EPS }, -P_MAX),
    // Rule 2: charge at or above SOC_MAX is blocked.
    {
      name: 'charge at SOC_MAX',
      reading: { soc_pct: l.soc_max_pct },
      setpoint: CHARGE,
      allowed: false,
      magnitude: 0,
      reasons: ['SAFETY_SOC_ABOVE_MAX'],
    },
    {
      name: 'charge just above SOC_MAX',
      reading: { soc_pct: l.soc_max_pct + EPS },
      setpoint: CHARGE,
      allowed: false,
      magnitude: 0,
      reasons: ['SAFETY_SOC_ABOVE_MAX'],
    },
    ok('charge just below SOC_MAX', { soc_pct: l.soc_max_pct - EPS }, CHARGE),
    ok('discharge at SOC_MAX', { soc_pct: l.soc_max_pct }, DISCHARGE),
    // Rules 3 and 4: critical SOC → Safe State, whatever is requested.
    safe('at SOC_CRITICAL_LOW', { soc_pct: l.soc_critical_low_pct }, 'SAFETY_SOC_CRITICAL_LOW'),
    safe('below SOC_CRITICAL_LOW', { soc_pct: l.soc_critical_low_pct - EPS }, 'SAFETY_SOC_CRITICAL_LOW'),
    ok('charge just above SOC_CRITICAL_LOW', { soc_pct: l.soc_critical_low_pct + EPS }, CHARGE),
    safe('at SOC_CRITICAL_HIGH', { soc_pct: l.soc_critical_high_pct }, 'SAFETY_SOC_CRITICAL_HIGH'),
    safe('above SOC_CRITICAL_HIGH', { soc_pct: l.soc_critical_high_pct + EPS }, 'SAFETY_SOC_CRITICAL_HIGH'),
    ok('discharge just below SOC_CRITICAL_HIGH', { soc_pct: l.soc_critical_high_pct - EPS }, DISCHARGE),
    // Rule 6: T_WARN_HIGH derates to 50 % of p_max, both directions.
    {
      ...ok('full charge at T_WARN_HIGH', { temperature_c: l.t_warn_high_c }, -P_MAX, ['SAFETY_TEMP_DERATE']),
      magnitude: half,
    },
    {
      ...ok('full discharge above T_WARN_HIGH', { temperature_c: l.t_warn_high_c + EPS }, P_MAX, [
        'SAFETY_TEMP_DERATE',
      ]),
      magnitude: half,
    },
    ok('small charge above T_WARN_HIGH is kept', { temperature_c: l.t_warn_high_c + EPS }, -1, [
      'SAFETY_TEMP_DERATE',
    ]),
    ok('full charge just below T_WARN_HIGH', { temperature_c: l.t_warn_high_c - EPS }, -P_MAX),
    // Rule 7: T_MAX_HIGH → Safe State.
    safe('at T_MAX_HIGH', { temperature_c: l.t_max_high_c }, 'SAFETY_TEMP_CRITICAL_HIGH'),
    safe('above T_MAX_HIGH', { temperature_c: l.t_max_high_c + EPS }, 'SAFETY_TEMP_CRITICAL_HIGH'),
    {
      ...ok('just below T_MAX_HIGH (derated)', { temperature_c: l.t_max_high_c - EPS }, CHARGE, [
        'SAFETY_TEMP_DERATE',
      ]),
      magnitude: half,
    },
    // Rule 8: T_MIN_LOW → no charging (discharge still allowed).
    {
      name: 'charge at T_MIN_LOW',
      reading: { temperature_c: l.t_min_low_c },
      setpoint: CHARGE,
      allowed: false,
      magnitude: 0,
      reasons: ['SAFETY_TEMP_BELOW_MIN_CHARGE'],
    },
    {
      name: 'charge below T_MIN_LOW',
      reading: { temperature_c: l.t_min_low_c - EPS },
      setpoint: CHARGE,
      allowed: false,
      magnitude: 0,
      reasons: ['SAFETY_TEMP_BELOW_MIN_CHARGE'],
    },
    ok('charge just above T_MIN_LOW', { temperature_c: l.t_min_low_c + EPS }, CHARGE),
    ok('discharge at T_MIN_LOW', { temperature_c: l.t_min_low_c }, DISCHARGE),
    // Rule 9: T_CRITICAL_LOW → Safe State.
    safe('at T_CRITICAL_LOW', { temperature_c: l.t_critical_low_c }, 'SAFETY_TEMP_CRITICAL_LOW'),
    safe('below T_CRITICAL_LOW', { temperature_c: l.t_critical_low_c - EPS }, 'SAFETY_TEMP_CRITICAL_LOW'),
    ok('discharge just above T_CRITICAL_LOW', { temperature_c: l.t_critical_low_c + EPS }, DISCHARGE),
    // Rule 10: |setpoint| > p_max is rejected (not clamped).
    ok('charge at p_max', {}, -P_MAX),
    ok('discharge at p_max', {}, P_MAX),
    {
      name: 'charge just above p_max',
      reading: {},
      setpoint: -(P_MAX + EPS),
      allowed: false,
      magnitude: 0,
      reasons: ['SAFETY_SETPOINT_OVER_PMAX'],
    },
    {
      name: 'discharge just above p_max',
      reading: {},
      setpoint: P_MAX + EPS,
      allowed: false,
      magnitude: 0,
      reasons: ['SAFETY_SETPOINT_OVER_PMAX'],
    },
    // Rule 11: a safety-critical alarm bit → Safe State; other bits do not block.
    safe('critical alarm bit 2', { alarms: { alarm_code: 1 << 2 } }, 'SAFETY_CRITICAL_ALARM'),
    safe('critical alarm bit 0', { alarms: { alarm_code: 1 } }, 'SAFETY_CRITICAL_ALARM'),
    safe(
      'critical alarm bit 9 among others',
      { alarms: { alarm_code: (1 << 9) | 2 } },
      'SAFETY_CRITICAL_ALARM',
    ),
    ok('non-critical alarm bits 1, 3 and 8', { alarms: { alarm_code: 2 | 8 | 256 } }, CHARGE),
    ok('critical bit number as a value (2) is bit 1, not critical', { alarms: { alarm_code: 2 } }, CHARGE),
    // Idle is always allowed when nothing stands against the slot.
    ok('idle at SOC_MAX', { soc_pct: l.soc_max_pct }, 0),
    ok('idle at T_WARN_HIGH', { temperature_c: l.t_warn_high_c }, 0),
  ];
}

describe.each(CHEMISTRIES)('SafetyGuard thresholds, %s', (chemistry) => {
  const limits = DEFAULT_LIMITS[chemistry];
  it.each(rows(limits))('$name', (row) => {
    const decision = evaluate(state(chemistry, row.reading), { setpointKw: row.setpoint }, NOW);
    expect(decision.allowed).toBe(row.allowed);
    expect(decision.reasons).toEqual(row.reasons);
    expect(Math.abs(decision.setpoint)).toBeCloseTo(row.magnitude, 9);
    if (row.allowed && row.magnitude !== 0)
      expect(Math.sign(decision.setpoint)).toBe(Math.sign(row.setpoint));
    const mode = !row.allowed || row.magnitude === 0 ? 0 : row.setpoint < 0 ? 1 : 2;
    expect(decision.mode).toBe(mode);
    expect(decision.derated).toBe(
      row.allowed && row.reasons.some((r) => r.endsWith('_LIMIT') || r.endsWith('DERATE')),
    );
    expect(decision.latch.reasons).toEqual(row.latched ?? []);
    expect(decision.latch.since).toEqual(row.latched ? NOW : null);
  });
});

describe('SPEC §8 numbers', () => {
  it('are the LFP and NMC defaults of the specification', () => {
    expect(DEFAULT_LIMITS.LFP).toEqual({
      soc_min_pct: 10,
      soc_max_pct: 95,
      soc_critical_low_pct: 5,
      soc_critical_high_pct: 98,
      t_warn_high_c: 45,
      t_max_high_c: 60,
      t_min_low_c: -10,
      t_critical_low_c: -20,
    });
    expect(DEFAULT_LIMITS.NMC).toEqual({
      soc_min_pct: 15,
      soc_max_pct: 90,
      soc_critical_low_pct: 8,
      soc_critical_high_pct: 95,
      t_warn_high_c: 45,
      t_max_high_c: 60,
      t_min_low_c: -10,
      t_critical_low_c: -20,
    });
  });
});

describe('conditions that stand whatever is requested', () => {
  it.each([
    [29_000, true],
    [30_000, true],
    [31_000, false],
  ])('last good read %i ms ago: allowed %s (stale limit 30 s)', (ageMs, allowed) => {
    const d = evaluate(state('LFP', {}, { ageMs }), { setpointKw: CHARGE }, NOW);
    expect(d.allowed).toBe(allowed);
    expect(d.reasons).toEqual(allowed ? [] : ['SAFETY_STALE_DATA']);
    expect(d.setpoint).toBe(allowed ? CHARGE : 0);
    expect(d.latch).toEqual(UNLATCHED);
  });

  it('a configured stale limit of 10 s blocks at 10.001 s and passes at 10 s', () => {
    const at = (ageMs: number) =>
      evaluate(state('LFP', {}, { ageMs, profile: { staleAfterMs: 10_000 } }), { setpointKw: CHARGE }, NOW)
        .allowed;
    expect(at(10_000)).toBe(true);
    expect(at(10_001)).toBe(false);
  });

  it('no read ever is stale, and without a reading only the standing rules apply', () => {
    const s: SlotSafetyState = {
      ...state('LFP', null),
      observation: { connected: true, lastGoodReadAt: null, reading: null },
    };
    const d = evaluate(s, { setpointKw: CHARGE }, NOW);
    expect(d).toMatchObject({ allowed: false, setpoint: 0, mode: 0, reasons: ['SAFETY_STALE_DATA'] });
    expect(evaluate(s, { setpointKw: P_MAX + 1 }, NOW).reasons).toEqual([
      'SAFETY_SETPOINT_OVER_PMAX',
      'SAFETY_STALE_DATA',
    ]);
  });

  it('a disconnected driver blocks every request, idle included', () => {
    for (const setpointKw of [CHARGE, 0, DISCHARGE]) {
      const d = evaluate(state('NMC', {}, { connected: false }), { setpointKw }, NOW);
      expect(d).toMatchObject({ allowed: false, setpoint: 0, mode: 0, reasons: ['SAFETY_NOT_CONNECTED'] });
    }
  });

  it('a profile lacking a required tag is never allowed to act', () => {
    const d = evaluate(
      state('LFP', {}, { profile: { unsupportedRequiredTags: ['mode_cmd'] } }),
      { setpointKw: CHARGE },
      NOW,
    );
    expect(d).toMatchObject({
      allowed: false,
      setpoint: 0,
      mode: 0,
      reasons: ['SAFETY_REQUIRED_TAG_MISSING'],
    });
    expect(d.latch).toEqual(UNLATCHED);
  });

  it('an empty slot allows idle only, and its zero readings are not taken for a battery', () => {
    const empty = state('LFP', {
      battery_present: false,
      soc_pct: 0,
      temperature_c: 0,
      alarms: { alarm_code: 4 },
    });
    expect(evaluate(empty, { setpointKw: 0 }, NOW)).toMatchObject({ allowed: true, reasons: [], mode: 0 });
    expect(evaluate(empty, { setpointKw: CHARGE }, NOW)).toMatchObject({
      allowed: false,
      reasons: ['SAFETY_NO_BATTERY'],
      latch: UNLATCHED,
    });
    expect(evaluate(empty, { setpointKw: P_MAX + 1 }, NOW).reasons).toEqual([
      'SAFETY_SETPOINT_OVER_PMAX',
      'SAFETY_NO_BATTERY',
    ]);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'refuses a setpoint of %s',
    (v) => {
      const d = evaluate(state('LFP'), { setpointKw: v }, NOW);
      expect(d).toMatchObject({ allowed: false, setpoint: 0, mode: 0, reasons: ['SAFETY_INVALID_REQUEST'] });
    },
  );

  it('alarm bits of another alarm tag count when the profile names them', () => {
    const p = { criticalAlarmBits: { alarm_code: [5], alarm_inverter: [3] } };
    const hot = state('LFP', { alarms: { alarm_code: 0, alarm_inverter: 8 } }, { profile: p });
    expect(evaluate(hot, { setpointKw: 0 }, NOW).latch.reasons).toEqual(['SAFETY_CRITICAL_ALARM']);
    const other = state('LFP', { alarms: { alarm_code: 0, alarm_inverter: 4 } }, { profile: p });
    expect(evaluate(other, { setpointKw: CHARGE }, NOW).allowed).toBe(true);
    const missingTag = state('LFP', { alarms: { alarm_code: 0 } }, { profile: p });
    expect(evaluate(missingTag, { setpointKw: CHARGE }, NOW).allowed).toBe(true);
    const high = state(
      'LFP',
      { alarms: { alarm_code: 2 ** 31 } },
      { profile: { criticalAlarmBits: { alarm_code: [31] } } },
    );
    expect(evaluate(high, { setpointKw: 0 }, NOW).latch.reasons).toEqual(['SAFETY_CRITICAL_ALARM']);
  });
});

describe('all reasons are reported, not only the first', () => {
  it('reports every rule that applies, in catalogue order', () => {
    const s = state(
      'LFP',
      { soc_pct: 99, temperature_c: 65, alarms: { alarm_code: 4 } },
      { connected: false, ageMs: 40_000, profile: { unsupportedRequiredTags: ['P_kW'] } },
    );
    const d = evaluate(s, { setpointKw: -(P_MAX + 1) }, NOW);
    expect(d.reasons).toEqual([
      'SAFETY_SOC_ABOVE_MAX',
      'SAFETY_SOC_CRITICAL_HIGH',
      'SAFETY_TEMP_DERATE',
      'SAFETY_TEMP_CRITICAL_HIGH',
      'SAFETY_SETPOINT_OVER_PMAX',
      'SAFETY_CRITICAL_ALARM',
      'SAFETY_NOT_CONNECTED',
      'SAFETY_STALE_DATA',
      'SAFETY_REQUIRED_TAG_MISSING',
      'SAFETY_LATCHED',
    ]);
    expect(d.latch.reasons).toEqual([
      'SAFETY_SOC_CRITICAL_HIGH',
      'SAFETY_TEMP_CRITICAL_HIGH',
      'SAFETY_CRITICAL_ALARM',
    ]);
    expect(d).toMatchObject({ allowed: false, setpoint: 0, mode: 0, derated: false });
  });

  it('both derating rules together still give 50 % of p_max, and a small discharge passes untouched', () => {
    const s = state('LFP', { soc_pct: 12, temperature_c: 50 });
    const big = evaluate(s, { setpointKw: P_MAX }, NOW);
    expect(big).toMatchObject({
      allowed: true,
      setpoint: P_MAX / 2,
      mode: 2,
      derated: true,
      reasons: ['SAFETY_LOW_SOC_DISCHARGE_LIMIT', 'SAFETY_TEMP_DERATE'],
    });
    expect(evaluate(s, { setpointKw: 1 }, NOW)).toMatchObject({ setpoint: 1, mode: 2, derated: true });
  });
});

describe('resolveLimits: normal limits only inside the critical ones', () => {
  it('returns the defaults with overrides applied', () => {
    const r = resolveLimits('LFP', { soc_max_pct: 92, t_warn_high_c: 40, soc_min_pct: undefined });
    expect(r).toEqual({ ok: true, limits: { ...DEFAULT_LIMITS.LFP, soc_max_pct: 92, t_warn_high_c: 40 } });
    expect(resolveLimits('NMC')).toEqual({ ok: true, limits: DEFAULT_LIMITS.NMC });
  });

  it.each([
    ['LFP', { soc_min_pct: 5 }, 'LFP: soc_min_pct 5 must be above SOC_CRITICAL_LOW 5'],
    ['NMC', { soc_min_pct: 7 }, 'NMC: soc_min_pct 7 must be above SOC_CRITICAL_LOW 8'],
    ['LFP', { soc_max_pct: 98 }, 'LFP: soc_max_pct 98 must be below SOC_CRITICAL_HIGH 98'],
    ['NMC', { soc_max_pct: 96 }, 'NMC: soc_max_pct 96 must be below SOC_CRITICAL_HIGH 95'],
    ['LFP', { soc_min_pct: 60, soc_max_pct: 60 }, 'LFP: soc_min_pct 60 must be below soc_max_pct 60'],
    ['LFP', { t_warn_high_c: 60 }, 'LFP: t_warn_high_c 60 must be below T_MAX_HIGH 60'],
    ['NMC', { t_min_low_c: -20 }, 'NMC: t_min_low_c -20 must be above T_CRITICAL_LOW -20'],
    ['LFP', { t_min_low_c: 30, t_warn_high_c: 30 }, 'LFP: t_min_low_c 30 must be below t_warn_high_c 30'],
  ] as const)('%s %o is refused', (chemistry, overrides, problem) => {
    expect(resolveLimits(chemistry, overrides)).toEqual({ ok: false, problems: [problem] });
  });

  it.each([
    ['LFP', { soc_min_pct: 5.01, soc_max_pct: 97.99, t_warn_high_c: 59.9, t_min_low_c: -19.9 }],
    ['NMC', { soc_min_pct: 8.01, soc_max_pct: 94.99 }],
  ] as const)('%s just inside every critical limit is accepted', (chemistry, overrides) => {
    expect(resolveLimits(chemistry, overrides).ok).toBe(true);
  });

  it('reports every problem at once', () => {
    const r = resolveLimits('LFP', { soc_min_pct: 1, soc_max_pct: 99 });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.length).toBe(2);
  });
});

describe('latching', () => {
  it('keeps an earlier latch and its time, and adds new Safe State reasons', () => {
    const earlier = new Date('2026-03-01T09:00:00Z');
    const latch: LatchState = { reasons: ['SAFETY_TEMP_CRITICAL_HIGH'], since: earlier };
    const normal = evaluate(state('LFP', {}, { latch }), { setpointKw: CHARGE }, NOW);
    expect(normal).toMatchObject({ allowed: false, setpoint: 0, mode: 0, reasons: ['SAFETY_LATCHED'] });
    expect(normal.latch).toBe(latch);
    const more = evaluate(state('LFP', { alarms: { alarm_code: 1 } }, { latch }), { setpointKw: 0 }, NOW);
    expect(more.latch).toEqual({
      reasons: ['SAFETY_TEMP_CRITICAL_HIGH', 'SAFETY_CRITICAL_ALARM'],
      since: earlier,
    });
  });

  it('a stale block does not latch', () => {
    const d = evaluate(state('LFP', {}, { ageMs: 60_000 }), { setpointKw: CHARGE }, NOW);
    expect(d.latch).toEqual(UNLATCHED);
  });
});
