import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Registry } from 'prom-client';
import { connectBroker } from '../../src/adapters/broker/mqtt-client.js';
import { SlotReadingCache } from '../../src/adapters/drivers/slot-reading-cache.js';
import { silentLogger } from '../../src/log.js';
import { startSwapd } from '../../src/main.js';
import { systemClock } from '../../src/ports/clock.js';
import { systemScheduler } from '../../src/ports/scheduler.js';
import { TelemetryCache } from '../../src/runtime/telemetry/telemetry-cache.js';
import { TelemetryIngest } from '../../src/runtime/telemetry/telemetry-ingest.js';
import { TelemetryMetrics } from '../../src/runtime/telemetry/telemetry-metrics.js';
import { TelemetryPublisher } from '../../src/runtime/telemetry/telemetry-publisher.js';
import { Spec003Validator } from '../../src/validation/spec003/spec003-validator.js';
import { createThrowawayDatabase, localConfig, type MosquittoProcess, startMosquitto } from '../infra.js';
import { round } from '../stats.js';
import { FLOOD_SITES } from '../telemetry-sites.js';
import type { ResultRow, StandaloneContext, StandaloneScenario } from '../types.js';
import { flood, floodUser, measure, settled } from './telemetry-window.js';

const ASSETS = Number(process.env.SWAPD_BENCH_TELEMETRY_ASSETS ?? 10_000);
const SLOTS = 16;
/** The production default: at most one row per battery per 5 s. */
const WRITE_INTERVAL_MS = Number(process.env.SWAPD_BENCH_TELEMETRY_WRITE_MS ?? 5000);

async function noOpRate(broker: MosquittoProcess, ctx: StandaloneContext) {
  ctx.progress('telemetry-ingest: no-op subscriber');
  const client = await mqtt.connectAsync(broker.urlFor('tester'), { protocolVersion: 4 });
  let received = 0;
  client.on('message', () => {
    received++;
  });
  await client.subscribeAsync('bessai/+/telemetry', { qos: 0 });
  const run = flood(broker, ASSETS, ctx.options.warmupMs + ctx.options.durationMs + 500);
  const window = await measure(() => received, ctx.options.warmupMs, ctx.options.durationMs);
  const sent = await run.done;
  await client.endAsync();
  return { ...window, sent, received };
}

async function ingestRate(broker: MosquittoProcess, ctx: StandaloneContext) {
  ctx.progress('telemetry-ingest: swapd ingest into Postgres');
  const db = await createThrowawayDatabase(process.env);
  const swapd = await startSwapd(
    localConfig(
      { databaseUrl: db.url, mqttUrl: broker.url, dataDir: mkdtempSync(join(tmpdir(), 'swapd-bench-')) },
      {
        telemetry: { write_interval_ms: WRITE_INTERVAL_MS },
        mqtt_username: broker.users.swapd.username,
        mqtt_password: broker.users.swapd.password,
        odoo_hmac_secret: randomBytes(24).toString('hex'),
      },
    ),
    { log: silentLogger(), writeRuntimeNote: false },
  );
  try {
    const ingest = swapd.telemetry.ingest!;
    const run = flood(broker, ASSETS, ctx.options.warmupMs + ctx.options.durationMs + 500);
    const rows = () => swapd.telemetry.writer.rowsWritten;
    const rowsBefore = rows();
    const window = await measure(() => ingest.accepted, ctx.options.warmupMs, ctx.options.durationMs);
    const written = rows() - rowsBefore;
    const sent = await run.done;
    const floodMs = ctx.options.warmupMs + ctx.options.durationMs + 500;
    const drainMs = await settled(() => ingest.accepted);
    const received = ingest.accepted;
    await swapd.telemetry.writer.flush();
    const stored = await swapd.database.db
      .selectFrom('telemetry_latest')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return {
      window,
      written,
      sent,
      received,
      sustained: round(received / ((floodMs + drainMs) / 1000), 0),
      drainMs: round(drainMs, 0),
      stored: Number(stored.n),
      rejected: [...ingest.rejected.values()].reduce((a, b) => a + b, 0),
    };
  } finally {
    await swapd.stop();
    await db.drop();
  }
}

/** The ingest path alone (check, fold, counters) on pre-built messages: its own ceiling, no broker. */
function ingestPathRate(ctx: StandaloneContext): number {
  ctx.progress('telemetry-ingest: the ingest path alone');
  const ingest = new TelemetryIngest({
    broker: { connected: false } as never,
    cache: new TelemetryCache(ASSETS),
    validator: new Spec003Validator(),
    rules: { maxBytes: 16_384, sites: null, maxFutureSkewMs: 300_000 },
    clock: systemClock,
    metrics: new TelemetryMetrics(new Registry()),
    log: silentLogger(),
  });
  const timestamp = new Date().toISOString();
  const messages = Array.from({ length: ASSETS }, (_, i) => ({
    topic: `bessai/SITE-KE-001/telemetry`,
    payload: Buffer.from(
      JSON.stringify({
        schema_version: '1.0',
        message_type: 'telemetry',
        site_id: 'SITE-KE-001',
        timestamp,
        payload: {
          soc_pct: 50,
          power_kw: -1,
          temperature_c: 28,
          voltage_v: 52,
          current_a: -2,
          mode: 1,
          alarm_code: 0,
          asset_id: `BAT-${i}`,
          energy_kwh: 12.5,
          slot: 3,
          soh_pct: 96,
        },
      }),
    ),
  }));
  const until = performance.now() + Math.min(ctx.options.durationMs, 3000);
  const t0 = performance.now();
  let n = 0;
  while (performance.now() < until)
    for (const m of messages) {
      ingest.accept(m);
      n++;
    }
  return round(n / ((performance.now() - t0) / 1000), 0);
}

/** CPU time of one publishing round of a 16-slot station (build, validate, hand to the broker), per slot. */
async function publisherCost(broker: MosquittoProcess, ctx: StandaloneContext) {
  ctx.progress('telemetry-ingest: publisher cost per slot');
  const client = await connectBroker({
    url: broker.urlFor('swapd'),
    clientId: 'bench-publisher',
    log: silentLogger(),
  });
  const readings = new SlotReadingCache();
  const publisher = new TelemetryPublisher({
    broker: client,
    readings,
    validator: new Spec003Validator(),
    metrics: new TelemetryMetrics(new Registry()),
    clock: systemClock,
    scheduler: systemScheduler,
    log: silentLogger(),
    energy: null,
    settings: {
      siteId: 'SITE-KE-001',
      gatewayVersion: 'bench',
      intervalMs: 60_000,
      fleetIntervalMs: 60_000,
      qos: 0,
      carbon: null,
    },
  });
  const rounds = 2000;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    const now = new Date();
    for (let s = 1; s <= SLOTS; s++)
      readings.record({
        slot: s,
        deviceId: `slot-${s}`,
        source: 'bench',
        assetId: `BAT-${s}`,
        readAt: now,
        tags: {
          'SOC_%': 50 + s,
          'SOH_%': 97,
          P_kW: -1.2,
          V_dc_V: 52,
          I_dc_A: -23,
          T_battery_C: 29,
          mode: 1,
          alarm_code: 0,
          E_kwh_remaining: 16.3,
          capacity_kwh: 32,
        },
        pMaxKw: 3,
      });
    publisher.publishSlots();
    if (r % 50 === 0) await new Promise((res) => setImmediate(res));
  }
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  await client.close();
  const slots = rounds * SLOTS;
  return {
    cpuUsPerSlot: round((used.user + used.system) / slots, 1),
    wallUsPerSlot: round((wallMs * 1000) / slots, 1),
  };
}

function rows(
  noop: Awaited<ReturnType<typeof noOpRate>>,
  result: Awaited<ReturnType<typeof ingestRate>>,
  cost: Awaited<ReturnType<typeof publisherCost>>,
): ResultRow[] {
  const noopRate = round(noop.count / (noop.ms / 1000), 0);
  const rate = round(result.window.count / (result.window.ms / 1000), 0);
  const ratio = noopRate > 0 ? round(rate / noopRate, 2) : null;
  const growth = round(result.window.rssFloorLastMb - result.window.rssFloorFirstMb, 1);
  const base = { errors: 0, latency_ms: null, targets: [], reference: null, ratio: null };
  return [
    {
      ...base,
      scenario: 'telemetry-ingest',
      variant: 'no-op subscriber (ceiling)',
      labels: { broker: 'mosquitto' },
      status: 'ok',
      unit: 'msg/s',
      throughput_per_s: noopRate,
      count: noop.count,
      metrics: { flood_sent: noop.sent, received_total: noop.received, cpu_us_per_msg: noop.cpuUsPerMessage },
    },
    {
      ...base,
      scenario: 'telemetry-ingest',
      variant: `swapd ingest → Postgres (${ASSETS} batteries)`,
      labels: { broker: 'mosquitto', database: 'postgres' },
      status: 'ok',
      unit: 'msg/s',
      throughput_per_s: rate,
      count: result.window.count,
      reference: {
        scenario: 'telemetry-ingest',
        variant: 'no-op subscriber (ceiling)',
        throughput_per_s: noopRate,
      },
      ratio,
      metrics: {
        flood_sent: result.sent,
        received_total: result.received,
        cpu_us_per_msg: result.window.cpuUsPerMessage,
        cpu_ratio: round(noop.cpuUsPerMessage / Math.max(result.window.cpuUsPerMessage, 0.1), 2),
        sustained_msg_per_s: result.sustained,
        backlog_drain_ms: result.drainMs,
        rows_written: result.written,
        latest_rows: result.stored,
        rejected: result.rejected,
        rss_start_mb: result.window.rssStartMb,
        rss_end_mb: result.window.rssEndMb,
        rss_peak_mb: result.window.rssPeakMb,
        rss_floor_first_third_mb: result.window.rssFloorFirstMb,
        rss_floor_last_third_mb: result.window.rssFloorLastMb,
        heap_floor_first_third_mb: result.window.heapFloorFirstMb,
        heap_floor_last_third_mb: result.window.heapFloorLastMb,
        publisher_cpu_us_per_slot: cost.cpuUsPerSlot,
        publisher_wall_us_per_slot: cost.wallUsPerSlot,
      },
      targets: [
        {
          name: 'ingest ≥ 50 % of the no-op subscriber',
          holds: (ratio ?? 0) >= 0.5,
          detail: `${ratio ?? '—'}`,
        },
        { name: 'ingest ≥ 10,000 msg/s', holds: rate >= 10_000, detail: `${rate} msg/s` },
        {
          name: 'memory flat over the window (RSS floor, last third vs first, ≤ 32 MB growth)',
          holds: growth <= 32,
          detail: `${growth} MB`,
        },
      ],
    },
  ];
}

function aloneRow(rate: number): ResultRow {
  return {
    scenario: 'telemetry-ingest',
    variant: 'ingest path alone (no broker, no database)',
    labels: {},
    status: 'ok',
    unit: 'msg/s',
    throughput_per_s: rate,
    count: 0,
    errors: 0,
    latency_ms: null,
    reference: null,
    ratio: null,
    metrics: {},
    targets: [],
  };
}

async function run(ctx: StandaloneContext): Promise<ResultRow[]> {
  let broker: MosquittoProcess;
  try {
    broker = await startMosquitto({ extraUsers: FLOOD_SITES.map(floodUser) });
  } catch (err) {
    return [
      {
        scenario: 'telemetry-ingest',
        variant: 'mosquitto',
        labels: {},
        status: 'unavailable',
        note: String(err),
        unit: 'msg/s',
        throughput_per_s: null,
        count: 0,
        errors: 0,
        latency_ms: null,
        reference: null,
        ratio: null,
        metrics: {},
        targets: [],
      },
    ];
  }
  try {
    const noop = await noOpRate(broker, ctx);
    const ingest = await ingestRate(broker, ctx);
    const cost = await publisherCost(broker, ctx);
    const alone = ingestPathRate(ctx);
    return [...rows(noop, ingest, cost), aloneRow(alone)];
  } finally {
    await broker.dispose();
  }
}

/**
 * SPEC-003 ingest at steady state against a no-op subscriber on the same Mosquitto in the same run
 * (a separate process floods QoS 0 telemetry of many batteries), memory over the window, and the
 * publisher's CPU cost per slot. `--duration` and `--warmup` size the windows; SWAPD_BENCH_TELEMETRY_ASSETS
 * the number of batteries.
 */
export const telemetryIngest: StandaloneScenario = {
  kind: 'standalone',
  name: 'telemetry-ingest',
  description:
    'SPEC-003 ingest into Postgres ÷ a no-op subscriber on the same broker; publisher cost per slot',
  run,
};
