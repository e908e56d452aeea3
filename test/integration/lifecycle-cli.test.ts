import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { aKenyaPlan } from '../builders/plans.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), resolve(ROOT, 'src/cli.ts')];
const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, SWAPD_LOG_LEVEL: 'warn', ...extra };
}

interface Run {
  code: number;
  json: Record<string, unknown>;
  stderr: string;
}

/** One `swapd --json …` command; its exit status and the last JSON line it printed. */
function swapd(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [...CLI, '--json', ...args], { env, cwd: ROOT }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        done({ code, json: line ? (JSON.parse(line) as Record<string, unknown>) : {}, stderr });
      } catch (e) {
        fail(new Error(`${args.join(' ')}: ${String(e)}\n${stdout}\n${stderr}`));
      }
    });
  });
}

function startSwapd(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...CLI, '--json', 'start'], {
    env,
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.resume();
  return new Promise((ready, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ready line within 120 s: ${out}`)), 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes('"ready"')) return;
      clearTimeout(timer);
      ready(child);
    });
    child.once('exit', (code) => reject(new Error(`swapd exited with ${code}: ${out}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

function plansFile(dir: string): string {
  const path = join(dir, 'plans.json');
  writeFileSync(path, JSON.stringify([aKenyaPlan()]));
  return path;
}

/** The same walk through every command, against whichever database the environment names. */
async function walkThrough(env: NodeJS.ProcessEnv, dir: string) {
  expect((await swapd(env, 'plans', 'import', plansFile(dir))).json).toEqual({ created: [PLAN] });

  const suspended = await swapd(env, 'plans', 'suspend', PLAN, '--reason', 'fraud check');
  expect(suspended.code).toBe(0);
  expect(suspended.json).toMatchObject({ success: true, signals: ['PLAN_SUSPENDED'], plan_id: PLAN });
  const resumed = await swapd(env, 'plans', 'resume', PLAN, '--correlation-id', 'cli-resume-1');
  expect(resumed.json).toMatchObject({ success: true, signals: ['PLAN_RESUMED'] });
  const replay = await swapd(env, 'plans', 'resume', PLAN, '--correlation-id', 'cli-resume-1');
  expect(replay.json).toMatchObject({
    replayed: true,
    signals: ['PLAN_RESUMED', 'IDEMPOTENT_OPERATION_DETECTED'],
  });

  const holding = await swapd(env, 'plans', 'close', PLAN);
  expect(holding.code).toBe(1);
  expect(holding.json).toMatchObject({ success: false, signals: ['PLAN_HOLDS_BATTERY'] });

  const lost = await swapd(env, 'assets', 'lost', 'BAT-12345', '--requested-by', 'OPS-9');
  expect(lost.json).toMatchObject({ success: true, signals: ['BATTERY_LOST_REPORTED'], plan_id: PLAN });
  const recovered = await swapd(env, 'assets', 'recovered', 'BAT-12345', '--station', 'STATION_XYZ');
  expect(recovered.json).toMatchObject({ success: true, signals: ['BATTERY_RECOVERED'] });
  const notLost = await swapd(env, 'assets', 'recovered', 'BAT-12345');
  expect(notLost.code).toBe(1);
  expect(notLost.json).toMatchObject({ success: false, signals: ['EQUIPMENT_NOT_LOST'] });
  const unknown = await swapd(env, 'assets', 'lost', 'BAT-NOPE');
  expect(unknown.code).toBe(1);
  expect(unknown.json).toMatchObject({ success: false, signals: ['EQUIPMENT_NOT_FOUND'] });

  const closed = await swapd(env, 'plans', 'close', PLAN);
  expect(closed.json).toMatchObject({ success: true, signals: ['PLAN_COMPLETED'] });
  const suspendClosed = await swapd(env, 'plans', 'suspend', PLAN);
  expect(suspendClosed.code).toBe(1);
  expect(suspendClosed.json).toMatchObject({ signals: ['PLAN_CLOSED'] });
  const missing = await swapd(env, 'plans', 'suspend', 'plan-nope');
  expect(missing.json).toMatchObject({ signals: ['SERVICE_PLAN_NOT_FOUND'] });
}

describe('swapd plans suspend|resume|close and swapd assets lost|recovered (CLI processes)', () => {
  const children: ChildProcess[] = [];
  let db: TestDatabase | null = null;
  afterAll(async () => {
    await Promise.all(children.map(stop));
    await db?.drop();
  });

  it('while swapd start owns the embedded database: through its ops endpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swapd-ops-'));
    const env = cleanEnv({ SWAPD_DATA_DIR: join(dir, 'data'), SWAPD_BROKER_PORT: '0', SWAPD_HTTP_PORT: '0' });
    children.push(await startSwapd(env));
    await walkThrough(env, dir);
  }, 300_000);

  it('with SWAPD_DATABASE_URL and no swapd running: straight on Postgres', async () => {
    db = await createTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'swapd-ops-'));
    const env = cleanEnv({ SWAPD_DATABASE_URL: db.url, SWAPD_DATA_DIR: join(dir, 'data') });
    await walkThrough(env, dir);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const audit = await client
      .query<{ kind: string; decision: string; requester: string | null }>(
        "select kind, decision, requester from audit_log where kind like 'ops:%' order by id",
      )
      .then((r) => r.rows)
      .finally(() => client.end());
    // A battery no plan holds is refused before it reaches a plan (EQUIPMENT_NOT_LOST): no plan to audit.
    expect(audit.map((r) => `${r.kind} ${r.decision}`)).toEqual([
      'ops:suspend_plan APPLIED',
      'ops:resume_plan APPLIED',
      'ops:close_plan PLAN_HOLDS_BATTERY',
      'ops:report_battery_lost APPLIED',
      'ops:recover_battery APPLIED',
      'ops:close_plan APPLIED',
      'ops:suspend_plan PLAN_CLOSED',
    ]);
    expect(audit.find((r) => r.kind === 'ops:report_battery_lost')?.requester).toBe('OPS-9');
  }, 300_000);
});
