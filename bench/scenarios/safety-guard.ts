import {
  DEFAULT_LIMITS,
  evaluate,
  type SetpointRequest,
  type SlotReading,
  type SlotSafetyState,
  UNLATCHED,
} from '../../safety/index.js';
import { perSecond, round, summarise } from '../stats.js';
import type { ResultRow, StandaloneContext, StandaloneScenario } from '../types.js';

/** SPEC §8: an evaluation may take 500 ms at p99; a pure function should take microseconds. */
const SPEC_P99_MS = 500;
const DECISIONS = 200_000;
const NOW = new Date('2026-03-01T10:00:00Z');

/** A spread of slot states and requests: normal, derated, blocked, latched, stale. */
function cases(): { state: SlotSafetyState; request: SetpointRequest }[] {
  const readings: Partial<SlotReading>[] = [
    {},
    { temperature_c: 50 },
    { temperature_c: 65, alarms: { alarm_code: 4 } },
    { soc_pct: 12 },
    { soc_pct: 96 },
    { temperature_c: -15 },
  ];
  const requests = [-7.2, -3, 0, 3, 7.5];
  return readings.flatMap((r, i) =>
    requests.map((setpointKw) => ({
      request: { setpointKw },
      state: {
        profile: {
          limits: i % 2 === 0 ? DEFAULT_LIMITS.LFP : DEFAULT_LIMITS.NMC,
          staleAfterMs: 30_000,
          pMaxKw: 7.2,
          unsupportedRequiredTags: [],
          criticalAlarmBits: { alarm_code: [0, 2, 6, 9] },
        },
        observation: {
          connected: true,
          lastGoodReadAt: new Date(NOW.getTime() - (i === 5 ? 40_000 : 1_000)),
          reading: { soc_pct: 50, temperature_c: 25, alarms: { alarm_code: 0 }, battery_present: true, ...r },
        },
        latch: i === 2 ? { reasons: ['SAFETY_TEMP_CRITICAL_HIGH'], since: NOW } : UNLATCHED,
      },
    })),
  );
}

async function run(ctx: StandaloneContext): Promise<ResultRow[]> {
  ctx.progress(`safety-guard: ${DECISIONS} decisions`);
  const all = cases();
  for (let i = 0; i < 20_000; i++) evaluate(all[i % all.length]!.state, all[i % all.length]!.request, NOW);
  const times = new Float64Array(DECISIONS);
  let blocked = 0;
  const start = performance.now();
  for (let i = 0; i < DECISIONS; i++) {
    const c = all[i % all.length]!;
    const t = performance.now();
    const decision = evaluate(c.state, c.request, NOW);
    times[i] = performance.now() - t;
    if (!decision.allowed) blocked++;
  }
  const elapsed = performance.now() - start;
  const latency = summarise(Array.from(times));
  const sorted = Float64Array.from(times).sort();
  const us = (q: number) =>
    round((sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0) * 1000, 2);
  const p99Us = us(0.99);
  return [
    {
      scenario: 'safety-guard',
      variant: `evaluate() · ${all.length} state/request mixes`,
      labels: { pure: 'yes' },
      status: 'ok',
      unit: 'decisions/s',
      throughput_per_s: perSecond(DECISIONS, elapsed),
      count: DECISIONS,
      errors: 0,
      latency_ms: latency,
      reference: null,
      ratio: null,
      metrics: {
        p50_us: us(0.5),
        p99_us: p99Us,
        max_us: round((sorted[sorted.length - 1] ?? 0) * 1000, 2),
        blocked_share: round(blocked / DECISIONS, 3),
      },
      targets: [
        {
          name: `p99 ≤ ${SPEC_P99_MS} ms (SPEC-002)`,
          holds: p99Us / 1000 <= SPEC_P99_MS,
          detail: `p99 ${p99Us} µs`,
        },
        {
          name: 'p99 ≤ 50 µs (microseconds, not milliseconds)',
          holds: p99Us <= 50,
          detail: `p99 ${p99Us} µs`,
        },
      ],
    },
  ];
}

/** The SafetyGuard's decision time: pure evaluate() over a mix of normal, derated, blocked and latched slots. */
export const safetyGuard: StandaloneScenario = {
  kind: 'standalone',
  name: 'safety-guard',
  description: "SafetyGuard decision time (pure evaluate(), no I/O): p99 in µs against SPEC-002's 500 ms",
  run,
};
