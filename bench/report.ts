import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BenchReport, ResultRow } from './types.js';

const COLUMNS = [
  'scenario',
  'variant',
  'throughput',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'vs ceiling',
  'notes',
] as const;

function throughput(row: ResultRow): string {
  if (row.status !== 'ok') return row.status;
  if (row.throughput_per_s === null) return '-';
  return `${row.throughput_per_s} ${row.unit}`;
}

function notes(row: ResultRow): string {
  const m = row.metrics;
  const parts: string[] = [];
  if (m.db_statements_per_request) parts.push(`${m.db_statements_per_request} SQL/req`);
  if (m.db_round_trips_per_request && m.db_round_trips_per_request !== m.db_statements_per_request)
    parts.push(`${m.db_round_trips_per_request} round trips/req`);
  if (m.swapd_process_peak_rss_mb) parts.push(`rss ${m.swapd_process_peak_rss_mb} MB`);
  if (m.swapd_process_cpu_pct) parts.push(`cpu ${m.swapd_process_cpu_pct} %`);
  if (m.requests_per_cycle !== undefined)
    parts.push(`${m.requests_per_cycle} req/cycle (${m.tags_per_cycle} tags)`);
  if (m.idle_rss_mb_after_ready) parts.push(`idle rss ${m.idle_rss_mb_after_ready} MB`);
  for (const t of row.targets) parts.push(`${t.holds ? 'OK' : 'MISS'} ${t.name} (${t.detail})`);
  if (row.note) parts.push(row.note);
  return parts.join('; ');
}

function versus(row: ResultRow): string {
  const parts =
    row.ratio === null ? [] : [`${Math.round(row.ratio * 1000) / 10} % of ${row.reference?.scenario}`];
  for (const c of row.comparisons ?? []) parts.push(`${c.ratio}× ${c.scenario}`);
  return parts.length > 0 ? parts.join(', ') : '-';
}

function cells(row: ResultRow): string[] {
  const l = row.latency_ms;
  const ratio = versus(row);
  return [
    row.scenario,
    row.variant,
    throughput(row),
    ...(l ? [l.p50, l.p95, l.p99].map(String) : ['-', '-', '-']),
    ratio,
    notes(row),
  ];
}

/** The table printed at the end of a run (plain text, aligned; notes last and unpadded). */
export function formatTable(rows: readonly ResultRow[]): string {
  const body = rows.map(cells);
  const all = [[...COLUMNS], ...body];
  const widths = COLUMNS.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [
    line([...COLUMNS]),
    widths.map((w) => '-'.repeat(Math.min(w, 40))).join('  '),
    ...body.map(line),
  ].join('\n');
}

export function defaultOutPath(startedAt: Date): string {
  return resolve('bench-results', `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
}

export function writeReport(path: string, report: BenchReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
