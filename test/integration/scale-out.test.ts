import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localConfig } from '../../bench/infra.js';
import { silentLogger } from '../../src/log.js';
import { type RunningSwapd, startSwapd } from '../../src/main.js';
import { type MosquittoProcess, startMosquitto } from '../harness/mosquitto.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import { mosquittoLogin } from '../harness/station.js';

/** Several agents on one broker and one database must share the request topics, or each answers everything. */
describe('scale-out guard: agents on one broker and database', () => {
  let pgdb: TestDatabase;
  let mosquitto: MosquittoProcess;
  const running: RunningSwapd[] = [];

  beforeAll(async () => {
    [pgdb, mosquitto] = await Promise.all([createTestDatabase(), startMosquitto()]);
  });
  afterAll(async () => {
    await Promise.all(running.map((s) => s.stop()));
    await mosquitto?.dispose();
    await pgdb?.drop();
  });

  const agent = async (group: string | null) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'swapd-scale-'));
    const config = localConfig(
      { databaseUrl: pgdb.url, mqttUrl: mosquitto.url, dataDir },
      { shared_subscription_group: group, ...mosquittoLogin(mosquitto) },
    );
    const swapd = await startSwapd(config, { log: silentLogger(), writeRuntimeNote: false });
    running.push(swapd);
    return swapd;
  };

  it('refuses a second agent without a shared subscription group, naming the fix', async () => {
    const first = await agent(null);
    await expect(agent(null)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('SWAPD_SHARED_SUBSCRIPTION_GROUP'),
    });
    await expect(agent('swapd')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await first.stop();
    running.splice(running.indexOf(first), 1);
  });

  it('lets any number of agents in one group start, and refuses one without the group beside them', async () => {
    await agent('swapd');
    await agent('swapd');
    await agent('swapd');
    await expect(agent(null)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('refuses an agent in another group beside them (two groups each receive every request)', async () => {
    await expect(agent('swapd-b')).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining("a shared subscription group other than 'swapd-b'"),
    });
    // The refused agent held nothing afterwards: one more of the running group still starts.
    await agent('swapd');
  });

  it('takes its locks again when their connections are cut, and keeps refusing meanwhile-wrong agents', async () => {
    const admin = new pg.Client({ connectionString: pgdb.url });
    await admin.connect();
    try {
      const holders = async () =>
        (
          await admin.query<{ pid: number }>(
            `select distinct pid from pg_locks where locktype = 'advisory' and granted
              and database = (select oid from pg_database where datname = current_database())`,
          )
        ).rows.map((r) => r.pid);
      const before = await holders();
      expect(before).toHaveLength(running.length);
      await admin.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [before]);
      // The terminated sessions are gone (the agents take theirs again on new connections, 5 s later).
      for (let i = 0; i < 40 && (await holders()).some((p) => before.includes(p)); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect((await holders()).filter((p) => before.includes(p))).toEqual([]);
      // Each agent retries 5 s after losing its lock connection.
      const deadline = Date.now() + 15_000;
      while ((await holders()).length < running.length && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      const after = await holders();
      expect(after).toHaveLength(running.length);
      expect(after.filter((p) => before.includes(p))).toEqual([]);
      await expect(agent(null)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      await expect(agent('swapd-c')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    } finally {
      await admin.end();
    }
  }, 30_000);
});
