import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { aKenyaPlan, seedCheckout } from '../builders/plans.js';
import { freePort } from '../harness/ports.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import { Requester } from '../harness/requester.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), resolve(ROOT, 'src/cli.ts')];
const run = promisify(execFile);
const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, SWAPD_LOG_LEVEL: 'warn' };
  return { ...env, ...extra };
}

/** `swapd start` as a user runs it; resolves with the ready line's JSON (--json) once printed. */
function start(
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; ready: Record<string, unknown>; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [...CLI, '--json', 'start'], {
    env,
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.resume();
  return new Promise((resolveReady, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ready line within 60 s: ${out}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.includes('"ready"'));
      if (!line) return;
      clearTimeout(timer);
      resolveReady({ child, ready: JSON.parse(line) as Record<string, unknown>, ms: Date.now() - started });
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

function writeJson(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

async function cli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [...CLI, '--json', ...args], { env, cwd: ROOT });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

describe('swapd as a user runs it (CLI processes)', () => {
  const children: ChildProcess[] = [];
  let pg: TestDatabase | null = null;
  afterAll(async () => {
    await Promise.all(children.map(stop));
    await pg?.drop();
  });

  it("embedded default: ready with no configuration (a generous floor; the start-up target is the bench's); the CLI imports into the running PGlite; the seed checkout answers", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swapd-cli-'));
    const env = cleanEnv({ SWAPD_DATA_DIR: join(dir, 'data') });
    const { child, ready, ms } = await start(env);
    children.push(child);
    // Start-up time is measured by `npm run bench` (startup scenario); beside the other test files a
    // fresh PGlite takes longer, so the test only guards against a start that hangs.
    expect(ms).toBeLessThan(45_000);
    expect(ready).toMatchObject({ status: 'ready', roles: ['agent', 'station'] });
    expect(String(ready.database)).toContain('pglite');
    const imported = await cli(env, 'plans', 'import', writeJson(dir, 'plans.json', [aKenyaPlan()]));
    expect(imported).toEqual({ created: [PLAN] });
    await cli(
      env,
      'assets',
      'add',
      '--asset-id',
      'BAT-67890',
      '--capacity-kwh',
      '32',
      '--station',
      'STATION_XYZ',
    );
    const requester = await Requester.connect(String(ready.mqtt));
    try {
      const res = await requester.call(PLAN, 'equipment_checkout', seedCheckout('cli-1'));
      expect(res.signals).toEqual(['QUOTA_AVAILABLE', 'EQUIPMENT_CHECKOUT_SUCCESS']);
      expect(res.metadata).toMatchObject({
        quota_check: { remaining_before: 55.5, net_required: 25.6, remaining_after: 29.9 },
        quota_updates: [
          { used_before: 6, used_after: 7 },
          { used_before: 344.5, used_after: 370.1 },
        ],
      });
    } finally {
      await requester.close();
    }
  }, 120_000);

  it('with SWAPD_DATABASE_URL, SWAPD_BROKER_PORT and SWAPD_HTTP_PORT it uses them; 10 kWh left answers QUOTA_EXHAUSTED', async () => {
    pg = await createTestDatabase();
    const [brokerPort, httpPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'swapd-cli-'));
    const env = cleanEnv({
      SWAPD_DATABASE_URL: pg.url,
      SWAPD_BROKER_PORT: String(brokerPort),
      SWAPD_HTTP_PORT: String(httpPort),
      SWAPD_DATA_DIR: join(dir, 'data'),
      SWAPD_ROLES: 'agent',
    });
    const { child, ready } = await start(env);
    children.push(child);
    expect(ready).toMatchObject({
      mqtt: `mqtt://127.0.0.1:${brokerPort}`,
      http: `http://127.0.0.1:${httpPort}`,
    });
    expect(String(ready.database)).toContain(pg.name);
    const low = aKenyaPlan((p) => {
      p.electricityUsed = 390;
    });
    expect(await cli(env, 'plans', 'import', writeJson(dir, 'plans.json', [low]))).toEqual({
      created: [PLAN],
    });
    await cli(
      env,
      'assets',
      'import',
      writeJson(dir, 'assets.json', [{ asset_id: 'BAT-67890', capacity_kwh: 32 }]),
    );
    const requester = await Requester.connect(String(ready.mqtt));
    try {
      const res = await requester.call(PLAN, 'equipment_checkout', seedCheckout('cli-2'));
      expect(res.signals).toEqual(['QUOTA_EXHAUSTED']);
      expect(res.metadata).toMatchObject({
        quota_check: { remaining_before: 10, deficit_kwh: 15.6 },
        topup_required: { amount_kwh: 15.6, estimated_cost: 12.48, currency: 'USD' },
      });
    } finally {
      await requester.close();
    }
    const taken = await run(process.execPath, [...CLI, 'start'], { env, cwd: ROOT, timeout: 20_000 }).catch(
      (e: { stderr: string }) => e,
    );
    expect((taken as { stderr: string }).stderr).toMatch(/EADDRINUSE|in use/);
  }, 120_000);
});
