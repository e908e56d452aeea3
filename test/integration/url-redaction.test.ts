import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/config/redact-url.js';
import { type MosquittoProcess, startMosquitto } from '../harness/mosquitto.js';
import { freePort } from '../harness/ports.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import { TEST_ODOO_SECRET } from '../harness/station.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), resolve(ROOT, 'src/cli.ts')];
const PG_SECRET = 'pg-pw-5ecret';

describe('redactUrl', () => {
  it.each([
    ['mqtt://swapd:hunter2@broker.example:8883', 'mqtt://swapd:***@broker.example:8883'],
    ['postgres://u:p%40ss@db/swapd', 'postgres://u:***@db/swapd'],
    ['mqtt://127.0.0.1:1883', 'mqtt://127.0.0.1:1883'],
    ['mqtt://user@host', 'mqtt://user@host'],
    ['not a url //user:pw@x', 'not a url //***@x'],
  ])('%s → %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});

/** A password inside SWAPD_MQTT_URL or SWAPD_DATABASE_URL shows nowhere: ready line, runtime note, logs. */
describe('credentials in URLs are kept out of everything swapd prints or writes', () => {
  let mosquitto: MosquittoProcess;
  let MQTT_SECRET = '';
  let pg: TestDatabase;

  beforeAll(async () => {
    mosquitto = await startMosquitto();
    // The shipped Mosquitto configuration refuses anonymous clients: swapd logs in as the harness's user.
    MQTT_SECRET = mosquitto.users.swapd.password;
    pg = await createTestDatabase();
  });
  afterAll(async () => {
    await mosquitto?.dispose();
    await pg?.drop();
  });

  it('swapd start with passwords in both URLs', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'swapd-redact-'));
    const dbUrl = new URL(pg.url);
    dbUrl.password = PG_SECRET;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      SWAPD_LOG_LEVEL: 'debug',
      SWAPD_MQTT_URL: `mqtt://${mosquitto.users.swapd.username}:${encodeURIComponent(MQTT_SECRET)}@127.0.0.1:${mosquitto.port}`,
      SWAPD_ODOO_HMAC_SECRET: TEST_ODOO_SECRET,
      SWAPD_DATABASE_URL: dbUrl.toString(),
      SWAPD_DATA_DIR: dataDir,
      SWAPD_HTTP_PORT: String(await freePort()),
      SWAPD_ROLES: 'agent',
    };
    const child = spawn(process.execPath, [...CLI, 'start'], {
      env,
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    try {
      const deadline = Date.now() + 30_000;
      while (!output.includes('swapd ready') && child.exitCode === null && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(output).toContain('swapd ready');
      expect(output).toContain(`mqtt://swapd:***@127.0.0.1:${mosquitto.port}`);
      const note = readFileSync(join(dataDir, 'swapd.runtime.json'), 'utf8');
      expect(JSON.parse(note).broker_url).toBe(`mqtt://swapd:***@127.0.0.1:${mosquitto.port}`);
      expect(note).not.toContain(MQTT_SECRET);
      expect(note).not.toContain(PG_SECRET);
    } finally {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    expect(output).not.toContain(MQTT_SECRET);
    expect(output).not.toContain(PG_SECRET);
  });
});
