import type { ResultRow, TargetCheck } from '../types.js';

const pct = (ratio: number) => `${Math.round(ratio * 1000) / 10} %`;

/**
 * Issue 15's request-path targets. At 16 in flight: ≥ 35 % of the single-statement ceiling, at least the
 * database-only rate of swapd's own statements (own-sql; Postgres only, where 16 clients run side by
 * side), p99 ≤ 15 ms. At 1 in flight: p50 ≤ 2.5 × the single-statement ceiling's p50.
 */
export function requestPathTargets(row: ResultRow): TargetCheck[] {
  const inFlight = row.metrics.in_flight;
  const latency = row.latency_ms;
  if (row.status !== 'ok' || !latency) return [];
  if (inFlight === 1) return onePerTime(row, latency.p50);
  if (inFlight !== 16) return [];
  const ratio = row.ratio ?? 0;
  const checks: TargetCheck[] = [
    { name: '≥ 35 % of single-statement at 16 in flight', holds: ratio >= 0.35, detail: pct(ratio) },
  ];
  const own = row.comparisons?.find((c) => c.scenario === 'own-sql');
  if (own && row.labels.database === 'postgres')
    checks.push({
      name: '≥ 1.0× own-sql at 16 in flight',
      holds: own.ratio >= 1,
      detail: `${own.ratio}×`,
    });
  if (row.labels.database === 'postgres')
    checks.push({
      name: 'p99 ≤ 15 ms at 16 in flight',
      holds: latency.p99 <= 15,
      detail: `p99 ${latency.p99} ms`,
    });
  return checks;
}

function onePerTime(row: ResultRow, p50: number): TargetCheck[] {
  const ceiling = row.reference?.p50_ms;
  if (ceiling === undefined || row.labels.database !== 'postgres') return [];
  const times = Math.round((p50 / ceiling) * 100) / 100;
  return [
    {
      name: 'p50 ≤ 2.5× single-statement p50 at 1 in flight',
      holds: times <= 2.5,
      detail: `p50 ${p50} ms = ${times}× ${ceiling} ms`,
    },
  ];
}
