import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import pg from 'pg';
import { SESSION_OPTIONS } from '../../src/adapters/db/connect.js';
import { queryBracketed } from '../../src/adapters/db/pg-bracketed-query.js';
import { CLAIM_AND_READ, WRITE } from '../../src/adapters/db/request-sql.js';
import { rawPoolOf } from '../../src/adapters/db/sql-client.js';
import { newFleet, settleSwap } from '../fleet.js';
import type { RecordedStatement } from '../query-counter.js';
import { RssSampler } from '../rss.js';
import { seedFleet } from '../seed.js';
import { perSecond, round, summarise } from '../stats.js';
import type { DatabaseContext, DatabaseScenario, FleetPlan, ResultRow } from '../types.js';
import { completeService } from './complete-service.js';

/** The database clients of the ceiling, as pgbench -c 16 would open them. */
export const OWN_SQL_CLIENTS = 16;
const FLEET = 'ownsql';
const BATCH = 64;

/** One recorded swap: the claim's and the write's values, and the ids to put another swap's in their place. */
interface Template {
  text: string;
  plan: string;
  held: string;
  outgoing: string;
  correlationId: string;
  eventIds: string[];
}

interface Swap {
  claim: unknown[];
  write: unknown[];
}

/** One database connection: swapd's statements by name on Postgres, PGlite's one connection in turn. */
interface ReplayConnection {
  transaction(swap: Swap): Promise<void>;
  close(): Promise<void>;
}

/** One COMPLETE_SERVICE through swapd on the own fleet's first plan, its two statements recorded. */
async function recordTemplate(ctx: DatabaseContext): Promise<Template> {
  const fleet = newFleet(ctx.options.plans, FLEET);
  const request = completeService.next(fleet, 0, `ownsql-template-${Date.now().toString(36)}`);
  if (!request?.plan || !request.outgoing) throw new Error('own fleet has no free plan');
  const client = await mqtt.connectAsync(ctx.station.brokerUrl, { protocolVersion: 4, reconnectPeriod: 0 });
  try {
    await client.subscribeAsync('rtrn/abs/#', { qos: 1 });
    const answered = new Promise<Record<string, unknown>>((resolve) =>
      client.on('message', (_t, payload) => {
        const body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
        if (body.correlation_id === request.correlationId) resolve(body);
      }),
    );
    ctx.queries.startRecording([CLAIM_AND_READ.text, WRITE.text]);
    await client.publishAsync(request.topic, request.payload, { qos: 1 });
    const response = await answered;
    const seen = ctx.queries.stopRecording();
    if (response.success !== true)
      throw new Error(`template swap refused: ${JSON.stringify(response.error)}`);
    return templateOf(seen, request.plan, request.outgoing, request.correlationId);
  } finally {
    await client.endAsync(true);
  }
}

function templateOf(seen: RecordedStatement[], plan: FleetPlan, outgoing: string, correlationId: string) {
  const claim = seen.find((s) => s.text === CLAIM_AND_READ.text);
  const write = seen.find((s) => s.text === WRITE.text);
  if (!claim || !write) throw new Error('the template swap did not run the one-request statements');
  const events = JSON.parse(String(write.values[7])) as { event_id: string }[];
  return {
    text: JSON.stringify([claim.values, write.values]),
    plan: plan.planId,
    held: plan.holding ?? '',
    outgoing,
    correlationId,
    eventIds: events.map((e) => e.event_id),
  };
}

const PATTERNS = new WeakMap<Template, RegExp>();

/** The template's ids as one pattern (longest first, so that no id matches inside a longer one). */
function patternOf(t: Template, ids: readonly string[]): RegExp {
  let pattern = PATTERNS.get(t);
  if (!pattern) {
    const sorted = ids.filter((id) => id !== '').sort((a, b) => b.length - a.length);
    pattern = new RegExp(sorted.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
    PATTERNS.set(t, pattern);
  }
  return pattern;
}

/** Another swap's parameters: the template's ids replaced by this plan's, batteries', request's and events'. */
function swapOf(t: Template, plan: string, held: string, outgoing: string, n: number): Swap {
  // One pass over the text: chained replacements would replace an id put in by an earlier one (the
  // template's first plan holds the template's outgoing battery afterwards).
  const by = new Map<string, string>([
    [t.plan, plan],
    [t.held, held],
    [t.outgoing, outgoing],
    [t.correlationId, `${t.correlationId}-${n}`],
    ...t.eventIds.map((id): [string, string] => [id, randomUUID()]),
  ]);
  const text = t.text.replace(patternOf(t, [...by.keys()]), (id) => by.get(id) ?? id);
  const [claim, write] = JSON.parse(text) as [unknown[], unknown[]];
  return { claim, write };
}

/**
 * One client's swaps, worked out ahead in batches: its own plans in turn, each swap taking a battery
 * from its own share of the stock and giving the plan's back (the same moves the requester makes).
 */
class ClientWork {
  readonly #plans: FleetPlan[];
  readonly #stock: string[];
  readonly #template: Template;
  #next = 0;
  #queued: Swap[] = [];
  #n: number;

  constructor(plans: FleetPlan[], stock: string[], template: Template, offset: number) {
    this.#plans = plans;
    this.#stock = stock;
    this.#template = template;
    this.#n = offset;
  }

  take(): Swap {
    if (this.#queued.length === 0) this.#queued = Array.from({ length: BATCH }, () => this.#plan());
    return this.#queued.shift() as Swap;
  }

  #plan(): Swap {
    const plan = this.#plans[this.#next++ % this.#plans.length] as FleetPlan;
    const outgoing = this.#stock.shift() as string;
    const swap = swapOf(this.#template, plan.planId, plan.holding ?? '', outgoing, this.#n++);
    settleSwap({ plans: [], stock: this.#stock, cursor: 0 }, plan, outgoing, true);
    return swap;
  }
}

function splitWork(ctx: DatabaseContext, template: Template): ClientWork[] {
  const fleet = newFleet(ctx.options.plans, FLEET);
  const first = fleet.plans[0] as FleetPlan;
  settleSwap(fleet, first, template.outgoing, true);
  fleet.stock.splice(fleet.stock.indexOf(template.outgoing), 1);
  return Array.from({ length: OWN_SQL_CLIENTS }, (_, c) => {
    const plans = fleet.plans.filter((_, i) => i % OWN_SQL_CLIENTS === c);
    const stock = fleet.stock.filter((_, i) => i % OWN_SQL_CLIENTS === c);
    return new ClientWork(plans, stock, template, c * 1_000_000);
  });
}

async function pgConnection(url: string): Promise<ReplayConnection> {
  // swapd's own session settings, so that its statements are planned as they are in swapd.
  const client = new pg.Client({ connectionString: url, options: SESSION_OPTIONS });
  client.on('error', () => {});
  await client.connect();
  return {
    // As swapd sends a one-request transaction on Postgres: BEGIN with the claim, the write with COMMIT.
    async transaction(swap) {
      try {
        await queryBracketed(client, CLAIM_AND_READ, swap.claim, { begin: true, commit: false });
        await queryBracketed(client, WRITE, swap.write, { begin: false, commit: true });
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw err;
      }
    },
    close: () => client.end(),
  };
}

function pgliteConnection(ctx: DatabaseContext): ReplayConnection {
  const pool = rawPoolOf(ctx.station.swapd.database.db);
  if (!pool) throw new Error('no raw pool on the embedded database');
  return {
    async transaction(swap) {
      const conn = await pool.connect();
      try {
        await conn.query('begin');
        await conn.query(CLAIM_AND_READ, swap.claim);
        await conn.query(WRITE, swap.write);
        await conn.query('commit');
      } catch (err) {
        await conn.query('rollback').catch(() => {});
        throw err;
      } finally {
        conn.release();
      }
    },
    close: async () => {},
  };
}

interface Measured {
  completed: number;
  errors: number;
  firstError: string | null;
  latencies: number[];
  windowMs: number;
}

/** Every client runs its swaps back to back; what completes inside the window is counted. */
async function drive(connections: ReplayConnection[], work: ClientWork[], ctx: DatabaseContext) {
  const m: Measured = { completed: 0, errors: 0, firstError: null, latencies: [], windowMs: 0 };
  const started = performance.now();
  const windowStart = started + ctx.options.warmupMs;
  const windowEnd = windowStart + ctx.options.durationMs;
  const loop = async (conn: ReplayConnection, mine: ClientWork) => {
    while (performance.now() < windowEnd) {
      const swap = mine.take();
      const t0 = performance.now();
      try {
        await conn.transaction(swap);
      } catch (err) {
        m.errors++;
        m.firstError ??= String(err);
        continue;
      }
      const t1 = performance.now();
      if (t0 >= windowStart && t1 <= windowEnd) {
        m.completed++;
        m.latencies.push(t1 - t0);
      }
    }
  };
  await Promise.all(connections.map((conn, i) => loop(conn, work[i] as ClientWork)));
  m.windowMs = ctx.options.durationMs;
  return m;
}

async function openConnections(ctx: DatabaseContext): Promise<ReplayConnection[]> {
  const url = ctx.station.swapd.config.database_url;
  if (!url) return Array.from({ length: OWN_SQL_CLIENTS }, () => pgliteConnection(ctx));
  return Promise.all(Array.from({ length: OWN_SQL_CLIENTS }, () => pgConnection(url)));
}

function rowOf(ctx: DatabaseContext, m: Measured, extra: Record<string, number>): ResultRow {
  const { combo } = ctx.station;
  const ok = m.completed > 0;
  return {
    scenario: 'own-sql',
    variant: `${combo.name} · ${OWN_SQL_CLIENTS} clients`,
    labels: { broker: combo.broker, database: combo.db },
    status: ok ? 'ok' : 'failed',
    ...(m.errors > 0 || !ok ? { note: `${m.errors} errors (first: ${m.firstError ?? 'none'})` } : {}),
    unit: 'swaps/s',
    throughput_per_s: ok ? perSecond(m.completed, m.windowMs) : null,
    count: m.completed,
    errors: m.errors,
    latency_ms: summarise(m.latencies),
    reference: null,
    ratio: null,
    metrics: { clients: OWN_SQL_CLIENTS, ...extra },
    targets: [],
  };
}

/**
 * Ceiling: the database-only cost of swapd's own work. A real COMPLETE_SERVICE is recorded (its claim
 * and write statements, as swapd sent them), then replayed by 16 database clients, one transaction per
 * swap (begin, claim, write, commit), each with its own plan, batteries, request and event ids put in by
 * string replacement ahead of time: no MQTT, no decisions. It runs on a fleet of its own beside the
 * requester's, in the same database.
 */
export const ownSql: DatabaseScenario = {
  kind: 'database',
  name: 'own-sql',
  description:
    "ceiling: swapd's own swap statements replayed by 16 database clients, one transaction per swap",
  async run(ctx) {
    ctx.progress(`own-sql on ${ctx.station.combo.name}: seeding a fleet of its own, recording one swap`);
    await seedFleet(ctx.station.swapd.database.db, ctx.options.plans, FLEET);
    const template = await recordTemplate(ctx);
    const work = splitWork(ctx, template);
    const connections = await openConnections(ctx);
    // Database only: the relay would publish the replayed swaps' events meanwhile.
    await ctx.station.swapd.relay?.stop();
    ctx.progress(`own-sql on ${ctx.station.combo.name}: ${OWN_SQL_CLIENTS} clients, warm-up then window`);
    const rss = new RssSampler();
    rss.start();
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    ctx.queries.reset();
    try {
      const m = await drive(connections, work, ctx);
      const used = process.cpuUsage(cpu);
      const answered = Math.max(1, ctx.queries.byStatement.get('commit') ?? 1);
      return rowOf(ctx, m, {
        db_statements_per_request: round(ctx.queries.total / answered, 2),
        db_round_trips_per_request: round(ctx.queries.roundTrips / answered, 2),
        swapd_process_peak_rss_mb: rss.stop(),
        swapd_process_cpu_pct: round(((used.user + used.system) / 1000 / (performance.now() - t0)) * 100, 1),
      });
    } finally {
      await Promise.all(connections.map((c) => c.close()));
      ctx.station.swapd.relay?.start();
    }
  },
};
