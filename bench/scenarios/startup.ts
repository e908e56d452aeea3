import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { round, summarise } from '../stats.js';
import type { ResultRow, StandaloneContext, StandaloneScenario } from '../types.js';

const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
const STARTS = 3;
const READY_TIMEOUT_MS = 30_000;

interface Start {
  wallMs: number;
  internalMs: number;
  rssMb: number;
}

function environment(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SWAPD_DATA_DIR: dataDir,
    SWAPD_BROKER_PORT: '0',
    SWAPD_HTTP_PORT: '0',
  };
  for (const name of Object.keys(env)) if (name.startsWith('SWAPD_') && !(name in KEEP)) delete env[name];
  delete env.DATABASE_URL;
  return env;
}
const KEEP = { SWAPD_DATA_DIR: 1, SWAPD_BROKER_PORT: 1, SWAPD_HTTP_PORT: 1 };

function rssOf(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024, 1);
  } catch {
    return 0;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

function readyLine(child: ChildProcess, t0: number): Promise<Start> {
  return new Promise<Start>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error('swapd start: no ready line within 30 s')),
      READY_TIMEOUT_MS,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.includes('"status":"ready"'));
      if (!line) return;
      clearTimeout(timer);
      const wallMs = performance.now() - t0;
      const ready = JSON.parse(line) as { startup_ms: number };
      resolve({ wallMs, internalMs: ready.startup_ms, rssMb: rssOf(child.pid) });
    });
    child.once('exit', (code) => reject(new Error(`swapd start exited with ${code} before it was ready`)));
  });
}

/** `swapd start` (tsx, as `npm start` runs it) with a fresh data dir: spawn → the JSON ready line on stdout. */
async function startOnce(): Promise<Start> {
  const dataDir = mkdtempSync(join(tmpdir(), 'swapd-bench-start-'));
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--json', 'start'], {
    cwd: PROJECT_ROOT,
    env: environment(dataDir),
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    return await readyLine(child, t0);
  } finally {
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function run(ctx: StandaloneContext): Promise<ResultRow[]> {
  const starts: Start[] = [];
  for (let i = 0; i < STARTS; i++) {
    ctx.progress(`startup: embedded default (aedes + PGlite in a fresh data dir), start ${i + 1}/${STARTS}`);
    starts.push(await startOnce());
  }
  const wall = summarise(starts.map((s) => s.wallMs));
  const worst = Math.max(...starts.map((s) => s.wallMs));
  return [
    {
      scenario: 'startup',
      variant: `embedded default · ${STARTS} fresh starts`,
      labels: { shape: 'embedded default' },
      status: 'ok',
      unit: 'ms',
      throughput_per_s: null,
      count: starts.length,
      errors: 0,
      latency_ms: wall,
      reference: null,
      ratio: null,
      metrics: {
        spawn_to_ready_ms_median: wall?.p50 ?? 0,
        startup_ms_reported_median: summarise(starts.map((s) => s.internalMs))?.p50 ?? 0,
        idle_rss_mb_after_ready: Math.max(...starts.map((s) => s.rssMb)),
      },
      targets: [
        {
          name: 'embedded default ready ≤ 5 s',
          holds: worst <= 5_000,
          detail: `slowest ${Math.round(worst)} ms`,
        },
      ],
    },
  ];
}

/** Start-up time of the embedded default, measured from spawn to the ready line. */
export const startup: StandaloneScenario = {
  kind: 'standalone',
  name: 'startup',
  description: 'embedded default (aedes + PGlite): spawn `swapd start` with a fresh data dir until ready',
  run,
};
