import type { LoadResult } from './load-protocol.js';
import type { Progress } from './progress.js';
import type { QueryCounter } from './query-counter.js';
import type { RequesterProcess } from './requester-client.js';
import { RssSampler } from './rss.js';
import { type BenchStation, COMBOS, type Combo, startBenchStation } from './station.js';
import { perSecond, round, summarise } from './stats.js';
import type {
  BenchOptions,
  Comparison,
  DatabaseScenario,
  MqttScenario,
  ReferenceRef,
  ResultRow,
  RowStatus,
} from './types.js';

export interface MatrixDeps {
  options: BenchOptions;
  progress: Progress;
  requester: RequesterProcess;
  queries: QueryCounter;
}

interface Measured {
  scenario: MqttScenario;
  combo: Combo;
  inFlight: number;
  load: LoadResult;
  queriesPerRequest: number;
  roundTripsPerRequest: number;
  topStatements: Record<string, number>;
  rssMb: number;
  cpuPct: number;
}

function statusOf(load: LoadResult): { status: RowStatus; note?: string } {
  const first = load.firstError ?? 'no response';
  if (load.aborted || (load.succeeded === 0 && load.errors > 0))
    return { status: 'unavailable', note: `responses are not success (${first})` };
  if (load.completed === 0) return { status: 'failed', note: `nothing answered (${first})` };
  if (load.errors > 0 || load.timeouts > 0)
    return { status: 'ok', note: `${load.errors} errors, ${load.timeouts} timeouts (first: ${first})` };
  return { status: 'ok' };
}

function labelsOf(m: Measured): Record<string, string> {
  const base = { broker: m.combo.broker, in_flight: String(m.inFlight) };
  return m.scenario.usesDatabase ? { ...base, database: m.combo.db } : base;
}

function toRow(m: Measured): ResultRow {
  const { status, note } = statusOf(m.load);
  const usable = status === 'ok';
  const labels = labelsOf(m);
  return {
    scenario: m.scenario.name,
    variant: `${labels.database ? m.combo.name : m.combo.broker} · ${m.inFlight} in flight`,
    labels,
    status,
    ...(note ? { note } : {}),
    unit: 'req/s',
    throughput_per_s: usable ? perSecond(m.load.succeeded, m.load.windowMs) : null,
    count: m.load.completed,
    errors: m.load.errors + m.load.timeouts,
    latency_ms: usable ? summarise(m.load.latencies) : null,
    reference: null,
    ratio: null,
    metrics: {
      in_flight: m.inFlight,
      db_statements_per_request: m.queriesPerRequest,
      db_round_trips_per_request: m.roundTripsPerRequest,
      swapd_process_peak_rss_mb: m.rssMb,
      swapd_process_cpu_pct: m.cpuPct,
      ...Object.fromEntries(Object.entries(m.topStatements).map(([k, v]) => [`sql: ${k}`, v])),
    },
    targets: [],
  };
}

async function measure(deps: MatrixDeps, station: BenchStation, scenario: MqttScenario, inFlight: number) {
  const { options, progress, requester, queries } = deps;
  const label = `${scenario.name} on ${station.combo.name}, ${inFlight} in flight`;
  const started = Date.now();
  const total = (options.warmupMs + options.durationMs) / 1000;
  const ticker = setInterval(
    () => progress.update(`${label}: ${((Date.now() - started) / 1000).toFixed(1)}/${total} s`),
    250,
  );
  progress.phase(`${label}: warm-up ${options.warmupMs / 1000} s, then ${options.durationMs / 1000} s`);
  const rss = new RssSampler();
  queries.reset();
  rss.start();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  try {
    const load = await requester.run({
      brokerUrl: station.brokerUrl,
      scenario: scenario.name,
      fleetKey: station.combo.name,
      plans: options.plans,
      inFlight,
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
      runId: `b${Date.now().toString(36)}-${station.combo.name}-${scenario.name}-${inFlight}`,
    });
    const used = process.cpuUsage(cpu);
    const wallMs = performance.now() - t0;
    const answered = Math.max(load.totalAnswered, 1);
    return toRow({
      scenario,
      combo: station.combo,
      inFlight,
      load,
      queriesPerRequest: scenario.usesDatabase ? round(queries.total / answered, 2) : 0,
      roundTripsPerRequest: scenario.usesDatabase ? round(queries.roundTrips / answered, 2) : 0,
      topStatements: scenario.responder === 'swapd' ? queries.top(answered) : {},
      rssMb: rss.stop(),
      cpuPct: round(((used.user + used.system) / 1000 / wallMs) * 100, 1),
    });
  } finally {
    clearInterval(ticker);
  }
}

function selectedCombos(options: BenchOptions): Combo[] {
  if (options.matrix.length === 0) return [...COMBOS];
  const unknown = options.matrix.filter((m) => !COMBOS.some((c) => c.name === m));
  if (unknown.length > 0)
    throw new Error(`unknown --matrix ${unknown.join(', ')}; valid: ${COMBOS.map((c) => c.name).join(', ')}`);
  return COMBOS.filter((c) => options.matrix.includes(c.name));
}

async function runCombo(deps: MatrixDeps, combo: Combo, scenarios: Scenarios, brokersDone: Set<string>) {
  deps.progress.phase(`starting swapd on ${combo.name}, seeding ${deps.options.plans} plans`);
  const station = await startBenchStation(combo, deps.options.plans);
  const rows: ResultRow[] = [];
  try {
    for (const inFlight of deps.options.inFlight) {
      for (const scenario of scenarios.mqtt) {
        if (!scenario.usesDatabase && brokersDone.has(combo.broker)) continue;
        rows.push(await measure(deps, station, scenario, inFlight));
      }
    }
    brokersDone.add(combo.broker);
    for (const scenario of scenarios.database) {
      const progress = (text: string) => deps.progress.phase(text);
      rows.push(await scenario.run({ options: deps.options, station, queries: deps.queries, progress }));
    }
    return rows;
  } finally {
    deps.requester.forgetBroker(station.brokerUrl);
    await station.close();
  }
}

interface Scenarios {
  mqtt: MqttScenario[];
  database: DatabaseScenario[];
}

/** Each scenario at each in-flight level on each broker/database, the ceilings side by side with them. */
export async function runMqttMatrix(deps: MatrixDeps, scenarios: Scenarios): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  const brokersDone = new Set<string>();
  for (const combo of selectedCombos(deps.options))
    rows.push(...(await runCombo(deps, combo, scenarios, brokersDone)));
  return linkCeilings(rows, scenarios.mqtt);
}

function sameVariant(row: ResultRow, ceiling: ResultRow): boolean {
  return Object.entries(ceiling.labels).every(([k, v]) => row.labels[k] === v);
}

function referenceOf(row: ResultRow): ReferenceRef {
  return {
    scenario: row.scenario,
    variant: row.variant,
    throughput_per_s: row.throughput_per_s ?? 0,
    ...(row.latency_ms ? { p50_ms: row.latency_ms.p50 } : {}),
  };
}

/** The further ceilings a row is compared with: rows of those scenarios whose labels it shares. */
function comparisonsOf(row: ResultRow, rows: ResultRow[], names: readonly string[]): Comparison[] {
  if (row.throughput_per_s === null) return [];
  const found = names.flatMap((name) =>
    rows.filter((c) => c.scenario === name && c.throughput_per_s && sameVariant(row, c)),
  );
  return found.map((c) => ({
    ...referenceOf(c),
    ratio: round((row.throughput_per_s ?? 0) / (c.throughput_per_s ?? 1), 3),
  }));
}

function linkCeilings(rows: ResultRow[], scenarios: MqttScenario[]): ResultRow[] {
  return rows.map((row) => {
    const scenario = scenarios.find((s) => s.name === row.scenario);
    const ceiling = rows.find((c) => c.scenario === scenario?.ceiling && sameVariant(row, c));
    const linked: ResultRow =
      ceiling?.throughput_per_s && row.throughput_per_s !== null
        ? {
            ...row,
            reference: referenceOf(ceiling),
            ratio: round(row.throughput_per_s / ceiling.throughput_per_s, 3),
          }
        : { ...row };
    const also = comparisonsOf(row, rows, scenario?.alsoComparedWith ?? []);
    if (also.length > 0) linked.comparisons = also;
    return { ...linked, targets: scenario?.targets?.(linked) ?? [] };
  });
}
