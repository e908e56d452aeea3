/** The shapes shared by the bench runner, its scenarios and its report. */
import type { QueryCounter } from './query-counter.js';
import type { BenchStation } from './station.js';

export type RowStatus = 'ok' | 'unavailable' | 'failed';

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface TargetCheck {
  /** e.g. "p99 ≤ 20 ms at 16 in flight". */
  name: string;
  holds: boolean;
  detail: string;
}

export interface ReferenceRef {
  scenario: string;
  variant: string;
  throughput_per_s: number;
  /** The reference's median latency (ms), when it has one. */
  p50_ms?: number;
}

/** A further ceiling of the same run this row is compared with (e.g. own-sql beside single-statement). */
export interface Comparison extends ReferenceRef {
  ratio: number;
}

/** One measured line of the table. */
export interface ResultRow {
  scenario: string;
  variant: string;
  /** Broker, database, in-flight level…: what the variant is made of. */
  labels: Record<string, string>;
  status: RowStatus;
  note?: string;
  /** What throughput counts: "req/s", "cycles/s", "starts". */
  unit: string;
  throughput_per_s: number | null;
  /** Operations completed inside the measured window. */
  count: number;
  errors: number;
  /** Measured at the receiver (the requester process for MQTT). */
  latency_ms: LatencySummary | null;
  /** The ceiling (or baseline) of the same run this row is compared with. */
  reference: ReferenceRef | null;
  ratio: number | null;
  /** Further ceilings of the same run (MqttScenario.alsoComparedWith). */
  comparisons?: Comparison[];
  metrics: Record<string, number>;
  targets: TargetCheck[];
}

export interface BenchOptions {
  durationMs: number;
  warmupMs: number;
  /** Scenario names (or prefixes) to run; empty = all. */
  scenarios: string[];
  /** Print JSON on stdout instead of the table. */
  json: boolean;
  /** Where to write the JSON result; default bench-results/<timestamp>.json. */
  out: string | null;
  inFlight: number[];
  plans: number;
  /** Experiment: TCP_NODELAY forced on every connection swapd opens (its MQTT client sets it itself). */
  clientNoDelay: boolean;
  /** Restrict the broker/database matrix, e.g. ["aedes+pglite"]; empty = all. */
  matrix: string[];
}

export interface BenchReport {
  started_at: string;
  finished_at: string;
  host: { cpus: number; node: string; platform: string };
  options: BenchOptions;
  rows: ResultRow[];
}

/** What a standalone scenario gets from the runner. */
export interface StandaloneContext {
  readonly options: BenchOptions;
  progress(text: string): void;
}

export interface StandaloneScenario {
  kind: 'standalone';
  name: string;
  description: string;
  run(ctx: StandaloneContext): Promise<ResultRow[]>;
}

/** A request a workload wants sent; `plan` is null for ceiling traffic that touches no plan. */
export interface WorkRequest {
  topic: string;
  payload: string;
  correlationId: string;
  plan: FleetPlan | null;
  outgoing: string | null;
}

export interface FleetPlan {
  readonly planId: string;
  holding: string | null;
  busy: boolean;
  broken: boolean;
}

/** The requester's picture of the seeded plans and batteries (kept in step with the responses). */
export interface FleetState {
  readonly plans: FleetPlan[];
  readonly stock: string[];
  cursor: number;
}

export type Responder = 'swapd' | 'echo' | 'single-statement';

/** A closed-loop MQTT request/response scenario, run at each in-flight level on each broker/database. */
export interface MqttScenario {
  kind: 'mqtt';
  name: string;
  description: string;
  /** Who answers: swapd itself, or one of the ceiling responders on the swapd side. */
  responder: Responder;
  /** The scenario whose row at the same broker/database/in-flight is this one's ceiling. */
  ceiling: string | null;
  /** Further ceilings (rows of the same broker and database), e.g. the database-only cost of the work. */
  alsoComparedWith?: readonly string[];
  /** False when the database plays no part (measured once per broker). */
  usesDatabase: boolean;
  /** Builds the next request (runs in the requester process); null when no plan is free. */
  next(fleet: FleetState, seq: number, runId: string): WorkRequest | null;
  targets?(row: ResultRow): TargetCheck[];
}

/** What a database scenario gets: the running bench station of one broker/database pair. */
export interface DatabaseContext {
  readonly options: BenchOptions;
  readonly station: BenchStation;
  readonly queries: QueryCounter;
  progress(text: string): void;
}

/** Runs against the database of each broker/database pair once (not per in-flight level), no MQTT. */
export interface DatabaseScenario {
  kind: 'database';
  name: string;
  description: string;
  run(ctx: DatabaseContext): Promise<ResultRow>;
}

export type Scenario = MqttScenario | StandaloneScenario | DatabaseScenario;
