import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { type BrokerUser, type MosquittoProcess, withCredentials } from '../infra.js';
import { round } from '../stats.js';
import { FLOOD_SITES } from '../telemetry-sites.js';

// The telemetry-ingest scenario's load and its measurement window: the flood publisher process, its
// broker users, and the steady-state counter with the process's CPU and memory beside it.

const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

/** Starts the flood publisher process; resolves when it has finished. */
export function flood(
  broker: MosquittoProcess,
  assets: number,
  durationMs: number,
): { done: Promise<number>; child: ChildProcess } {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      resolve(PROJECT_ROOT, 'bench/telemetry-flood.ts'),
      String(assets),
      String(durationMs),
      ...FLOOD_SITES.map((site) => withCredentials(broker.url, floodUser(site))),
    ],
    { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const done = new Promise<number>((ok, fail) => {
    child.once('exit', (code) =>
      code === 0
        ? ok(Number((JSON.parse(out.trim() || '{}') as { sent?: number }).sent ?? 0))
        : fail(new Error(`flood exited ${code}`)),
    );
  });
  return { done, child };
}

/** The station controller user of one flooded site (the password is per run, derived from nothing secret). */
const FLOOD_PASSWORD = randomBytes(12).toString('base64url');
export function floodUser(site: string): BrokerUser {
  return { username: `station-${site.toLowerCase()}`, password: FLOOD_PASSWORD, role: 'station', site };
}

export interface Window {
  count: number;
  /** CPU time of this process per message counted (user + system), µs: robust to a busy machine. */
  cpuUsPerMessage: number;
  ms: number;
  rssStartMb: number;
  rssEndMb: number;
  rssPeakMb: number;
  /**
   * The lowest RSS of the window's first third and of its last third. A busy heap swings by a hundred
   * MB between major collections, so two single samples say more about where the swing was than about
   * growth; what is left after collections (the floor) grows only if something is kept.
   */
  rssFloorFirstMb: number;
  rssFloorLastMb: number;
  /** The same floors of the JavaScript heap in use (what is live after a collection). */
  heapFloorFirstMb: number;
  heapFloorLastMb: number;
}

const rssMb = () => round(process.memoryUsage.rss() / 1048576, 1);
const heapMb = () => round(process.memoryUsage().heapUsed / 1048576, 1);
const third = (xs: number[]) => Math.max(1, Math.floor(xs.length / 3));

/** Counts what `counter()` gains in the steady state: after the warm-up, for the window. */
export async function measure(counter: () => number, warmupMs: number, windowMs: number): Promise<Window> {
  await new Promise((r) => setTimeout(r, warmupMs));
  const start = counter();
  const t0 = performance.now();
  const cpu = process.cpuUsage();
  const rssStartMb = rssMb();
  const samples: number[] = [rssStartMb];
  const heap: number[] = [heapMb()];
  const sample = () => {
    samples.push(rssMb());
    heap.push(heapMb());
  };
  const sampler = setInterval(sample, 250);
  await new Promise((r) => setTimeout(r, windowMs));
  clearInterval(sampler);
  sample();
  const used = process.cpuUsage(cpu);
  const count = counter() - start;
  return {
    count,
    cpuUsPerMessage: round((used.user + used.system) / Math.max(count, 1), 1),
    ms: performance.now() - t0,
    rssStartMb,
    rssEndMb: samples.at(-1) ?? rssStartMb,
    rssPeakMb: Math.max(...samples),
    rssFloorFirstMb: Math.min(...samples.slice(0, third(samples))),
    rssFloorLastMb: Math.min(...samples.slice(-third(samples))),
    heapFloorFirstMb: Math.min(...heap.slice(0, third(heap))),
    heapFloorLastMb: Math.min(...heap.slice(-third(heap))),
  };
}

/** How long until the counter stops moving (one quiet second), after the flood ended. */
export async function settled(counter: () => number): Promise<number> {
  const t0 = performance.now();
  let last = -1;
  while (counter() !== last) {
    last = counter();
    await new Promise((r) => setTimeout(r, 1000));
  }
  return performance.now() - t0 - 1000;
}
