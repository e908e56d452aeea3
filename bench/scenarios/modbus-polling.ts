import { createDriver } from '../../src/adapters/drivers/driver-factory.js';
import {
  type RunningSimulator,
  startSimulator,
} from '../../src/adapters/drivers/simulator/station-simulator.js';
import { silentLogger } from '../../src/log.js';
import type { DataProvider } from '../../src/ports/data-provider.js';
import { perSecond, round, summarise } from '../stats.js';
import type { ResultRow, StandaloneContext, StandaloneScenario } from '../types.js';

const SLOTS = 16;
/** Polling is fast: a fraction of the MQTT window gives thousands of cycles. */
const MAX_WINDOW_MS = 2_000;

type Mode = 'readTags' | 'per-tag';

/** Every slot's full tag set, all slots at once (one connection per slot, one request in flight each). */
function cycle(drivers: DataProvider[], mode: Mode): Promise<unknown> {
  if (mode === 'readTags') return Promise.all(drivers.map((d) => d.readTags(d.tags.readable)));
  return Promise.all(
    drivers.map(async (d) => {
      for (const tag of d.tags.readable) await d.readTag(tag);
    }),
  );
}

async function measureMode(
  sim: RunningSimulator,
  drivers: DataProvider[],
  mode: Mode,
  ctx: StandaloneContext,
) {
  ctx.progress(`modbus-polling: ${SLOTS} slots, ${mode}`);
  const windowMs = Math.min(ctx.options.durationMs, MAX_WINDOW_MS);
  const warmUntil = performance.now() + Math.min(ctx.options.warmupMs, 500);
  while (performance.now() < warmUntil) await cycle(drivers, mode);
  sim.counters.reset();
  const times: number[] = [];
  const start = performance.now();
  while (performance.now() - start < windowMs) {
    const t = performance.now();
    await cycle(drivers, mode);
    times.push(performance.now() - t);
  }
  const elapsed = performance.now() - start;
  return { times, elapsed, requestsPerCycle: sim.counters.requests / Math.max(times.length, 1) };
}

function row(mode: Mode, m: Awaited<ReturnType<typeof measureMode>>, tags: number): ResultRow {
  return {
    scenario: 'modbus-polling',
    variant: `${SLOTS} slots · ${mode}`,
    labels: { slots: String(SLOTS), mode },
    status: 'ok',
    unit: 'cycles/s',
    throughput_per_s: perSecond(m.times.length, m.elapsed),
    count: m.times.length,
    errors: 0,
    latency_ms: summarise(m.times),
    reference: null,
    ratio: null,
    metrics: { requests_per_cycle: round(m.requestsPerCycle, 2), tags_per_cycle: tags },
    targets: [],
  };
}

function withTargets(block: ResultRow, perTag: ResultRow): ResultRow {
  const reduction =
    (perTag.metrics.requests_per_cycle ?? 0) / Math.max(block.metrics.requests_per_cycle ?? 1, 1e-9);
  const p50 = block.latency_ms?.p50 ?? Number.POSITIVE_INFINITY;
  return {
    ...block,
    reference: {
      scenario: perTag.scenario,
      variant: perTag.variant,
      throughput_per_s: perTag.throughput_per_s ?? 0,
    },
    ratio: perTag.throughput_per_s ? round((block.throughput_per_s ?? 0) / perTag.throughput_per_s, 2) : null,
    metrics: { ...block.metrics, request_reduction_x: round(reduction, 1) },
    targets: [
      {
        name: '≥ 10× fewer requests than per-tag reading',
        holds: reduction >= 10,
        detail: `${round(reduction, 1)}×`,
      },
      {
        name: `${SLOTS}-slot cycle ≤ 50 ms`,
        holds: p50 <= 50,
        detail: `p50 ${p50} ms, p99 ${block.latency_ms?.p99} ms`,
      },
    ],
  };
}

async function run(ctx: StandaloneContext): Promise<ResultRow[]> {
  const sim = await startSimulator({ slots: SLOTS, fill: { capacityKwh: 32 } });
  const drivers = sim.slotUnitIds.map((u) =>
    createDriver(sim.url(u), { profile: sim.profile, log: silentLogger() }),
  );
  try {
    await Promise.all(drivers.map((d) => d.connect()));
    const tags = drivers.reduce((n, d) => n + d.tags.readable.length, 0);
    const block = row('readTags', await measureMode(sim, drivers, 'readTags', ctx), tags);
    const perTag = row('per-tag', await measureMode(sim, drivers, 'per-tag', ctx), tags);
    return [withTargets(block, perTag), perTag];
  } finally {
    await Promise.all(drivers.map((d) => d.disconnect()));
    await sim.close();
  }
}

/** Requests per cycle and cycle time of a 16-slot station on the simulator: readTags against per-tag reads. */
export const modbusPolling: StandaloneScenario = {
  kind: 'standalone',
  name: 'modbus-polling',
  description: '16-slot station on the simulator: block readTags against one request per tag',
  run,
};
