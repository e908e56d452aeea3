import type { ResultRow, TargetCheck } from '../types.js';

/** Issue 5's request-path targets: at 16 in flight ≥ 50 % of the single-statement ceiling and p99 ≤ 20 ms; at 1, p50 ≤ 3 ms. */
export function requestPathTargets(row: ResultRow): TargetCheck[] {
  const inFlight = row.metrics.in_flight;
  const latency = row.latency_ms;
  if (row.status !== 'ok' || !latency) return [];
  if (inFlight === 1) {
    return [{ name: 'p50 ≤ 3 ms at 1 in flight', holds: latency.p50 <= 3, detail: `p50 ${latency.p50} ms` }];
  }
  if (inFlight !== 16) return [];
  const ratio = row.ratio ?? 0;
  return [
    {
      name: '≥ 50 % of the single-statement ceiling at 16 in flight',
      holds: ratio >= 0.5,
      detail: `${Math.round(ratio * 100)} %`,
    },
    { name: 'p99 ≤ 20 ms at 16 in flight', holds: latency.p99 <= 20, detail: `p99 ${latency.p99} ms` },
  ];
}
